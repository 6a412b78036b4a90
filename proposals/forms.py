"""Forms of the liaison staff's pages: logging, reviewing, assigning and closing proposals.

Forms check what can be checked without the database (lengths, dates, required
fields); the services check the rest and their refusals are shown on the same form.
Rows (proposers, recommendations, assignments) are plain formsets whose order is the
order on the page; :func:`edit_rows` adds, removes and moves rows without saving.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.text import REASON_TEXT
from core.workflow import DomainError

from . import refusals
from .deadlines import UnknownCalendarYear
from .models import (
    Assignment,
    Category,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Satisfaction,
    Session,
    Signature,
    proposal_number_validator,
)

# The limits of the models' fields (core.text): the same wherever the text comes in.
BODY_MAX = Proposal._meta.get_field("body").max_length
REASON_MAX = REASON_TEXT
COMMENT_MAX = Feedback._meta.get_field("comment").max_length
MAX_PROPOSERS = 200
MAX_RECOMMENDATIONS = 99
MAX_ASSIGNMENTS = 30

TITLE_MAX = Proposal._meta.get_field("title").max_length
PROPOSER_NAME_MAX = Proposer._meta.get_field("name").max_length
RECOMMENDATION_TITLE_MAX = Recommendation._meta.get_field("title").max_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def reason_field(label=None, *, required=True, help_text=""):
    return forms.CharField(
        label=label or _("理由"), required=required, max_length=REASON_MAX, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def default_due_on(session: Session, role: str, assigned_on: datetime.date) -> datetime.date:
    """The session's default deadline: co-handlers answer the lead sooner than the lead replies.

    Raises ``UnknownCalendarYear`` when the session counts working days in a year whose
    official calendar is not known yet, and ``DomainError`` (on ``due_on``) when the date
    would fall past the last date there is.
    """
    try:
        return session.due_date_for(role, assigned_on).date
    except UnknownCalendarYear:
        raise
    except (ValueError, OverflowError) as error:
        raise DomainError(str(error) or refusals.DUE_OUT_OF_RANGE, field="due_on") from None


def due_rules_text(session: Session) -> str:
    """The session's assignment deadlines in words, for help texts."""
    return _("主办、分办单位为%(lead)s，会办单位为%(co)s") % {
        "lead": session.rule_text("lead"),
        "co": session.rule_text("co"),
    }


class Form(forms.Form):
    """A form whose too-long text says how long it may be, in words a user reads easily."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = _(
                    "最多%(limit_value)s个字，现在是%(show_value)s个字。"
                )


# ---------------------------------------------------------------- the proposal


class ProposalForm(Form):
    """提案: what is logged besides the proposers and recommendations."""

    session = forms.ModelChoiceField(
        label=_("届次会议"), queryset=Session.objects.all(), empty_label=None,
    )
    number = forms.CharField(
        label=_("提案号"), required=False, max_length=20, validators=[proposal_number_validator],
        help_text=_("留空则由系统按届次自动编号。"),
    )
    title = forms.CharField(
        label=_("案由"), max_length=TITLE_MAX,
        help_text=_("例如：关于充分发挥行业协会作用，为经济高质量发展贡献力量的建议"),
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(is_active=True), required=False,
        empty_label=_("（未分类）"),
    )
    submitted_on = date_field(_("提交日期"), required=False, help_text=_("留空为今天。"))
    is_key = forms.BooleanField(label=_("重点提案"), required=False)
    body = forms.CharField(
        label=_("提案内容"), required=False, max_length=BODY_MAX,
        help_text=_("可粘贴提案全文，系统会按编号（一、（一）1. 1、）识别各条建议，供您核对。"),
        widget=forms.Textarea(attrs={
            "rows": 12,
            "hx-post": reverse_lazy("proposals:split"),
            "hx-trigger": "paste delay:150ms",
            "hx-target": "#recommendations",
            "hx-swap": "outerHTML",
            "hx-vals": '{"mode": "paste"}',
        }),
    )

    # Logging: the form's one-time key, so that sending it twice logs one proposal.
    # Editing: the version it was loaded at, so that a save over someone else's is refused.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        if proposal is not None:
            del self.fields["submission_key"]
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = _("页面已过期，请重新打开后再保存。")
            # The session and number stay as logged.
            for name in ("session", "number"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["number"].help_text = ""
            self.fields["category"].queryset = Category.objects.filter(
                Q(is_active=True) | Q(pk=proposal.category_id)
            )
        else:
            del self.fields["version"]
            self.fields["submission_key"].initial = uuid.uuid4

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict:
        return {
            "version": proposal.version,
            "session": proposal.session_id,
            "number": proposal.number,
            "title": proposal.title,
            "category": proposal.category_id,
            "submitted_on": proposal.submitted_on,
            "is_key": proposal.is_key,
            "body": proposal.body,
        }


class ProposerRowForm(Form):
    name = forms.CharField(label=_("姓名或名称"), required=False, max_length=PROPOSER_NAME_MAX)
    kind = forms.ChoiceField(label=_("类型"), choices=Proposer.Kind.choices, initial=Proposer.Kind.MEMBER)


class BaseProposerFormSet(BaseFormSet):
    """提案者: the first row is the lead proposer (领衔), the others co-signers (附议)."""

    def clean(self):
        if any(self.errors):
            return
        if not self.items():
            raise ValidationError(_("请填写领衔提案者。"))

    def items(self) -> list[dict]:
        rows = [form.cleaned_data for form in self.forms if (form.cleaned_data.get("name") or "").strip()]
        return [
            {
                "name": row["name"].strip(),
                "kind": row["kind"],
                "role": Signature.Role.LEAD if i == 0 else Signature.Role.CO_SIGNER,
            }
            for i, row in enumerate(rows)
        ]


class RecommendationRowForm(Form):
    title = forms.CharField(
        label=_("标题"), required=False, max_length=RECOMMENDATION_TITLE_MAX,
        help_text=_("不含“关于”和“的建议”。"),
    )
    body = forms.CharField(
        label=_("内容"), required=False, max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if (data.get("body") or "").strip() and not (data.get("title") or "").strip():
            self.add_error("title", _("请填写这条建议的标题。"))
        return data


class BaseRecommendationFormSet(BaseFormSet):
    def items(self) -> list[dict]:
        return [
            {"title": form.cleaned_data["title"].strip(), "body": form.cleaned_data.get("body", "")}
            for form in self.forms
            if (form.cleaned_data.get("title") or "").strip()
        ]


ProposerFormSet = formset_factory(
    ProposerRowForm, formset=BaseProposerFormSet, extra=0, max_num=MAX_PROPOSERS,
    validate_max=True, absolute_max=MAX_PROPOSERS,
)
RecommendationFormSet = formset_factory(
    RecommendationRowForm, formset=BaseRecommendationFormSet, extra=0,
    max_num=MAX_RECOMMENDATIONS, validate_max=True, absolute_max=MAX_RECOMMENDATIONS,
)


def proposer_rows(proposal: Proposal) -> list[dict]:
    signatures = sorted(
        proposal.signatures.select_related("proposer"),
        key=lambda s: (s.role != Signature.Role.LEAD, s.position, s.pk),
    )
    return [{"name": s.proposer.name, "kind": s.proposer.kind} for s in signatures]


def recommendation_rows(proposal: Proposal) -> list[dict]:
    return [{"title": r.title, "body": r.body} for r in proposal.recommendations.order_by("ordinal")]


# ---------------------------------------------------------------- assignment (交办)


class AssignmentRowForm(Form):
    agency = forms.ModelChoiceField(
        label=_("承办单位"), queryset=Agency.objects.active(), required=False,
        empty_label=_("（选择单位）"),
    )
    role = forms.ChoiceField(label=_("承办方式"), choices=Assignment.Role.choices,
                             initial=Assignment.Role.CO)
    assigned_on = date_field(_("交办日期"), required=False)
    due_on = date_field(_("办理期限"), required=False)

    def clean(self):
        data = super().clean()
        assigned_on, due_on = data.get("assigned_on"), data.get("due_on")
        if data.get("agency") and assigned_on and due_on and due_on < assigned_on:
            self.add_error("due_on", refusals.DUE_BEFORE_ASSIGNED)
        return data


class BaseAssignmentFormSet(BaseFormSet):
    """交办: one row per agency; a blank date takes today, a blank deadline the session's default."""

    def clean(self):
        if any(self.errors):
            return
        agencies = [form.cleaned_data["agency"] for form in self.forms if form.cleaned_data.get("agency")]
        if not agencies:
            raise ValidationError(refusals.NO_AGENCY)
        if len({agency.pk for agency in agencies}) != len(agencies):
            raise ValidationError(refusals.AGENCY_TWICE)

    def items(self, session: Session, today: datetime.date) -> list[dict]:
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if not data.get("agency"):
                continue
            assigned_on = data.get("assigned_on") or today
            items.append({
                "agency": data["agency"],
                "role": data["role"],
                "assigned_on": assigned_on,
                "due_on": data.get("due_on") or default_due_on(session, data["role"], assigned_on),
            })
        return items


AssignmentFormSet = formset_factory(
    AssignmentRowForm, formset=BaseAssignmentFormSet, extra=0, max_num=MAX_ASSIGNMENTS,
    validate_max=True, absolute_max=MAX_ASSIGNMENTS,
)


def initial_assignment_rows(today: datetime.date) -> list[dict]:
    return [
        {"role": Assignment.Role.LEAD, "assigned_on": today},
        {"role": Assignment.Role.CO, "assigned_on": today},
        {"role": Assignment.Role.CO, "assigned_on": today},
    ]


class AssignmentAddForm(Form):
    """增加承办单位 to a proposal already being handled."""

    agency = forms.ModelChoiceField(
        label=_("承办单位"), queryset=Agency.objects.none(), empty_label=_("（选择单位）"),
    )
    role = forms.ChoiceField(label=_("承办方式"), choices=Assignment.Role.choices,
                             initial=Assignment.Role.CO)
    assigned_on = date_field(_("交办日期"))
    due_on = date_field(_("办理期限"), required=False)
    reason = reason_field(help_text=refusals.REASON_FOR_ADDED_AGENCY)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["agency"].queryset = Agency.objects.active().exclude(
            assignments__proposal=proposal
        )
        self.fields["due_on"].help_text = _(
            "留空则按本届规定自动计算：%(rules)s（工作日按国家法定节假日和调休安排计算，交办当日不计）。"
        ) % {"rules": due_rules_text(proposal.session)}

    def clean(self):
        data = super().clean()
        assigned_on, due_on = data.get("assigned_on"), data.get("due_on")
        if assigned_on and due_on and due_on < assigned_on:
            self.add_error("due_on", refusals.DUE_BEFORE_ASSIGNED)
        if assigned_on and not due_on and data.get("role"):
            try:
                default_due_on(self.proposal.session, data["role"], assigned_on)
            except UnknownCalendarYear as error:
                self.add_error("due_on", refusals.ENTER_DUE_DATE % {"error": error})
            except DomainError as error:
                self.add_error("due_on", error.message)
        return data

    def due_on_value(self) -> datetime.date:
        data = self.cleaned_data
        return data.get("due_on") or default_due_on(self.proposal.session, data["role"], data["assigned_on"])


class AssignmentDueForm(Form):
    """调整办理期限: change or extend an assignment's deadline."""

    due_on = date_field(_("新的办理期限"))
    reason = reason_field(help_text=_("例如：承办单位申请延期，经同意延期至……"))
    # The assignment's version when the page was loaded (core.concurrency).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                 error_messages={"required": _("页面已过期，请重新打开后再保存。")})


# ---------------------------------------------------------------- review, feedback, closing


class ReasonForm(Form):
    reason = reason_field()

    def __init__(self, *args, reason_required: bool = True, reason_label=None, reason_help="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = reason_required
        if reason_label:
            field.label = reason_label
        field.help_text = reason_help


class FeedbackForm(Form):
    """征询意见表: the proposer's view of the handling and of the result."""

    handling = forms.ChoiceField(label=_("对办理工作"), choices=Satisfaction.choices,
                                 widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("对办理结果"), choices=Satisfaction.choices,
                               widget=forms.RadioSelect)
    received_on = date_field(_("收到日期"))
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proposer = forms.ModelChoiceField(
        label=_("填表的提案者"), queryset=Proposer.objects.none(), required=False,
        empty_label=_("（不指明）"), help_text=_("联名提案的各位提案者分别评价时，请指明是谁的意见表。"),
    )
    # How many forms of this round were recorded when the page was loaded (core.concurrency).
    recorded = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                  error_messages={"required": _("页面已过期，请重新打开后再保存。")})

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None:
            self.fields["proposer"].queryset = Proposer.objects.filter(signatures__proposal=proposal)

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise ValidationError(refusals.RECEIVED_IN_THE_FUTURE)
        return value


# ---------------------------------------------------------------- editing rows without saving

ROW_BLOCKS = {
    # prefix: (fields, blank row, most rows)
    "proposers": (("name", "kind"), {"name": "", "kind": Proposer.Kind.MEMBER}, MAX_PROPOSERS),
    "recommendations": (("title", "body"), {"title": "", "body": ""}, MAX_RECOMMENDATIONS),
    "assignments": (
        ("agency", "role", "assigned_on", "due_on"),
        {"agency": "", "role": Assignment.Role.CO, "assigned_on": "", "due_on": ""},
        MAX_ASSIGNMENTS,
    ),
}
ROW_OPS = ("add", "remove", "up", "down")


def raw_rows(data, prefix: str) -> list[dict]:
    """The rows of a submitted formset, as typed (not validated)."""
    fields, _blank, most = ROW_BLOCKS[prefix]
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    total = max(0, min(total, most))
    return [{name: data.get(f"{prefix}-{i}-{name}", "") for name in fields} for i in range(total)]


def parse_op(value: str) -> tuple[str, str, int] | None:
    """``"recommendations:up:2"`` → ("recommendations", "up", 2); None if malformed."""
    parts = (value or "").split(":")
    if len(parts) == 2:
        parts.append("0")
    if len(parts) != 3 or parts[0] not in ROW_BLOCKS or parts[1] not in (*ROW_OPS, "split"):
        return None
    try:
        index = int(parts[2])
    except ValueError:
        return None
    return parts[0], parts[1], index


def edit_rows(rows: list[dict], prefix: str, op: str, index: int, data=None) -> list[dict]:
    """Rows after adding one at the end, or removing or moving row ``index``.

    Rows added after an assignment row take that row's assigned date, for convenience.
    """
    _fields, blank, most = ROW_BLOCKS[prefix]
    rows = [dict(row) for row in rows]
    if op == "add" and len(rows) < most:
        row = dict(blank)
        if prefix == "assignments" and rows:
            row["assigned_on"] = rows[-1].get("assigned_on", "")
        rows.append(row)
    elif op == "remove" and 0 <= index < len(rows):
        del rows[index]
    elif op == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif op == "down" and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    if not rows:
        rows.append(dict(blank))
    return rows


FORMSETS = {
    "proposers": ProposerFormSet,
    "recommendations": RecommendationFormSet,
    "assignments": AssignmentFormSet,
}


def formset_from_rows(prefix: str, rows: list[dict]):
    """An unbound formset showing ``rows``: what the user typed, without error messages."""
    return FORMSETS[prefix](prefix=prefix, initial=rows or [dict(ROW_BLOCKS[prefix][1])])


def form_values(form: forms.Form, data) -> dict:
    """What the user typed into ``form``'s fields, to show again in an unbound form."""
    values = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        if isinstance(field, forms.BooleanField):
            values[name] = data.get(name) in ("on", "true", "1", "True")
        else:
            values[name] = data.get(name, "")
    return values
