"""Forms of the reply-letter pages."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.text import CC_TEXT, LONG_TEXT, REASON_TEXT
from followup.rules import LONGEST_YEARS, WHAT_MAX, needs_commitment
from proposals.models import Session

from .composition import OTHER_CLASS_NEEDS_REASON
from .models import AdoptionStatus, Disclosure, PrintJob, ReplyLetter, Section


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
    scope = forms.TypedChoiceField(
        label=_("范围"), choices=[("unprinted", _("仅待印发的（已签发、未印发）")), ("all", _("全部已签发和已印发的"))],
        coerce=lambda value: value == "unprinted", initial="unprinted", widget=forms.RadioSelect,
        required=False, empty_value=False,
    )


# ---------------------------------------------------------------- the agency pages

# The longest text a section or a letter's opening may have; longer input is refused.
TEXT_LIMIT = Section._meta.get_field("body").max_length

TOO_LONG = _("内容过长：最多%(limit_value)d个字，现有%(show_value)d个字。")


def _text(value: str) -> str:
    """Paragraphs as typed, with the browser's line endings made plain newlines."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _years_later(day, years: int):
    """The same day ``years`` later (28 February for a 29 February without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class SectionForm(forms.Form):
    """办理意见: the adoption status and the text, paragraphs separated by new lines."""

    adoption = forms.ModelChoiceField(
        label=_("采纳情况"), queryset=AdoptionStatus.objects.none(), empty_label=_("请选择"),
        error_messages={"required": _("请选择采纳情况。"),
                        "invalid_choice": _("所选采纳情况不存在或已停用，请重新选择。")},
    )
    body = forms.CharField(
        label=_("办理意见"), required=False, max_length=TEXT_LIMIT, strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("每段另起一行；答复函中每段首行缩进两字。"),
        error_messages={"max_length": TOO_LONG},
    )
    commitment_what = forms.CharField(
        label=_("承诺事项"), required=False, max_length=WHAT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“正在落实”或“列入计划”时必填：写明将做什么。提案委将据此回头看。"),
        error_messages={"max_length": TOO_LONG},
    )
    commitment_due = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("承诺何时完成。"),
        error_messages={"invalid": _("请填写有效的日期，例如2024-12-31。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, section: Section | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        stored = getattr(section, "commitment", None) if section is not None else None
        # A date already promised may have passed: revising the section does not force a new one.
        self._stored_due = stored.due_on if stored is not None else None
        active = Q(is_active=True)
        if section is not None and section.adoption_id:
            active |= Q(pk=section.adoption_id)  # a status retired since keeps showing
        self.fields["adoption"].queryset = AdoptionStatus.objects.filter(active)
        if section is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = _("页面已过期，请重新打开后再保存。")

    def clean_body(self) -> str:
        return _text(self.cleaned_data.get("body", ""))

    def clean(self):
        cleaned = super().clean()
        adoption = cleaned.get("adoption")
        what = _text(cleaned.get("commitment_what") or "").strip()
        due = cleaned.get("commitment_due")
        if adoption is None or not needs_commitment(adoption):
            cleaned["commitment"] = None
            if adoption is not None and (what or due):
                self.add_error("commitment_what", _(
                    "“%(adoption)s”不带承诺事项：请清空承诺事项和完成时限，或改选“正在落实”“列入计划”。")
                    % {"adoption": adoption.label})
            return cleaned
        if not what:
            self.add_error("commitment_what", _("“%(adoption)s”须写明承诺事项。") % {"adoption": adoption.label})
        if due is None and "commitment_due" not in self.errors:
            self.add_error("commitment_due", _("请填写完成时限。"))
        elif due is not None and due != self._stored_due:
            today = timezone.localdate()
            if due < today:
                self.add_error("commitment_due", _("完成时限不能早于今天。"))
            elif due > _years_later(today, LONGEST_YEARS):
                self.add_error("commitment_due", _("完成时限不能超过五年。"))
        cleaned["commitment"] = (what, due) if what and due else None
        return cleaned

    def commitment(self):
        """(what, due_on) for the services, or None."""
        return self.cleaned_data.get("commitment")


class ReasonForm(forms.Form):
    """The reason a move needs: returning, reopening or voiding."""

    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写理由。"), "max_length": TOO_LONG},
    )


def split_names(text: str) -> list[str]:
    """抄送: one name a line, or names separated by 、 (or commas)."""
    names = []
    for chunk in re.split(r"[\n、,，;；]+", _text(text)):
        chunk = chunk.strip()
        if chunk and chunk not in names:
            names.append(chunk)
    return names


def _limit(model_field: str) -> int:
    return ReplyLetter._meta.get_field(model_field).max_length


class LetterForm(forms.Form):
    """The wording of a draft letter; the parts come from the sections."""

    title = forms.CharField(label=_("标题"), max_length=_limit("title"),
                            error_messages={"max_length": TOO_LONG, "required": _("请填写标题。")})
    addressee = forms.CharField(
        label=_("主送"), max_length=_limit("addressee"),
        error_messages={"max_length": TOO_LONG, "required": _("请填写主送对象。")},
    )
    opening = forms.CharField(
        label=_("开头"), required=False, max_length=TEXT_LIMIT, strip=False,
        widget=forms.Textarea(attrs={"rows": 4}), error_messages={"max_length": TOO_LONG},
        help_text=_("已按会办单位填入“经综合……意见”，可修改。"),
    )
    closing = forms.CharField(label=_("结语"), required=False, max_length=_limit("closing"),
                              error_messages={"max_length": TOO_LONG})
    signatory = forms.CharField(
        label=_("署名"), max_length=_limit("signatory"),
        error_messages={"max_length": TOO_LONG, "required": _("请填写署名。")},
    )
    note = forms.CharField(label=_("附注"), required=False, max_length=_limit("note"),
                           error_messages={"max_length": TOO_LONG},
                           help_text=_("例如：联系人及电话：何少荣，18824982023"))
    disclosure = forms.ChoiceField(label=_("公开方式"), choices=Disclosure.choices,
                                   widget=forms.RadioSelect)
    cc = forms.CharField(
        label=_("抄送"), required=False, max_length=CC_TEXT, strip=False,
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"max_length": TOO_LONG},
        help_text=_("每行一个单位，或用“、”分隔。"),
    )
    issued_by = forms.CharField(label=_("印发机关"), required=False, max_length=_limit("issued_by"),
                                error_messages={"max_length": TOO_LONG})
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _("页面已过期，请重新打开后再保存。")},
    )

    @classmethod
    def initial_for(cls, letter: ReplyLetter) -> dict:
        initial = {name: getattr(letter, name) for name in cls.base_fields if name != "cc"}
        initial["cc"] = "\n".join(letter.cc)
        return initial

    def clean_opening(self) -> str:
        return _text(self.cleaned_data.get("opening", ""))

    def clean_cc(self) -> list[str]:
        names = split_names(self.cleaned_data.get("cc", ""))
        too_long = [n for n in names if len(n) > 50]
        if too_long:
            raise forms.ValidationError(
                _("抄送单位名称过长：%(name)s。"), params={"name": too_long[0][:20] + "…"}
            )
        return names

    def letter_fields(self) -> dict:
        """The cleaned values, as ``letter_update`` takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LetterClassForm(forms.Form):
    """分类: the letter's class; one other than the suggested class needs a reason."""

    klass = forms.ChoiceField(label=_("分类"), choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("所选分类与建议分类不同时必须填写。"), error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args, suggested: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        labels = settings.LETTER_CLASS_LABELS
        self.fields["klass"].choices = [
            (c, labels.get(c, _("%(c)s类") % {"c": c})) for c in settings.LETTER_CLASSES
        ]

    def clean(self):
        data = super().clean()
        klass, reason = data.get("klass"), (data.get("reason") or "").strip()
        if klass and self.suggested and klass != self.suggested and not reason:
            self.add_error("reason", str(OTHER_CLASS_NEEDS_REASON) % {"k": klass, "s": self.suggested})
        return data


class SignForm(forms.Form):
    """签发: the date of the letter, today unless the approver says otherwise."""

    signed_on = forms.DateField(
        label=_("成文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写成文日期。"), "invalid": _("请填写有效的日期。")},
    )
    comment = forms.CharField(
        label=_("签发意见"), required=False, max_length=REASON_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}), error_messages={"max_length": TOO_LONG},
        help_text=_("选填，记入办理记录。"),
    )


class MoveForm(forms.Form):
    """Move a section one place up or down in the letter."""

    section = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", _("上移")), ("down", _("下移"))])


class ParagraphForm(forms.Form):
    """One paragraph of a part's wording and the sections it came from."""

    text = forms.CharField(label=_("段落"), required=False, max_length=LONG_TEXT,
                           widget=forms.Textarea(attrs={"rows": 4}))
    sources = forms.TypedMultipleChoiceField(label=_("来源"), required=False, coerce=int,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].choices = list(sources)


ParagraphFormSet = forms.formset_factory(ParagraphForm, extra=1, max_num=200, validate_max=True,
                                         absolute_max=200)


class WordingVersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                 error_messages={"required": _("页面已过期，请重新打开后再保存。")})


class LetterAttachmentForm(forms.Form):
    title = forms.CharField(label=_("附件名称"), max_length=100, required=False,
                            help_text=_("印在附件说明中；留空则用文件名。名称后不加标点。"))
    file = forms.FileField(label=_("文件"), help_text=_("PDF或JPEG、PNG图片，印在答复函之后，每个附件另起一页。"))
