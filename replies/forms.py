"""Forms of the reply-letter pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from proposals.models import Session

from .models import PrintJob


class PrintJobForm(forms.Form):
    """批量打印: which letters, in which file, with or without the seal."""

    session = forms.ModelChoiceField(
        label=_("届次会议"), queryset=Session.objects.all(), empty_label=None,
    )
    agency = forms.ModelChoiceField(
        label=_("答复单位"), queryset=Agency.objects.all(), required=False,
        empty_label=_("全部单位"),
    )
    format = forms.ChoiceField(
        label=_("文件格式"), choices=PrintJob.Format.choices, initial=PrintJob.Format.PDF,
        widget=forms.RadioSelect,
    )
    seal = forms.TypedChoiceField(
        label=_("印章"), choices=[("1", _("加盖印章")), ("0", _("不加印章（手工盖章）"))],
        coerce=lambda value: value == "1", initial="1", widget=forms.RadioSelect,
    )
