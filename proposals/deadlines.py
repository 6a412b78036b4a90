"""办理期限: due dates in calendar days, calendar months or working days.

Working days follow the deployment's working calendar (:mod:`workcalendar`, seeded from
China's official calendar as the ``chinesecalendar`` package knows it): public holidays
are skipped, and the weekend days worked in their place (调休上班日) count as working
days. The calendar is published a year at a time; a date in a year not marked complete
raises :class:`UnknownCalendarYear` instead of guessing.

How counting starts: the start date (the day of assignment, 交办日期) is day 0 and does
not count. "N working days" ends on the N-th working day after it; "N days" ends N
days after it; "N months" ends on the same day of the month N months later, or on that
month's last day when it has no such day (1月31日 + 1个月 = 2月28日 or 2月29日). Calendar
periods do not move when they end on a holiday; only working-day periods look at the
calendar.

Every function returns a :class:`DueDate`: the date and how it was computed (start,
rule, holidays skipped and make-up working days met), so a page or a command can say
why a deadline is what it is.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from workcalendar.calendar import WorkingCalendar, current, shown_name


class Unit(models.TextChoices):
    """How a period is counted."""

    CALENDAR_DAYS = "calendar_days", _("自然日")
    CALENDAR_MONTHS = "calendar_months", _("自然月")
    WORKING_DAYS = "working_days", _("工作日")


class UnknownCalendarYear(ValueError):
    """The official calendar of ``year`` is not known, so working days cannot be counted."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            gettext("尚无%(year)s年的法定节假日安排，无法按工作日计算期限。请系统管理员在管理后台"
                    "“工作日历”中录入%(year)s年的节假日和调休上班日并标记为已完整录入，"
                    "或用 manage.py load_calendar 导入。") % {"year": year}
        )


def day_text(day: datetime.date, *, with_year: bool = False) -> str:
    if with_year:
        return gettext("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}
    return gettext("%(m)s月%(d)s日") % {"m": day.month, "d": day.day}


def _list_text(items) -> str:
    """Items of a list in one phrase: 春节（2月10日—2月17日）、清明节（4月4日）."""
    return pgettext("separator between list items", "、").join(items)


def _sentence_text(clauses) -> str:
    """Clauses joined into one sentence and closed: ……，期限为2024年3月1日。"""
    text = pgettext("separator between clauses", "，").join(clauses)
    return pgettext("explanation of a due date", "%(clauses)s。") % {"clauses": text}


def period_text(amount: int, unit: str) -> str:
    """A period in words: 90个工作日, 3个月, 30日."""
    if unit == Unit.WORKING_DAYS:
        return gettext("%(n)s个工作日") % {"n": amount}
    if unit == Unit.CALENDAR_MONTHS:
        return gettext("%(n)s个月") % {"n": amount}
    return gettext("%(n)s日") % {"n": amount}


def rule_text(amount: int, unit: str) -> str:
    """A deadline rule as a session states it: 交办后3个月."""
    return gettext("交办后%(period)s") % {"period": period_text(amount, unit)}


@dataclass(frozen=True)
class HolidaySpan:
    """Consecutive days off of one holiday (weekend days inside it included)."""

    name: str
    first: datetime.date
    last: datetime.date

    def __str__(self) -> str:
        if self.first == self.last:
            days = day_text(self.first)
        else:
            days = gettext("%(first)s—%(last)s") % {
                "first": day_text(self.first), "last": day_text(self.last)}
        return gettext("%(name)s（%(days)s）") % {"name": self.name, "days": days}


@dataclass(frozen=True)
class MakeupDay:
    """调休上班日: a weekend day worked in exchange for a holiday."""

    date: datetime.date
    name: str

    def __str__(self) -> str:
        return day_text(self.date)


@dataclass(frozen=True)
class DueDate:
    """A due date and how it was computed."""

    start: datetime.date
    amount: int
    unit: str
    date: datetime.date
    holidays: tuple[HolidaySpan, ...] = ()
    makeup_days: tuple[MakeupDay, ...] = ()

    @property
    def period(self) -> str:
        """The period in words: 90个工作日, 3个月, 30日."""
        return period_text(self.amount, self.unit)

    @property
    def rule(self) -> str:
        """The rule as a session states it: 交办后3个月."""
        return rule_text(self.amount, self.unit)

    @property
    def skipped_days(self) -> int:
        """Days off of public holidays between the start and the due date."""
        return sum((span.last - span.first).days + 1 for span in self.holidays)

    @property
    def explanation(self) -> str:
        """One sentence for people: where counting starts, the rule, what was skipped."""
        parts = [
            gettext("%(start)s起算（当日不计），%(period)s") % {
                "start": day_text(self.start, with_year=True), "period": self.period}
        ]
        if self.unit == Unit.WORKING_DAYS:
            if self.holidays:
                parts.append(gettext("跳过%(holidays)s") % {
                    "holidays": _list_text(str(span) for span in self.holidays)})
            else:
                parts.append(gettext("期间无法定节假日"))
            if self.makeup_days:
                parts.append(gettext("含调休上班日%(days)s") % {
                    "days": _list_text(str(day) for day in self.makeup_days)})
        elif self.unit == Unit.CALENDAR_MONTHS:
            if self.date.day != self.start.day:
                parts.append(gettext("到期月无对应日，取该月最后一日"))
        parts.append(gettext("期限为%(due)s") % {"due": day_text(self.date, with_year=True)})
        return _sentence_text(parts)


def _check_amount(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(gettext("期限必须是不小于0的整数。"))


def add_calendar_days(start: datetime.date, n: int) -> DueDate:
    """``n`` days after ``start`` (自然日)."""
    _check_amount(n)
    return DueDate(start, n, Unit.CALENDAR_DAYS, start + datetime.timedelta(days=n))


def add_calendar_months(start: datetime.date, n: int) -> DueDate:
    """The same day ``n`` months after ``start``, or that month's last day if it has none."""
    _check_amount(n)
    months = start.year * 12 + start.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(gettext("期限超出可以计算的日期范围。"))
    day = min(start.day, calendar.monthrange(year, month)[1])
    return DueDate(start, n, Unit.CALENDAR_MONTHS, datetime.date(year, month, day))


def _detail(calendar: WorkingCalendar, day: datetime.date) -> tuple[bool, bool, str]:
    """(is a working day, is a public holiday, the holiday's name) on the working calendar."""
    found = calendar.detail(day)
    if found is None:
        raise UnknownCalendarYear(day.year)
    return found


def add_working_days(start: datetime.date, n: int, calendar: WorkingCalendar | None = None) -> DueDate:
    """The ``n``-th working day after ``start`` on the working calendar.

    Public holidays are skipped and 调休 weekend days count; the holidays and make-up
    days met after ``start`` up to the due date are named in the result.
    """
    _check_amount(n)
    day, counted = start, 0
    spans: list[HolidaySpan] = []
    makeup: list[MakeupDay] = []
    calendar = calendar or current()
    if n == 0:
        _detail(calendar, start)  # the year must still be known for the answer to mean anything
    while counted < n:
        day += datetime.timedelta(days=1)
        working, holiday, name = _detail(calendar, day)
        if working:
            counted += 1
            if name and day.weekday() >= 5:
                makeup.append(MakeupDay(day, shown_name(name)))
        elif holiday:
            label = shown_name(name)
            previous = spans[-1] if spans else None
            if previous and previous.name == label and previous.last == day - datetime.timedelta(days=1):
                spans[-1] = HolidaySpan(label, previous.first, day)
            else:
                spans.append(HolidaySpan(label, day, day))
    return DueDate(start, n, Unit.WORKING_DAYS, day, tuple(spans), tuple(makeup))


def due_date(start: datetime.date, amount: int, unit: str,
             calendar: WorkingCalendar | None = None) -> DueDate:
    """The due date ``amount`` ``unit`` after ``start`` (working days on ``calendar``,
    by default the database's as it is now)."""
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, amount, calendar)
    if unit == Unit.CALENDAR_MONTHS:
        return add_calendar_months(start, amount)
    if unit == Unit.CALENDAR_DAYS:
        return add_calendar_days(start, amount)
    raise ValueError(gettext("未知的期限单位：%(unit)s") % {"unit": unit})
