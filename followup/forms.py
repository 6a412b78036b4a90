"""Forms of the follow-up: a progress report, and the list's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from proposals.forms import Form
from proposals.models import Session

from .models import Progress
from .rules import REPORT_MAX


class ReportForm(Form):
    status = forms.ChoiceField(label=_("落实情况"), choices=Progress.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择落实情况。"),
                                               "invalid_choice": _("请选择落实情况。")})
    text = forms.CharField(label=_("进展情况"), max_length=REPORT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("已经做了什么、还差什么、下一步安排。"),
                           error_messages={"required": _("请填写进展情况。")})
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": _("页面已过期，请重新打开后再报告。"), "invalid": _("页面已过期，请重新打开后再报告。")})


class ListFilter(forms.Form):
    STATES = [("open", _("尚未落实（部分落实、未落实、未报告）")), ("overdue", _("已逾期")), ("kept", _("已落实")),
              ("all", _("全部"))]
    session = forms.ModelChoiceField(label=_("届次会议"), queryset=Session.objects.all(), required=False,
                                     empty_label=_("全部届次"))
    agency = forms.ModelChoiceField(label=_("承办单位"), queryset=Agency.objects.filter(is_active=True),
                                    required=False, empty_label=_("全部单位"))
    state = forms.ChoiceField(label=_("落实情况"), choices=STATES, required=False)
