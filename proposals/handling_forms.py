"""Forms of the handling requests: 延期申请 (a later due date) and 退办申请 (release from an
assignment), and the liaison staff's decisions on them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.text import COMMENT_TEXT
from core.workflow import DomainError

from . import refusals
from .deadlines import UnknownCalendarYear
from .forms import Form, date_field, default_due_on, due_rules_text, reason_field
from .models import Contact

# ---------------------------------------------------------------- extension requests (延期申请)


class ExtensionRequestForm(Form):
    """延期申请: the later date an agency asks for, and why."""

    due_on = date_field(_("申请延期至"))
    reason = reason_field(_("延期理由"), help_text=_("说明需要延期的原因，例如需要等待的审批或协调事项。"))


class ExtensionDecisionForm(Form):
    """批准或不批准延期; the approved date may differ from the one asked for."""

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审批结果"), widget=forms.RadioSelect,
        choices=[(APPROVE, _("批准延期")), (REJECT, _("不批准"))],
    )
    due_on = date_field(_("批准延期至"), required=False,
                        help_text=_("默认为申请的日期，可改为其他日期。"))
    note = reason_field(_("审批意见"), required=False, help_text=_("不批准时必须填写。"))


# ---------------------------------------------------------------- release requests (退办申请)


class ReleaseRequestForm(Form):
    """退办申请: why the proposal is not the agency's business, and who should handle it."""

    reason = reason_field(_("退办理由"), help_text=_("说明本提案为什么不属于本单位职责，例如相关职能已划转的文件依据。"))
    suggested_agency = forms.ModelChoiceField(
        label=_("建议承办单位"), queryset=Agency.objects.none(), required=False,
        empty_label=_("（不清楚）"), help_text=_("建议提案委改交哪个单位办理。"),
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_agency"].queryset = Agency.objects.active().exclude(pk=agency.pk)


class ReleaseDecisionForm(Form):
    """同意退办 (and reassign) or 不同意退办."""

    APPROVE, REFUSE = "approve", "refuse"
    decision = forms.ChoiceField(
        label=_("审批结果"), widget=forms.RadioSelect,
        choices=[(APPROVE, _("同意退办")), (REFUSE, _("不同意退办"))],
    )
    agency = forms.ModelChoiceField(
        label=_("改办至"), queryset=Agency.objects.none(), required=False,
        empty_label=_("（不改办）"),
        help_text=_("同意退办时，提案按原承办方式改交这个单位办理；退办的是主办单位时必须选择。"),
    )
    assigned_on = date_field(_("改办交办日期"), required=False)
    due_on = date_field(_("改办办理期限"), required=False)
    note = reason_field(_("审批意见"), required=False, help_text=_("不同意退办时必须填写。"))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.release = request
        proposal = request.proposal
        self.fields["agency"].queryset = Agency.objects.active().exclude(
            assignments__proposal=proposal).exclude(pk=request.agency_id)
        self.fields["due_on"].help_text = _(
            "留空则按本届规定自动计算：%(rules)s。") % {"rules": due_rules_text(proposal.session)}

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE and data.get("agency"):
            assigned_on, due_on = data.get("assigned_on"), data.get("due_on")
            if assigned_on and due_on and due_on < assigned_on:
                self.add_error("due_on", refusals.DUE_BEFORE_ASSIGNED)
            if not due_on:
                try:
                    default_due_on(self.release.proposal.session, self.release.role,
                                   assigned_on or self.release_today())
                except UnknownCalendarYear as error:
                    self.add_error("due_on", refusals.ENTER_DUE_DATE % {"error": error})
                except DomainError as error:
                    self.add_error("due_on", error.message)
        return data

    @staticmethod
    def release_today():
        from .services import common

        return common.today()


# ---------------------------------------------------------------- contacts (沟通)


class ContactForm(Form):
    """登记沟通: when, how, who took part, what was said."""

    contacted_on = date_field(_("沟通日期"))
    way = forms.ChoiceField(label=_("沟通方式"), choices=Contact.Way.choices)
    participants = forms.CharField(
        label=_("参加人员"), max_length=200,
        help_text=_("例如：提案者张某某委员；市民政局副局长李某某、养老服务科科长王某某。"),
    )
    note = forms.CharField(
        label=_("沟通情况"), required=False, max_length=COMMENT_TEXT, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("简要记录提案者的意见和本单位的说明。"),
    )
    agency = forms.ModelChoiceField(label=_("承办单位"), queryset=Agency.objects.none())

    def __init__(self, *args, agencies: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.only = agencies[0] if len(agencies) == 1 else None
        if self.only is not None:  # the user's one agency: nothing to choose
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()

    def clean_agency(self):
        return self.cleaned_data.get("agency") or self.only


# ---------------------------------------------------------------- attachments (附件)


class AttachmentForm(Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、JPEG或PNG图片、Word文件，不超过规定大小。"))
