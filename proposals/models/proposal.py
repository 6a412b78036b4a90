"""Proposals (提案): their states and moves, proposers' signatures and recommendations."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import LONG_TEXT
from core.workflow import DomainError, Move, Workflow

from .sessions import Category, Proposer, Session, proposal_number_validator


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals ``user`` may see: all for liaison and office staff; for agency staff,
        those assigned to one of their agencies; none for anyone else."""
        from core.roles import agency_ids, is_liaison, is_office

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user) or is_office(user):
            return self
        assignments = self.model._meta.get_field("assignments").related_model
        return self.filter(
            models.Exists(assignments.objects.filter(
                proposal=models.OuterRef("pk"), agency_id__in=agency_ids(user)
            ))
        )

    def with_details(self):
        return self.select_related("session", "category").prefetch_related(
            "signatures__proposer", "recommendations", "assignments__agency"
        )


class ProposalState(models.TextChoices):
    """A proposal's states, in the order of the workflow (the list sorts by it)."""

    SUBMITTED = "submitted", _("待审查")
    REGISTERED = "registered", _("已立案")
    CONVERTED = "converted", pgettext_lazy("proposal state", "转为意见建议")
    WITHDRAWN = "withdrawn", _("已撤案")
    ASSIGNED = "assigned", _("已交办")
    REPLIED = "replied", _("已答复")
    REOPENED = "reopened", pgettext_lazy("proposal state", "重新办理")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并案")


# Being handled (办理中): the agencies are answering.
HANDLING_STATES = (ProposalState.ASSIGNED, ProposalState.REOPENED)

# A proposal's state as its place in the workflow: the list's sort by state, and an index.
STATE_ORDER = models.Case(
    *(models.When(state=state, then=models.Value(i)) for i, state in enumerate(ProposalState.values)),
    output_field=models.IntegerField(),
)
# The earliest due date, latest first with the proposals that have none at the end: the
# list's sort, and an index (SQLite cannot index NULLS LAST).
DUE_LATEST_FIRST = Coalesce(
    "earliest_due_on", models.Value(datetime.date.min), output_field=models.DateField()
).desc()


class Proposal(Workflow, models.Model):
    """提案: one issue raised by a proposer, answered recommendation by recommendation."""

    State = ProposalState

    MOVES = {
        "register": Move([State.SUBMITTED], State.REGISTERED, _("立案")),
        "convert": Move([State.SUBMITTED], State.CONVERTED, _("转为意见建议")),
        "withdraw": Move([State.SUBMITTED], State.WITHDRAWN, _("撤案")),
        "assign": Move([State.REGISTERED], State.ASSIGNED, _("交办")),
        "reply": Move([State.ASSIGNED, State.REOPENED], State.REPLIED, _("答复")),
        "close": Move([State.REPLIED], State.CLOSED, _("办结")),
        "reopen": Move([State.REPLIED, State.CLOSED], State.REOPENED, _("重新办理")),
        "merge": Move([State.SUBMITTED, State.REGISTERED], State.MERGED, _("并案")),
    }
    # What else only some states allow, and the one text that refuses it (services) or
    # warns of it (pages, admin): see core.workflow.Workflow.
    STATE_RULES = {
        "attach": ([State.SUBMITTED, State.REGISTERED, *HANDLING_STATES, State.REPLIED],
                   _("提案当前状态为“%(state)s”，不能再增删附件。")),
        "edit": ([State.SUBMITTED, State.REGISTERED],
                 _("提案当前状态为“%(state)s”，只有待审查或已立案的提案可以修改内容。")),
        "add_assignment": (HANDLING_STATES,
                           _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以增加承办单位。")),
        "change_due": (HANDLING_STATES,
                       _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以调整办理期限。")),
        "remove_assignment": (HANDLING_STATES, _("提案当前状态为“%(state)s”，不能撤回交办。")),
        "change_assignments": (HANDLING_STATES,
                               _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以调整交办。")),
        "request_extension": (HANDLING_STATES,
                              _("提案当前状态为“%(state)s”，只有办理中的提案可以申请延期。")),
        "record_contact": (HANDLING_STATES,
                           _("提案当前状态为“%(state)s”，只有办理中的提案可以登记沟通情况。")),
        "request_release": (HANDLING_STATES,
                            _("提案当前状态为“%(state)s”，只有办理中的提案可以申请退办。")),
        "feedback": ([State.REPLIED], _("提案当前状态为“%(state)s”，只有已答复的提案可以登记反馈。")),
    }

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("届次会议")
    )
    number = models.CharField(_("提案号"), max_length=20, validators=[proposal_number_validator])
    # The session's year, kept here so that the list sorts every session by an index.
    session_year = models.PositiveSmallIntegerField(_("年度"), null=True, editable=False)
    title = models.CharField(_("案由"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("类别"),
    )
    body = models.TextField(_("提案内容"), blank=True, max_length=LONG_TEXT)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    is_key = models.BooleanField(_("重点提案"), default=False)
    # Kept by proposals.answers.refresh from the assignments; None before assignment.
    earliest_due_on = models.DateField(_("最早办理期限"), null=True, blank=True, editable=False)
    # Likewise: the earliest due date of the assignments not answered this round (None when
    # every agency has answered). Being handled with this date past is being overdue.
    unanswered_due_on = models.DateField(_("未答复的最早办理期限"), null=True, blank=True, editable=False)
    round = models.PositiveSmallIntegerField(
        _("办理轮次"), default=1, help_text=_("重新办理后加一。")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_proposals",
        verbose_name=_("并入提案"), help_text=_("并案后由该提案一并办理。"),
    )
    proposers = models.ManyToManyField(
        Proposer, through="Signature", related_name="proposals", verbose_name=_("提案者")
    )
    # Raised by every change of what was logged (text, proposers, recommendations, category,
    # key proposal), so that a save made from an older page is refused (core.concurrency).
    version = models.PositiveIntegerField(_("版本"), default=1)
    # The one-time key of the form it was logged from: the same form sent twice (a double
    # click, a retry after an error page) logs one proposal, not two.
    submission_key = models.UUIDField(_("提交标识"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-session__year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="proposal_unique_number"),
        ]
        # The list's filters within a session, in the order of its default sort.
        indexes = [
            models.Index(fields=["session", "state", "number"], name="proposal_session_state"),
            models.Index(fields=["session", "category", "number"], name="proposal_session_category"),
            models.Index(fields=["session", "submitted_on", "number"], name="proposal_session_submitted"),
            models.Index(fields=["session", "number"], condition=models.Q(is_key=True),
                         name="proposal_session_key"),
            # the list's sorts by state and by due date, either way
            models.Index(models.F("session"), STATE_ORDER, models.F("number"),
                         name="proposal_session_state_order"),
            models.Index(models.F("session"), STATE_ORDER.desc(), models.F("number"),
                         name="proposal_session_state_desc"),
            models.Index(fields=["session", "earliest_due_on", "number"], name="proposal_session_due"),
            # the overdue filter: proposals being handled, by the due date they are waiting on
            models.Index(fields=["session", "unanswered_due_on"], condition=models.Q(state__in=HANDLING_STATES),
                         name="proposal_session_overdue"),
            models.Index(models.F("session"), DUE_LATEST_FIRST, models.F("number"),
                         name="proposal_session_due_desc"),
            # the same sorts over every session
            models.Index(fields=["session_year", "number"], name="proposal_year_number"),
            models.Index(fields=["submitted_on", "number"], name="proposal_submitted"),
            models.Index(STATE_ORDER, models.F("number"), name="proposal_state_order"),
            models.Index(STATE_ORDER.desc(), models.F("number"), name="proposal_state_desc"),
            models.Index(fields=["earliest_due_on", "number"], name="proposal_due"),
            models.Index(DUE_LATEST_FIRST, models.F("number"), name="proposal_due_desc"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}号 {self.title}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.session_id is not None:
            self.session_year = self.session.year
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.submitted_on and self.session_id:
            try:
                self.session.check_date(self.submitted_on, _("提交日期"))
            except DomainError as error:
                raise ValidationError({"submitted_on": error.message}) from None
        if self.number and self.session_id:
            clash = Proposal.objects.filter(
                session__committee=self.session.committee, number=self.number
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"number": _("提案号 %(number)s 在本委员会已被使用。") % {"number": self.number}}
                )

    @property
    def lead_signature(self):
        for signature in self.signatures.all():
            if signature.role == Signature.Role.LEAD:
                return signature
        return None

    @property
    def lead_proposer(self):
        signature = self.lead_signature
        return signature.proposer if signature else None


class Signature(models.Model):
    """A proposer's name on a proposal: the lead proposer, or a co-signer (附议)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("领衔")
        CO_SIGNER = "co-signer", _("附议")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("提案")
    )
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("提案者")
    )
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.LEAD)
    position = models.PositiveSmallIntegerField(_("排序"), default=1)

    class Meta:
        verbose_name = _("提案者署名")
        verbose_name_plural = _("提案者署名")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "proposer"], name="signature_unique"),
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(role="lead"), name="signature_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposer}（{self.get_role_display()}）"


class Recommendation(models.Model):
    """建议: one numbered point of a proposal (一、二、三…); each gets an answer."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("提案")
    )
    ordinal = models.PositiveSmallIntegerField(
        _("序号"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    title = models.CharField(
        _("标题"), max_length=300,
        help_text=_("不含“关于”和“的建议”，例如“做优做强行业协会，促进其‘强筋健体’”。"),
    )
    body = models.TextField(_("内容"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["proposal", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "ordinal"], name="recommendation_unique_ordinal"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.title}"
