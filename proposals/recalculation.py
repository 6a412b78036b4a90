"""Due dates computed again when the working calendar changes.

When a year's holidays are entered or corrected (:data:`workcalendar.calendar.calendar_changed`),
every open assignment — its proposal still being handled, its agency not yet answered —
whose due date is its session's working-day rule counted on the calendar as it was is
counted again on the calendar as it is now. A due date set or extended by hand is not
the rule's and stays; so do the dates of answered assignments and closed proposals.
Each change is written to the history with the old and new date and why, and the
agency's staff are told.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from core.actions import action
from history.models import StateChange
from notifications import events as notify

from .deadlines import Unit, UnknownCalendarYear
from .models import HANDLING_STATES, Assignment


@dataclass(frozen=True)
class Recalculated:
    assignment: Assignment
    old: datetime.date
    new: datetime.date


def candidates(years):
    """Open assignments of sessions counting working days whose span may meet ``years``."""
    first, last = min(years), max(years)
    working = (Q(role=Assignment.Role.CO, proposal__session__co_due_unit=Unit.WORKING_DAYS)
               | (~Q(role=Assignment.Role.CO) & Q(proposal__session__lead_due_unit=Unit.WORKING_DAYS)))
    return Assignment.objects.filter(
        working, answered=False, proposal__state__in=HANDLING_STATES,
        assigned_on__lte=datetime.date(last, 12, 31), due_on__gte=datetime.date(first, 1, 1),
    ).select_related(
        "proposal__session", "agency").order_by("pk")


@action
def recalculate_due_dates(*, years, before, reason: str, actor=None) -> list[Recalculated]:
    """Count again the open working-day due dates that ``before`` gave and the calendar now moves."""
    from workcalendar.calendar import WorkingCalendar

    now = WorkingCalendar()
    done = []
    for assignment in candidates(years).select_for_update(of=("self",)):
        session = assignment.proposal.session
        try:
            old = session.due_date_for(assignment.role, assignment.assigned_on, before).date
        except UnknownCalendarYear:
            continue  # the rule could not be counted then: the date was set by hand
        if old != assignment.due_on:
            continue  # set or extended by hand
        try:
            new = session.due_date_for(assignment.role, assignment.assigned_on, now).date
        except UnknownCalendarYear:
            continue  # the calendar no longer covers it: the date stands until it does
        if new == old:
            continue
        assignment.due_on = new
        assignment.version += 1
        assignment.save(update_fields=["due_on", "version", "updated_at"])
        StateChange.record(
            assignment, action="recalculate_due", actor=actor, proposal=assignment.proposal,
            reason=_("%(reason)s，按%(rule)s重新计算") % {
                "reason": reason, "rule": session.rule_text(session.assignment_period(assignment.role))},
            data={"agency": assignment.agency.code, "from": old.isoformat(), "to": new.isoformat()},
        )
        notify.due_recalculated(assignment=assignment, old=old, reason=reason, actor=actor)
        done.append(Recalculated(assignment, old, new))
    return done


def on_calendar_changed(sender, *, years, before, reason, actor=None, **kwargs):
    recalculate_due_dates(years=years, before=before, reason=reason, actor=actor)
