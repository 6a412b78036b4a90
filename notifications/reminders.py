"""What the daily reminders say: each agency's assignments due soon or overdue.

Reads only. An assignment is due soon or overdue by the proposals app's own rules
(``Assignment.objects.due_soon`` / ``overdue``: pending, and within its session's
``due_soon_days`` or past its due date); an agency that has answered is not reminded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from agencies.models import Agency, Membership
from proposals.models import Assignment

from .recipients import liaison_staff


@dataclass(frozen=True)
class DueItem:
    """One assignment in a reminder."""

    proposal_id: int
    number: str
    title: str
    role: str
    due_on: datetime.date
    days_left: int  # negative once the due date has passed

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


@dataclass(eq=False)
class AgencyItems:
    """An agency's items, by due date: the most overdue first."""

    agency: Agency
    items: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.items if item.overdue]

    @property
    def due_soon(self) -> list[DueItem]:
        return [item for item in self.items if not item.overdue]

    @property
    def worst_days_overdue(self) -> int:
        return max((item.days_overdue for item in self.items), default=0)


@dataclass
class OfficerReminder:
    """One person's daily reminder: the items of every agency they work in."""

    user: object
    agencies: list[AgencyItems]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.agencies)


@dataclass
class LiaisonDigest:
    """The liaison staff's daily digest: overdue items by agency, worst first."""

    recipients: list
    agencies: list[AgencyItems]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.agencies)


def _by_agency(assignments, today: datetime.date) -> dict[int, AgencyItems]:
    groups: dict[int, AgencyItems] = {}
    for assignment in assignments:
        group = groups.setdefault(assignment.agency_id, AgencyItems(assignment.agency))
        group.items.append(DueItem(
            proposal_id=assignment.proposal_id,
            number=assignment.proposal.number,
            title=assignment.proposal.title,
            role=assignment.get_role_display(),
            due_on=assignment.due_on,
            days_left=(assignment.due_on - today).days,
        ))
    return groups


def _assignments(condition: Q):
    return (
        Assignment.objects.filter(condition)
        .select_related("proposal", "agency")
        .order_by("agency__code", "due_on", "proposal__number", "pk")
    )


def due_by_agency(today: datetime.date) -> dict[int, AgencyItems]:
    """Each agency's assignments due soon or overdue on ``today``, by agency id."""
    overdue = Assignment.objects.overdue(today).values("pk")
    due_soon = Assignment.objects.due_soon(today).values("pk")
    return _by_agency(_assignments(Q(pk__in=overdue) | Q(pk__in=due_soon)), today)


def officer_reminders(today: datetime.date) -> list[OfficerReminder]:
    """One reminder per active officer or approver whose agency has something due."""
    groups = due_by_agency(today)
    memberships = (
        Membership.objects.filter(agency_id__in=list(groups), user__is_active=True)
        .select_related("user").order_by("user_id", "agency__code")
    )
    reminders: dict[int, OfficerReminder] = {}
    for membership in memberships:
        reminder = reminders.setdefault(membership.user_id, OfficerReminder(membership.user, []))
        group = groups[membership.agency_id]
        if not any(g is group for g in reminder.agencies):  # officer and approver: once
            reminder.agencies.append(group)
    return list(reminders.values())


def liaison_digest(today: datetime.date) -> LiaisonDigest:
    """The overdue assignments of every agency, the agency most overdue first."""
    groups = list(_by_agency(_assignments(Q(pk__in=Assignment.objects.overdue(today).values("pk"))),
                             today).values())
    groups.sort(key=lambda group: (-group.worst_days_overdue, -len(group.items), group.agency.code))
    for group in groups:
        group.items.sort(key=lambda item: (item.due_on, item.number))
    return LiaisonDigest(recipients=list(liaison_staff()), agencies=groups)
