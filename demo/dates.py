"""The demo's calendar: its story is written in the dates of one committee year (the
session of 2023, proposals in January, assignments in March, letters by July), and it is
loaded moved forward by whole weeks so that the story's last Monday falls in the week of
the day it is loaded. Due dates, overdue days and the years in document numbers then look
like a committee at work now, and weekdays stay weekdays.
"""

from __future__ import annotations

import contextlib
import datetime

from proposals.services import common

# The Monday the story stands at: its letters were signed the week before, its newest
# assignments were made that day.
STORY_TODAY = datetime.date(2023, 7, 10)

_offset = datetime.timedelta(0)


def offset_for(as_of: datetime.date) -> datetime.timedelta:
    """Whole weeks from the story's Monday to the Monday of ``as_of``'s week (never back)."""
    return datetime.timedelta(weeks=max(0, (as_of - STORY_TODAY).days // 7))


@contextlib.contextmanager
def dated(as_of: datetime.date):
    """Inside, :func:`D` moves the story's dates to ``as_of``'s week, and the services take
    the story's Monday of that week as today."""
    global _offset
    previous, _offset = _offset, offset_for(as_of)
    try:
        with common.as_of(STORY_TODAY + _offset):
            yield
    finally:
        _offset = previous


def D(year: int, month: int, day: int) -> datetime.date:  # noqa: N802 (reads like a date)
    """A date of the story, moved to the week the demo is loaded in."""
    return datetime.date(year, month, day) + _offset
