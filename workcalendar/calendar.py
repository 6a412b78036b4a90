"""Reading the working calendar, and keeping it: the package's years, files, changes.

:class:`WorkingCalendar` answers "is this day worked, and is it a holiday?" from the
database, reading each year once. A year the ``chinesecalendar`` package knows and the
database does not hold yet is copied from the package the first time it is asked for,
so a new database (or one emptied by a test) still knows 2004 to the package's last year.

Whoever changes a year (the admin, :func:`load_days`) tells the product through
:data:`calendar_changed`, giving the calendar as it was before: the due dates counted
over the changed days are computed again by those who keep them.
"""

from __future__ import annotations

import contextvars
import datetime

from chinese_calendar import constants as package_days
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, CalendarYear

# Sent after a change has been saved: years (set of int), before (a WorkingCalendar that
# read those years before the change), reason (str, for the history), actor (a user or None).
calendar_changed = Signal()

# The package's English holiday names, in Chinese.
PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
PACKAGE_NOTE = _("国务院办公厅公布的节假日安排（随系统提供）")
# Names that are translated when shown (stored in Chinese, as entered).
SHOWN_NAMES = {
    "元旦": _("元旦"), "春节": _("春节"), "清明节": _("清明节"), "劳动节": _("劳动节"),
    "端午节": _("端午节"), "国庆节": _("国庆节"), "中秋节": _("中秋节"),
}


def shown_name(name: str) -> str:
    return str(SHOWN_NAMES.get(name, name))


def package_years() -> list[int]:
    """The years the installed package knows the official calendar of."""
    return sorted({day.year for day in package_days.holidays})


def package_days_of(year: int) -> list[tuple[datetime.date, str, str]]:
    """(date, kind, Chinese name) of the package's holidays and 调休 days in ``year``."""
    rows = [(day, CalendarDay.Kind.HOLIDAY, name) for day, name in package_days.holidays.items()
            if day.year == year]
    rows += [(day, CalendarDay.Kind.WORKDAY, name) for day, name in package_days.workdays.items()
             if day.year == year]
    return sorted((day, kind, PACKAGE_NAMES.get(str(name), str(name))) for day, kind, name in rows)


def seed_from_package(year: int) -> bool:
    """Copy ``year`` from the package when the database has no such year; whether it did."""
    if year not in package_years() or CalendarYear.objects.filter(year=year).exists():
        return False
    try:
        with transaction.atomic():
            entry = CalendarYear.objects.create(year=year, complete=True, source=CalendarYear.Source.PACKAGE,
                                                note=str(PACKAGE_NOTE))
            CalendarDay.objects.bulk_create(
                CalendarDay(year=entry, date=day, kind=kind, name=name)
                for day, kind, name in package_days_of(year))
    except IntegrityError:  # someone else copied it at the same moment
        return False
    return True


_current: contextvars.ContextVar[WorkingCalendar | None] = contextvars.ContextVar("calendar", default=None)


def current() -> WorkingCalendar:
    """The calendar of the request being answered (each year read once per request, see
    :class:`workcalendar.middleware.CalendarPerRequest`), or outside a request a fresh one."""
    return _current.get() or WorkingCalendar()


class WorkingCalendar:
    """The calendar as the database holds it, each year read once, on first use."""

    def __init__(self):
        self._years: dict[int, dict[datetime.date, tuple[str, str]] | None] = {}

    def preload(self, years) -> WorkingCalendar:
        for year in years:
            self.year(year)
        return self

    def year(self, year: int) -> dict[datetime.date, tuple[str, str]] | None:
        """{date: (kind, name)} of a complete year; None if the year is not complete."""
        if year not in self._years:
            entry = CalendarYear.objects.filter(year=year).first()
            if entry is None and seed_from_package(year):
                entry = CalendarYear.objects.filter(year=year).first()
            if entry is None or not entry.complete:
                self._years[year] = None
            else:
                self._years[year] = {
                    day: (kind, name)
                    for day, kind, name in entry.days.values_list("date", "kind", "name")}
        return self._years[year]

    def detail(self, day: datetime.date) -> tuple[bool, bool, str] | None:
        """(worked, a public holiday, the holiday's name), or None when the year is not complete."""
        days = self.year(day.year)
        if days is None:
            return None
        kind, name = days.get(day, ("", ""))
        if kind == CalendarDay.Kind.HOLIDAY:
            return False, True, name
        if kind == CalendarDay.Kind.WORKDAY:
            return True, False, name
        return day.weekday() < 5, False, ""
