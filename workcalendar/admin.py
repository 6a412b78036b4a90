"""工作日历 in the admin: a year at a time, its holidays and 调休 days entered below it.

Saving a year (or deleting one) counts again the open working-day due dates over it
(:data:`workcalendar.calendar.calendar_changed`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard

from .calendar import WorkingCalendar, calendar_changed, package_years
from .models import CalendarDay, CalendarYear, day_problems


class DayFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        return gettext("同一日期填写了两次，请删去重复的一行。")

    def clean(self):
        super().clean()
        year = self.instance.year
        dates = {}
        holidays = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            day, kind = form.cleaned_data.get("date"), form.cleaned_data.get("kind")
            holidays += kind == CalendarDay.Kind.HOLIDAY and day is not None
            for problem in day_problems(day, kind, year):
                form.add_error("date", problem)
            if day is not None:
                if day in dates:
                    form.add_error("date", gettext("%(day)s填写了两次。") % {"day": day.isoformat()})
                dates[day] = form
        if self.instance.complete and not holidays:
            raise forms.ValidationError(gettext(
                "标记为“已完整录入”的年份，至少要录入该年的法定节假日（元旦、春节、国庆节等放假日）；"
                "否则按工作日计算的期限会把节假日当作工作日。"))


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = DayFormSet
    fields = ("date", "kind", "name")
    extra = 12


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "complete", "note")

    def _guarded_names(self):
        # The days are edited on the same page: a change to them moves the version.
        return [*super()._guarded_names(), "version"]


@admin.register(CalendarYear)
class CalendarYearAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ("year", "complete", "source", "holidays", "workdays", "note", "updated_at")
    list_filter = ("complete", "source")
    ordering = ("-year",)
    inlines = (CalendarDayInline,)

    def get_readonly_fields(self, request, obj=None):
        return ("source", "updated_at") if obj is None else ("year", "source", "updated_at")

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return super().get_queryset(request).annotate(
            holiday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
            workday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)))

    @admin.display(description=_("放假天数"), ordering="holiday_count")
    def holidays(self, obj):
        return obj.holiday_count

    @admin.display(description=_("调休上班天数"), ordering="workday_count")
    def workdays(self, obj):
        return obj.workday_count

    def changelist_view(self, request, extra_context=None):
        known = package_years()
        extra_context = {**(extra_context or {}), "subtitle": gettext(
            "随系统提供%(first)s—%(last)s年的国务院节假日安排；以后的年份请在此录入，或用 "
            "manage.py load_calendar 导入。") % {"first": known[0], "last": known[-1]}}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        request._calendar_before = WorkingCalendar().preload([obj.year])
        obj.source = CalendarYear.Source.ADMIN
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        CalendarYear.objects.filter(pk=obj.pk).update(version=obj.version + 1)
        obj.version += 1
        self._announce(request, obj.year, request._calendar_before,
                       gettext("%(year)s年工作日历修改") % {"year": obj.year})

    def delete_model(self, request, obj):
        before = WorkingCalendar().preload([obj.year])
        super().delete_model(request, obj)
        self._announce(request, obj.year, before, gettext("%(year)s年工作日历删除") % {"year": obj.year})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @staticmethod
    def _announce(request, year, before, reason):
        calendar_changed.send(sender=CalendarYear, years={year}, before=before, actor=request.user,
                              reason=reason)
