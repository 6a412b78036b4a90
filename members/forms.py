"""The proposer side's forms: writing a proposal, inviting, rating; and the liaison staff's
account forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.forms import BODY_MAX, COMMENT_MAX, Form, date_field
from proposals.models import Category, Proposer, Satisfaction, Session

from .models import OnlineProposal

TITLE_MAX = OnlineProposal._meta.get_field("title").max_length


def recommendations_text(items) -> str:
    """The saved recommendations written back as numbered text (一、标题\\n内容)."""
    from replies.composition import chinese_ordinal

    blocks = []
    for n, item in enumerate(items, start=1):
        block = f"{chinese_ordinal(n)}、{item.get('title', '')}"
        if item.get("body"):
            block += "\n" + item["body"]
        blocks.append(block)
    return "\n".join(blocks)


class OnlineProposalForm(Form):
    session = forms.ModelChoiceField(label=_("届次会议"), queryset=Session.objects.none(), empty_label=None)
    title = forms.CharField(label=_("案由"), max_length=TITLE_MAX,
                            help_text=_("例如“关于推进社区嵌入式养老服务设施建设的建议”。"))
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(is_active=True),
                                      required=False, empty_label=_("（请选择）"))
    body = forms.CharField(label=_("提案内容"), required=False, max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("情况分析和存在的问题。"))
    recommendations = forms.CharField(
        label=_("建议"), required=False, max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每条建议另起一行，以“一、”“二、”（或“1.”“2.”）开头，标题后可接内容。"
                    "保存后系统逐条识别，请核对。留空时从提案内容中识别。"))
    cosign_deadline = date_field(_("联名截止日期"), required=False,
                                 help_text=_("邀请联名须设定；受邀者须在此日（含）前确认。"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(submission_opens_on__isnull=False)

    def _clean_fields(self):
        super()._clean_fields()
        if "version" in self.errors:  # a hidden field: say it where it is read
            del self.errors["version"]
            self.add_error(None, _("页面已过期，请重新打开后再保存。"))


class InviteForm(Form):
    name = forms.CharField(label=_("受邀提案者姓名或名称"), max_length=100)


class RatingForm(Form):
    handling = forms.ChoiceField(label=_("对办理工作"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("对办理结果"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("选择“不满意”时请写明意见。"))


class AttachmentForm(Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、图片（JPEG、PNG）或 Word 文档。"))


class AccountForm(Form):
    username = forms.CharField(label=_("登录名"), max_length=150)
    name = forms.CharField(label=_("提案者姓名或名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Proposer.Kind.choices)
    display_name = forms.CharField(label=_("使用人姓名"), max_length=150, required=False,
                                   help_text=_("党派、团体等的账号，填写实际使用的人。"))
    sector = forms.CharField(label=_("界别"), max_length=50, required=False)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False),
                               min_length=8, max_length=128)


class ImportForm(Form):
    file = forms.FileField(label=_("Excel 文件"), help_text=_("第一行为表头：姓名、界别、手机、电子邮箱（可加登录名、类型）。"))
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=False),
                               min_length=8, max_length=128, help_text=_("导入的账号都用此密码，首次登录后请修改。"))


