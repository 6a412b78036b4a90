"""Filters for the lists of reply letters and of the agencies' inbox."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.roles import agency_ids
from proposals.models import Assignment, Session

from .models import ReplyLetter


class PrintableLetterFilter(django_filters.FilterSet):
    """待印发答复函: signed and issued letters, by session, agency, state and number."""

    session = django_filters.ModelChoiceFilter(
        field_name="proposal__session", queryset=Session.objects.all(), label=_("届次会议"),
        empty_label=_("全部届次"),
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), label=_("答复单位"), empty_label=_("全部单位"),
    )
    # What waits to be printed unless the office asks for more (the page sends "signed"
    # when nothing is chosen: see replies.views.documents.printable_letters).
    state = django_filters.ChoiceFilter(
        choices=[
            (ReplyLetter.State.SIGNED, _("待印发（已签发）")),
            (ReplyLetter.State.ISSUED, ReplyLetter.State.ISSUED.label),
            ("all", _("已签发和已印发")),
        ],
        label=_("状态"), empty_label=None, method="filter_state",
    )
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("发文字号"))

    class Meta:
        model = ReplyLetter
        fields = ["session", "agency", "state", "number"]

    def filter_state(self, queryset, name, value):
        return queryset if value in ("", "all") else queryset.filter(state=value)


class InboxFilter(django_filters.FilterSet):
    """待办: narrow the agency's assignments by agency, role, urgency or words."""

    URGENCY = [("overdue", _("已逾期")), ("soon", _("即将到期"))]

    q = django_filters.CharFilter(method="filter_words", label=_("搜索"), max_length=100)
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.none(), label=_("承办单位"),
                                              empty_label=_("本人所在全部单位"))
    role = django_filters.ChoiceFilter(choices=Assignment.Role.choices, label=_("承办方式"),
                                       empty_label=_("全部"))
    urgency = django_filters.ChoiceFilter(choices=URGENCY, method="filter_urgency",
                                          label=_("期限"), empty_label=_("全部"))

    class Meta:
        model = Assignment
        fields = ["q", "agency", "role", "urgency"]

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.filters["agency"].queryset = Agency.objects.filter(pk__in=agency_ids(user))

    def filter_words(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(proposal__number__icontains=value) | Q(proposal__title__icontains=value))

    def filter_urgency(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(due_on__lt=self.today)
        if value == "soon":
            # Each session's own due_soon_days decides what counts as due soon.
            return queryset.filter(pk__in=Assignment.objects.due_soon(self.today).values("pk"))
        return queryset
