"""Sessions (届次会议) with their rules for due dates, categories and proposers."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.workflow import DomainError

from ..deadlines import DueDate, Unit, UnknownCalendarYear, due_date, period_text, rule_text

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
    release_days = models.PositiveSmallIntegerField(
        _("退办时限（工作日）"), default=5, validators=[MaxValueValidator(60)],
        help_text=_("承办单位认为交办有误时，可在交办后这么多个工作日内申请退办；填0则不接受退办申请。"),
    )
    contact_required = models.BooleanField(
        _("答复前须与提案者沟通"), default=False,
        help_text=_("勾选后，承办单位须至少登记一次与提案者的沟通，答复函才能送签发。"),
    )
    # 网上提交: proposers submit online between these days (both included); without them the
    # session takes no online submissions.
    submission_opens_on = models.DateField(
        _("网上提交开始日期"), null=True, blank=True,
        help_text=_("提案者自此日起可在网上提交提案；不填则本次会议不接受网上提交。"),
    )
    submission_closes_on = models.DateField(
        _("网上提交截止日期"), null=True, blank=True, help_text=_("含当日。"),
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

    def clean(self):
        super().clean()
        opens, closes = self.submission_opens_on, self.submission_closes_on
        if opens and closes and closes < opens:
            raise ValidationError({"submission_closes_on": _("网上提交截止日期不能早于开始日期。")})
        if closes and not opens:
            raise ValidationError({"submission_opens_on": _("填写了截止日期，也请填写开始日期。")})

    def submission_refusal(self, day: datetime.date) -> str:
        """Why a proposal cannot be submitted online on ``day``; "" when it can."""
        opens, closes = self.submission_opens_on, self.submission_closes_on
        if opens is None:
            return gettext("%(session)s不接受网上提交提案。") % {"session": self.name}
        if day < opens:
            return gettext("%(session)s的网上提交自%(date)s开始。") % {"session": self.name, "date": _day(opens)}
        if closes is not None and day > closes:
            return gettext("%(session)s的网上提交已于%(date)s截止。") % {"session": self.name, "date": _day(closes)}
        return ""

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

    def due_date(self, kind: str, start, calendar=None) -> DueDate:
        """The due date of period ``kind`` counted from ``start``, with its computation.

        Raises ``UnknownCalendarYear`` for a working-day period in a year whose official
        calendar is not known yet.
        """
        return due_date(start, *self.period(kind), calendar=calendar)

    @staticmethod
    def assignment_period(role: str) -> str:
        """The period an assignment's default deadline follows: co-handlers (会办) answer the
        lead agency ("co"), lead and separate handlers (主办、分办) the proposer ("lead")."""
        return "co" if role == "co" else "lead"

    def due_date_for(self, role: str, assigned_on, calendar=None) -> DueDate:
        """The default deadline of an assignment (see :meth:`assignment_period`)."""
        return self.due_date(self.assignment_period(role), assigned_on, calendar)

    def release_until(self, assigned_on: datetime.date) -> datetime.date | None:
        """The last day an agency assigned on ``assigned_on`` may ask to be released (退办),
        ``release_days`` working days later; None when the session accepts no request.

        In a year whose official calendar is not known yet, Monday to Friday count: the
        window is a courtesy to the agency, not a deadline of record."""
        if not self.release_days:
            return None
        try:
            return due_date(assigned_on, self.release_days, Unit.WORKING_DAYS).date
        except UnknownCalendarYear:
            day, left = assigned_on, self.release_days
            while left:
                day += datetime.timedelta(days=1)
                left -= day.weekday() < 5
            return day

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
