"""Filters for the lists of reply letters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from proposals.models import Session

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
    state = django_filters.ChoiceFilter(
        choices=[
            (ReplyLetter.State.SIGNED, ReplyLetter.State.SIGNED.label),
            (ReplyLetter.State.ISSUED, ReplyLetter.State.ISSUED.label),
        ],
        label=_("状态"), empty_label=_("已签发和已印发"),
    )
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("发文字号"))

    class Meta:
        model = ReplyLetter
        fields = ["session", "agency", "state", "number"]
