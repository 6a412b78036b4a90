"""One working calendar per request: a page that shows many due dates reads each year once."""

from __future__ import annotations

from .calendar import WorkingCalendar, _current


class CalendarPerRequest:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(WorkingCalendar())
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
