"""The handling of a proposal: assignments (交办) with their stored answer facts,
feedback (征询意见) and extension requests (延期申请)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import COMMENT_TEXT, REASON_TEXT
from core.workflow import Move, Workflow

from .. import refusals
from .proposal import HANDLING_STATES, Proposal
from .sessions import Proposer


class AssignmentQuerySet(models.QuerySet):
    def answering(self):
        """Assignments whose agency writes a reply letter: the lead and separate handlers."""
        return self.filter(role__in=ANSWERING_ROLES)

    def awaiting(self):
        """Assignments in their agency's inbox (待办): the one selector of the inbox and the
        home page. ``awaiting`` is a stored fact; its definition is
        :func:`proposals.answers.awaiting`."""
        return self.filter(awaiting=True)

    def pending(self):
        """Assignments of proposals being handled whose agency has not answered this round:
        what is due soon or overdue (the reminders, the overdue marks)."""
        return self.filter(proposal__state__in=HANDLING_STATES, answered=False)

    def overdue(self, today):
        """Pending assignments whose due date has passed."""
        return self.pending().filter(due_on__lt=today)

    def due_soon(self, today):
        """Pending assignments due today or within their session's ``due_soon_days``."""
        last_day = _AddDays(models.Value(today), models.F("proposal__session__due_soon_days"))
        return self.pending().filter(due_on__gte=today, due_on__lte=last_day)


class _AddDays(models.Func):
    """``date + days`` in SQL, for a number of days read from a column."""

    output_field = models.DateField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " + "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ", **extra_context,
        )


def proposal_overdue(today) -> models.Q:
    """On a Proposal queryset: being handled with an assignment overdue, that is one not
    answered this round whose due date has passed (read from the stored
    ``unanswered_due_on``, not by joining the assignments)."""
    return models.Q(state__in=HANDLING_STATES, unanswered_due_on__lt=today)


def is_overdue(proposal, today) -> bool:
    """:func:`proposal_overdue` for one proposal already loaded."""
    return (proposal.state in HANDLING_STATES and proposal.unanswered_due_on is not None
            and proposal.unanswered_due_on < today)


class Assignment(models.Model):
    """交办: a proposal handed to an agency, as lead, co-handler or separate handler."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("会办")
        SEPARATE = "separate", _("分办")

    # The order assignments are shown and exported in: lead, co-handlers, separate handlers.
    ROLE_ORDER = {Role.LEAD: 0, Role.CO: 1, Role.SEPARATE: 2}

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("提案")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="assignments",
        verbose_name=_("承办单位"),
    )
    role = models.CharField(_("承办方式"), max_length=10, choices=Role.choices)
    assigned_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("办理期限"))
    # Kept by proposals.answers.refresh from the letters, sections and history.
    answered = models.BooleanField(_("本轮已答复"), default=False, editable=False)
    answered_ever = models.BooleanField(_("已答复过"), default=False, editable=False)
    answered_in_time = models.BooleanField(_("按期答复"), default=False, editable=False)
    awaiting = models.BooleanField(_("待办"), default=False, editable=False)
    # Raised by every change of the due date, so that a change made from an older page is
    # refused (core.concurrency).
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["proposal", "role", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "agency"], name="assignment_unique_agency"),
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(role="lead"), name="assignment_one_lead"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("assigned_on")),
                name="assignment_due_after_assigned",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "due_on"]),
            # the inbox, the reminders and the overdue marks: what is still to answer, by date
            models.Index(fields=["agency", "due_on"], condition=models.Q(answered=False),
                         name="assignment_unanswered_due"),
            models.Index(fields=["due_on"], condition=models.Q(answered=False),
                         name="assignment_unanswered_by_due"),
            # the inbox: an agency's assignments to handle, by date
            models.Index(fields=["agency", "due_on"], condition=models.Q(awaiting=True),
                         name="assignment_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.number} → {self.agency.short_name}（{self.get_role_display()}）"

    @classmethod
    def role_order(cls) -> models.Case:
        """:attr:`ROLE_ORDER` in SQL, to annotate and sort by."""
        return models.Case(*(models.When(role=role, then=models.Value(rank))
                             for role, rank in cls.ROLE_ORDER.items()),
                           default=models.Value(len(cls.ROLE_ORDER)), output_field=models.IntegerField())

    def display_order(self) -> tuple:
        """Sort key: by :attr:`ROLE_ORDER`, then by the agency's code."""
        return (self.ROLE_ORDER.get(self.role, len(self.ROLE_ORDER)), self.agency.code)

    def clean(self):
        super().clean()
        if self.assigned_on and self.due_on and self.due_on < self.assigned_on:
            raise ValidationError({"due_on": refusals.DUE_BEFORE_ASSIGNED})



ANSWERING_ROLES = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)  # they write reply letters

class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Feedback(models.Model):
    """征询意见表: the proposer's view of the handling (办理工作) and the result (办理结果)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("提案")
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    received_on = models.DateField(_("收到日期"))
    handling = models.CharField(_("对办理工作"), max_length=20, choices=Satisfaction.choices)
    result = models.CharField(_("对办理结果"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("意见"), blank=True, max_length=COMMENT_TEXT)
    # Who rated: the proposer (lead or co-signer) when known — always for a rating made
    # online, optionally for a paper form the liaison staff record.
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback",
        verbose_name=_("提案者"),
    )
    online = models.BooleanField(_("网上评价"), default=False,
                                 help_text=_("由提案者本人在网上评价；否则为工作人员登记的纸质征询意见表。"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理反馈")
        verbose_name_plural = _("办理反馈")
        ordering = ["proposal", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.proposal.number} {self.received_on}"

    @property
    def is_dissatisfied(self) -> bool:
        return Satisfaction.DISSATISFIED in (self.handling, self.result)


class ExtensionRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests ``user`` may read: liaison staff, who decide them, read all; agency staff
        read their own agencies' requests. An agency's request is nobody else's business."""
        from core.roles import agency_ids, is_liaison

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        return self.filter(assignment__agency_id__in=agency_ids(user))


class ExtensionRequest(Workflow, models.Model):
    """延期申请: an agency asks the liaison staff for a later due date, with its reason."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    MOVES = {
        "approve": Move([State.PENDING], State.APPROVED, _("批准延期")),
        "reject": Move([State.PENDING], State.REJECTED, _("不批准延期")),
        "withdraw": Move([State.PENDING], State.WITHDRAWN, _("撤回延期申请")),
    }

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extension_requests",
        verbose_name=_("交办"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    current_due_on = models.DateField(_("原期限"))
    requested_due_on = models.DateField(_("申请延期至"))
    approved_due_on = models.DateField(_("批准延期至"), null=True, blank=True)
    reason = models.TextField(_("延期理由"), max_length=REASON_TEXT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("申请人"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=models.Q(state="pending"),
                name="extension_one_pending_per_assignment",
            ),
            models.CheckConstraint(
                condition=models.Q(requested_due_on__gt=models.F("current_due_on")),
                name="extension_asks_for_a_later_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due_on}"

    @property
    def proposal(self):
        return self.assignment.proposal


class ReleaseRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests ``user`` may read: liaison staff all, agency staff their own agencies'."""
        from core.roles import agency_ids, is_liaison

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        return self.filter(agency_id__in=agency_ids(user))


class ReleaseRequest(Workflow, models.Model):
    """退办申请: an agency asks to be released from an assignment that is not its business,
    naming the agency it thinks is right; the liaison staff release it and reassign (改办)
    in the same step, or refuse with a reason.

    The request keeps the proposal, the agency, its role and the date it was assigned, so
    that it still tells its story after an approval has removed the assignment."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意退办")
        REFUSED = "refused", _("不同意退办")
        WITHDRAWN = "withdrawn", _("已撤回")

    MOVES = {
        "approve": Move([State.PENDING], State.APPROVED, _("同意退办")),
        "refuse": Move([State.PENDING], State.REFUSED, _("不同意退办")),
        "withdraw": Move([State.PENDING], State.WITHDRAWN, _("撤回退办申请")),
    }

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="release_requests", verbose_name=_("提案"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="release_requests",
        verbose_name=_("申请退办单位"),
    )
    # Cleared when an approval removes the assignment.
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="release_requests", verbose_name=_("交办"),
    )
    role = models.CharField(_("承办方式"), max_length=10, choices=Assignment.Role.choices)
    assigned_on = models.DateField(_("交办日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    reason = models.TextField(_("退办理由"), max_length=REASON_TEXT)
    suggested_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("建议承办单位"),
    )
    reassigned_to = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("改办至"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("申请人"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True, max_length=REASON_TEXT)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ReleaseRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("退办申请")
        verbose_name_plural = _("退办申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "agency"], condition=models.Q(state="pending"),
                name="release_one_pending_per_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.number} {self.agency.short_name} 退办"
