"""工作日历: the public holidays and make-up working days (调休) the deployment counts by.

Monday to Friday are working days unless a :class:`CalendarDay` says the day is a
holiday; Saturday and Sunday are days off unless one says it is worked (调休上班日).
A year counts only once it is **complete** (:class:`CalendarYear`): a working-day due
date that crosses a year not complete is refused, never guessed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 2000, 2100


class CalendarYear(models.Model):
    """One year of the calendar: whether all its holidays are entered, and from where."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("国务院公布（随系统提供）")
        FILE = "file", _("从文件导入")
        ADMIN = "admin", _("管理员录入")

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    complete = models.BooleanField(
        _("已完整录入"), default=False,
        help_text=_("全年的法定节假日和调休上班日都已录入。勾选后，按工作日计算的期限才会使用这一年。"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN)
    note = models.CharField(_("依据"), max_length=200, blank=True,
                            help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return gettext("%(year)s年") % {"year": self.year}


class CalendarDay(models.Model):
    """A public holiday (放假) or a weekend day worked in exchange (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days",
                             verbose_name=_("年份"))
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=30, help_text=_("例如：春节、国庆节"))

    class Meta:
        verbose_name = _("节假日或调休上班日")
        verbose_name_plural = _("节假日和调休上班日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}"

    def clean(self):
        problems = day_problems(self.date, self.kind, self.year.year if self.year_id else None)
        if problems:
            raise ValidationError({"date": problems})


def day_problems(day: datetime.date | None, kind: str, year: int | None) -> list[str]:
    """What is wrong with entering ``day`` as ``kind`` in ``year``: nothing, or why not."""
    if day is None:
        return []
    problems = []
    if year is not None and day.year != year:
        problems.append(gettext("%(day)s不在%(year)s年内。") % {"day": day.isoformat(), "year": year})
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        problems.append(gettext("%(day)s是星期%(weekday)s，本来就是工作日，只有周六、周日才需登记为调休上班日。")
                        % {"day": day.isoformat(), "weekday": "一二三四五六日"[day.weekday()]})
    return problems
