"""提案: sessions, proposals, their recommendations, assignments and feedback."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.text import COMMENT_TEXT, LONG_TEXT, REASON_TEXT
from core.workflow import DomainError, Move, Workflow

from .deadlines import DueDate, Unit, due_date, period_text, rule_text

session_code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z_-]{0,19}$",
    _("届次代码只能包含英文字母、数字、下划线和连字符，例如“13-2”。"),
)
proposal_number_validator = RegexValidator(
    r"^[0-9]{1,20}$", _("提案号只能由数字组成，例如“132020”。")
)


class Session(models.Model):
    """届次会议: one meeting of a committee's term, e.g. 市政协十三届二次会议."""

    code = models.CharField(_("代码"), max_length=20, unique=True, validators=[session_code_validator])
    committee = models.CharField(_("政协委员会"), max_length=100)
    term = models.PositiveSmallIntegerField(
        _("届"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    meeting = models.PositiveSmallIntegerField(
        _("次"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1949), MaxValueValidator(2200)]
    )
    name = models.CharField(_("名称"), max_length=100)
    last_serial = models.PositiveIntegerField(
        _("已用提案流水号"), default=0,
        help_text=_("系统分配提案号时从此数之后编号；导入的提案号会使其前移。"),
    )
    # 办理期限: each period is an amount and a unit (see proposals.deadlines).
    lead_due_amount = models.PositiveSmallIntegerField(
        _("主办、分办单位答复期限"), default=3, validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("主办单位和分办单位自交办之日起答复提案者的期限。"),
    )
    lead_due_unit = models.CharField(
        _("主办、分办单位答复期限单位"), max_length=20, choices=Unit.choices,
        default=Unit.CALENDAR_MONTHS,
    )
    co_due_amount = models.PositiveSmallIntegerField(
        _("会办单位答复期限"), default=1, validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("会办单位自交办之日起向主办单位提出会办意见的期限。"),
    )
    co_due_unit = models.CharField(
        _("会办单位答复期限单位"), max_length=20, choices=Unit.choices,
        default=Unit.CALENDAR_MONTHS,
    )
    feedback_due_amount = models.PositiveSmallIntegerField(
        _("反馈期限"), default=1, validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("提案者自收到答复函之日起反馈意见的期限。"),
    )
    feedback_due_unit = models.CharField(
        _("反馈期限单位"), max_length=20, choices=Unit.choices, default=Unit.CALENDAR_MONTHS,
    )
    rehandling_due_amount = models.PositiveSmallIntegerField(
        _("重新办理期限"), default=1, validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("提案者不满意时，承办单位自重新办理之日起再次答复的期限。"),
    )
    rehandling_due_unit = models.CharField(
        _("重新办理期限单位"), max_length=20, choices=Unit.choices, default=Unit.CALENDAR_MONTHS,
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("临近期限提醒天数"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("距办理期限不超过此天数的未答复交办显示为“即将到期”。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("届次会议")
        verbose_name_plural = _("届次会议")
        ordering = ["-year", "-term", "-meeting"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "term", "meeting"], name="session_unique_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        new_year = (
            self.pk is not None and (fields is None or "year" in fields)
            and Session.objects.filter(pk=self.pk).exclude(year=self.year).exists()
        )
        super().save(*args, **kwargs)
        if new_year:  # the proposals keep their session's year for sorting
            self.proposals.update(session_year=self.year)

    @property
    def number_prefix(self) -> str:
        """The digits every system-allocated proposal number of this session starts with."""
        return f"{self.term}{self.meeting}"

    # The dates a proposal of the session carries — submitted, assigned, due, answered,
    # signed, printed — lie from the start of the year before the session's (proposals are
    # collected ahead of the meeting) to the end of the DATE_YEARS_AFTER-th year after it
    # (extensions, re-handling and late letters included), or a year from today when that is
    # later (an old session's proposal reopened now). A date outside is a typing error such
    # as 9999-12-31, which would sort and count as never due.
    DATE_YEARS_AFTER = 5

    def date_range(self) -> tuple[datetime.date, datetime.date]:
        last = datetime.date(min(self.year + self.DATE_YEARS_AFTER, datetime.MAXYEAR), 12, 31)
        return (datetime.date(self.year - 1, 1, 1),
                max(last, timezone.localdate() + datetime.timedelta(days=366)))

    def check_date(self, value: datetime.date | None, what, *, field: str | None = None) -> None:
        """Refuse ``value`` (``what`` names it: 办理期限, 成文日期 …) outside :meth:`date_range`."""
        if value is None:
            return
        first, last = self.date_range()
        if not first <= value <= last:
            raise DomainError(
                gettext("%(what)s“%(date)s”超出了%(session)s的合理范围（%(first)s至%(last)s），"
                        "请检查是否填错。") % {
                    "what": what, "date": _day(value), "session": self.name,
                    "first": _day(first), "last": _day(last)},
                field=field,
            )

    # The periods a session sets, by kind: (amount field, unit field).
    PERIODS = {
        "lead": ("lead_due_amount", "lead_due_unit"),
        "co": ("co_due_amount", "co_due_unit"),
        "feedback": ("feedback_due_amount", "feedback_due_unit"),
        "rehandling": ("rehandling_due_amount", "rehandling_due_unit"),
    }

    def period(self, kind: str) -> tuple[int, str]:
        """The session's (amount, unit) for ``kind``: lead, co, feedback or rehandling."""
        amount, unit = self.PERIODS[kind]
        return getattr(self, amount), getattr(self, unit)

    def rule_text(self, kind: str) -> str:
        """The rule of period ``kind`` in words: 交办后3个月, 重新办理后1个月, 答复后1个月."""
        if kind == "rehandling":
            return gettext("重新办理后%(period)s") % {"period": period_text(*self.period(kind))}
        if kind == "feedback":
            return gettext("答复后%(period)s") % {"period": period_text(*self.period(kind))}
        return rule_text(*self.period(kind))

    def due_date(self, kind: str, start) -> DueDate:
        """The due date of period ``kind`` counted from ``start``, with its computation.

        Raises ``UnknownCalendarYear`` for a working-day period in a year whose official
        calendar is not known yet.
        """
        return due_date(start, *self.period(kind))

    def due_date_for(self, role: str, assigned_on) -> DueDate:
        """The default deadline of an assignment: co-handlers (会办) answer the lead agency,
        lead and separate handlers (主办、分办) answer the proposer."""
        return self.due_date("co" if role == "co" else "lead", assigned_on)

    def serial_of(self, number: str) -> int | None:
        """The serial inside ``number`` if it is term + meeting + three digits, else None."""
        prefix = self.number_prefix
        if len(number) == len(prefix) + 3 and number.startswith(prefix) and number.isdigit():
            return int(number[len(prefix):])
        return None


def _day(value: datetime.date) -> str:
    return gettext("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


class Category(models.Model):
    """类别: an editable list such as 经济建设, 社会建设."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("提案类别")
        verbose_name_plural = _("提案类别")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Proposer(models.Model):
    """提案者: a member, a party or federation, a special committee or a sector group."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("委员")
        PARTY = "party", _("民主党派、工商联")
        COMMITTEE = "committee", _("专门委员会")
        GROUP = "group", _("界别、委员小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("提案者")
        verbose_name_plural = _("提案者")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="proposer_unique_name_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def salutation(self) -> str:
        """How a letter addresses this proposer: 张某某委员, or the organisation's name."""
        return f"{self.name}委员" if self.kind == self.Kind.MEMBER else self.name


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals ``user`` may see: all for liaison and office staff; for agency staff,
        those assigned to one of their agencies; none for anyone else."""
        from core.roles import agency_ids, is_liaison, is_office

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user) or is_office(user):
            return self
        return self.filter(
            models.Exists(Assignment.objects.filter(
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
            raise ValidationError({"due_on": _("办理期限不能早于交办日期。")})



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
