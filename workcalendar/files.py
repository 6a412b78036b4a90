"""Loading a calendar from a file: lines ``date,kind,name`` (``manage.py load_calendar``).

``kind`` is ``holiday`` (放假) or ``workday`` (调休上班); a header line is allowed, blank
lines and lines starting with ``#`` are skipped. The file is read whole and checked
before anything is written: one bad line and nothing changes, with every bad line named.
Loading replaces the days of each year in the file and marks those years complete; with
``partial`` it adds to and corrects the days already there and leaves the years'
completeness as it was (a new year stays incomplete).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .calendar import WorkingCalendar, calendar_changed
from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarYear, day_problems

KINDS = {"holiday": CalendarDay.Kind.HOLIDAY, "workday": CalendarDay.Kind.WORKDAY,
         "放假": CalendarDay.Kind.HOLIDAY, "调休上班": CalendarDay.Kind.WORKDAY}
NAME_MAX = CalendarDay._meta.get_field("name").max_length
MAX_LINES = 2000


class CalendarFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Loaded:
    years: dict[int, int] = field(default_factory=dict)  # year: days in the file
    changed: set[int] = field(default_factory=set)


def read_days(text: str) -> list[tuple[datetime.date, str, str]]:
    """The file's days, checked; raises CalendarFileError naming every bad line."""
    rows, problems, seen = [], [], {}
    lines = text.lstrip("\ufeff").splitlines()
    if len(lines) > MAX_LINES:
        raise CalendarFileError([_("文件超过%(n)s行，请按年份分开导入。") % {"n": MAX_LINES}])
    for number, values in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
        if not values or not "".join(values).strip() or values[0].strip().startswith("#"):
            continue
        values = [value.strip() for value in values]
        if number == 1 and values[0].lower() in {"date", "日期"}:
            continue
        where = _("第%(n)s行") % {"n": number}
        if len(values) != 3:
            problems.append(_("%(where)s：应为“日期,类型,名称”三项，实有%(count)s项。")
                            % {"where": where, "count": len(values)})
            continue
        text_day, kind, name = values
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text_day):
                raise ValueError
            day = datetime.date.fromisoformat(text_day)
        except ValueError:
            problems.append(_("%(where)s：日期“%(value)s”无效，请写成YYYY-MM-DD，例如2027-02-06。")
                            % {"where": where, "value": text_day[:40]})
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            problems.append(_("%(where)s：年份应在%(first)s至%(last)s之间。")
                            % {"where": where, "first": FIRST_YEAR, "last": LAST_YEAR})
            continue
        if kind.lower() not in KINDS:
            problems.append(_("%(where)s：类型“%(value)s”无效，应为holiday（放假）或workday（调休上班）。")
                            % {"where": where, "value": kind[:40]})
            continue
        kind = KINDS[kind.lower()]
        if not name or len(name) > NAME_MAX:
            problems.append(_("%(where)s：请填写节日名称（不超过%(n)s个字）。") % {"where": where, "n": NAME_MAX})
            continue
        problems += [f"{where}：{problem}" for problem in day_problems(day, kind, None)]
        if day in seen:
            problems.append(_("%(where)s：%(day)s与第%(other)s行重复。")
                            % {"where": where, "day": day.isoformat(), "other": seen[day]})
            continue
        seen[day] = number
        rows.append((day, kind, name))
    if problems:
        raise CalendarFileError(problems)
    if not rows:
        raise CalendarFileError([_("文件中没有任何节假日或调休上班日。")])
    return rows


def check_complete(rows) -> None:
    """A year loaded as complete must have its public holidays: without any, working-day
    due dates would count the holidays as working days."""
    years = {day.year for day, _kind, _name in rows}
    with_holidays = {day.year for day, kind, _name in rows if kind == CalendarDay.Kind.HOLIDAY}
    missing = sorted(years - with_holidays)
    if missing:
        raise CalendarFileError([_("%(years)s年没有任何放假日，不能标记为完整；只补录调休上班日时请加 --partial。")
                                 % {"years": "、".join(str(y) for y in missing)}])


def load_days(rows, *, partial: bool = False, actor=None, source_name: str = "") -> Loaded:
    """Write checked ``rows`` (see :func:`read_days`) in one transaction and announce the change."""
    loaded = Loaded()
    by_year: dict[int, list] = {}
    for day, kind, name in rows:
        by_year.setdefault(day.year, []).append((day, kind, name))
    with transaction.atomic():
        before = WorkingCalendar().preload(by_year)
        for year, days in sorted(by_year.items()):
            loaded.years[year] = len(days)
            entry, created = CalendarYear.objects.select_for_update().get_or_create(
                year=year, defaults={"source": CalendarYear.Source.FILE, "complete": not partial})
            old = set(entry.days.values_list("date", "kind", "name"))
            if partial:
                for day, kind, name in days:
                    CalendarDay.objects.update_or_create(date=day, defaults={
                        "year": entry, "kind": kind, "name": name})
            else:
                entry.days.all().delete()
                CalendarDay.objects.bulk_create(
                    CalendarDay(year=entry, date=day, kind=kind, name=name) for day, kind, name in days)
                entry.complete = True
            entry.source = CalendarYear.Source.FILE
            if source_name:
                entry.note = _("导入自%(file)s") % {"file": source_name[:150]}
            entry.version += 1
            entry.save()
            if created or set(entry.days.values_list("date", "kind", "name")) != old or not partial:
                loaded.changed.add(year)
        if loaded.changed:
            calendar_changed.send(
                sender=CalendarYear, years=loaded.changed, before=before, actor=actor,
                reason=_("%(years)s工作日历导入") % {
                    "years": "、".join(_("%(year)s年") % {"year": y} for y in sorted(loaded.changed))})
    return loaded
