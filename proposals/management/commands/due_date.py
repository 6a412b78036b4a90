"""manage.py due_date START N --working-days|--calendar-days|--months: check a deadline by hand."""

from __future__ import annotations

import datetime
import re

from django.core.management.base import BaseCommand, CommandError

from proposals.deadlines import Unit, UnknownCalendarYear, due_date

UNIT_OPTIONS = {
    "working_days": Unit.WORKING_DAYS,
    "calendar_days": Unit.CALENDAR_DAYS,
    "months": Unit.CALENDAR_MONTHS,
}


class Command(BaseCommand):
    help = (
        "Print the date N working days, calendar days or calendar months after START "
        "(START itself not counted) and how it was computed, on China's official calendar."
    )

    def add_arguments(self, parser):
        parser.add_argument("start", help="the start date (e.g. the day of assignment), YYYY-MM-DD")
        parser.add_argument("n", help="how many days or months, a whole number of 0 or more")
        units = parser.add_mutually_exclusive_group()
        units.add_argument("--working-days", action="store_true",
                           help="count working days: skip public holidays, count 调休 weekend days")
        units.add_argument("--calendar-days", action="store_true", help="count every day")
        units.add_argument("--months", action="store_true",
                           help="count calendar months (the same day N months later, or that month's last day)")

    def handle(self, *args, start, n, **options):
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
                raise ValueError(start)
            start_date = datetime.date.fromisoformat(start)
        except ValueError:
            raise CommandError(f"起算日期“{start}”无效，请按YYYY-MM-DD填写，例如2023-03-01。") from None
        try:
            amount = int(n)
        except ValueError:
            amount = -1
        if amount < 0:
            raise CommandError(f"期限“{n}”无效，请填写不小于0的整数。")
        chosen = [unit for option, unit in UNIT_OPTIONS.items() if options.get(option)]
        if not chosen:
            raise CommandError("请指定计算方式：--working-days（工作日）、--calendar-days（自然日）或 --months（自然月）。")
        try:
            result = due_date(start_date, amount, chosen[0])
        except UnknownCalendarYear as error:
            raise CommandError(str(error)) from None
        except (ValueError, OverflowError) as error:
            raise CommandError(str(error) or "期限超出可以计算的日期范围。") from None

        lines = [
            f"期限：{_day(result.date)}（{result.date.isoformat()}，{_weekday(result.date)}）",
            f"起算：{_day(result.start)}（当日不计）",
            f"规则：{result.period}"
            + ("" if result.unit == Unit.WORKING_DAYS else f"（{Unit(result.unit).label}）"),
        ]
        if result.unit == Unit.WORKING_DAYS:
            if result.holidays:
                holidays = "、".join(str(span) for span in result.holidays)
                lines.append(f"跳过法定节假日：{holidays}，共{result.skipped_days}天")
            else:
                lines.append("跳过法定节假日：无")
            makeup = "、".join(f"{day}（{day.name}调休）" for day in result.makeup_days) or "无"
            lines.append(f"调休上班日：{makeup}")
        lines.append(f"说明：{result.explanation}")
        self.stdout.write("\n".join(lines))


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _weekday(day: datetime.date) -> str:
    return "星期" + "一二三四五六日"[day.weekday()]
