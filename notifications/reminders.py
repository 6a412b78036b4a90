"""What the daily reminders say: each agency's assignments due soon or overdue, and its
commitments (承诺事项) not yet kept that are due within a week or overdue.

Reads only. An assignment is due soon or overdue by the proposals app's own rules
(``Assignment.objects.due_soon`` / ``overdue``: pending, and within its session's
``due_soon_days`` or past its due date); an agency that has answered is not reminded.
A commitment reported 落实 is not reminded either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from agencies.models import Agency, Membership
from followup.selectors import due_by_agency as commitments_due
from proposals.models import Assignment

from .recipients import liaison_staff


class _Due:
    """Something due on ``due_on``, ``days_left`` from the reminder's day (negative once past)."""

    due_on: datetime.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


@dataclass(frozen=True)
class DueItem(_Due):
    """One assignment in a reminder."""

    proposal_id: int
    number: str
    title: str
    role: str
    due_on: datetime.date
    days_left: int


@dataclass(frozen=True)
class CommitmentItem(_Due):
    """One commitment in a reminder."""

    pk: int
    number: str
    title: str
    what: str
    due_on: datetime.date
    days_left: int


@dataclass(eq=False)
class AgencyItems:
    """An agency's items, by due date: the most overdue first; then its commitments."""

    agency: Agency
    items: list[DueItem] = field(default_factory=list)
    commitments: list[CommitmentItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items) + len(self.commitments)

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.items if item.overdue]

    @property
    def due_soon(self) -> list[DueItem]:
        return [item for item in self.items if not item.overdue]

    @property
    def worst_days_overdue(self) -> int:
        return max((item.days_overdue for item in [*self.items, *self.commitments]), default=0)


@dataclass
class OfficerReminder:
    """One person's daily reminder: the items of every agency they work in."""

    user: object
    agencies: list[AgencyItems]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.agencies)


@dataclass
class LiaisonDigest:
    """The liaison staff's daily digest: overdue items by agency, worst first."""

    recipients: list
    agencies: list[AgencyItems]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.agencies)


def _add_commitments(groups: dict[int, AgencyItems], today: datetime.date, *, overdue_only: bool) -> None:
    for agency_id, commitments in commitments_due(today).items():
        for commitment in commitments:
            if overdue_only and commitment.due_on >= today:
                continue
            group = groups.setdefault(agency_id, AgencyItems(commitment.agency))
            group.commitments.append(CommitmentItem(
                pk=commitment.pk, number=commitment.proposal.number, title=commitment.proposal.title,
                what=commitment.what, due_on=commitment.due_on, days_left=(commitment.due_on - today).days))


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
    groups = _by_agency(_assignments(Q(pk__in=overdue) | Q(pk__in=due_soon)), today)
    _add_commitments(groups, today, overdue_only=False)
    return groups


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
    by_agency = _by_agency(_assignments(Q(pk__in=Assignment.objects.overdue(today).values("pk"))), today)
    _add_commitments(by_agency, today, overdue_only=True)
    groups = list(by_agency.values())
    groups.sort(key=lambda group: (-group.worst_days_overdue, -group.count, group.agency.code))
    for group in groups:
        group.items.sort(key=lambda item: (item.due_on, item.number))
    return LiaisonDigest(recipients=list(liaison_staff()), agencies=groups)
