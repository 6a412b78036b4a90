"""Reads for the agency pages: the inbox, the approvers' queues and a proposal's sections.

Each function returns one scoped queryset that fetches what its page shows with a
fixed number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from core.roles import agency_ids, approver_agency_ids
from proposals import answers
from proposals.models import Assignment, Proposal, Recommendation

from .models import ReplyLetter, Section


def awaiting_proposals() -> QuerySet[Proposal]:
    """Proposals being handled: 已交办, 重新办理, or 已答复 while a letter must be replaced.

    The queryset counterpart of :func:`replies.services.awaiting_letters`.
    """
    return Proposal.objects.filter(answers.awaiting()).order_by()


def days_left(due_on: datetime.date, today: datetime.date | None = None) -> int:
    """Days until ``due_on``: 0 on the day, negative once overdue."""
    return (due_on - (today or timezone.localdate())).days


# ---------------------------------------------------------------- the inbox (待办)


def inbox_assignments(user) -> QuerySet[Assignment]:
    """The assignments of ``user``'s agencies on proposals being handled, most urgent first.

    Each proposal comes with its recommendations (``recommendations``), each with the
    sections of the user's agencies (``own_sections``), and the proposal's current
    letters (``current_letters``).
    """
    ids = agency_ids(user)
    if not ids:
        return Assignment.objects.none()
    # Only the columns the inbox shows: the texts (a proposal's, a recommendation's, a
    # section's, a signed letter's frozen parts) are long and would be read for nothing.
    own_sections = (Section.objects.filter(agency_id__in=ids).only("recommendation_id", "agency_id", "state")
                    .order_by("position", "id"))
    recommendations = Recommendation.objects.only("proposal_id", "ordinal", "title").order_by(
        "ordinal").prefetch_related(Prefetch("sections", queryset=own_sections, to_attr="own_sections"))
    letters = (ReplyLetter.objects.current().filter(round=F("proposal__round"))
               .only("proposal_id", "agency_id", "round", "state").order_by("id"))
    return (
        Assignment.objects.filter(agency_id__in=ids, awaiting=True)
        .select_related("proposal__session", "agency")
        .defer("proposal__body")
        .prefetch_related(
            Prefetch("proposal__recommendations", queryset=recommendations),
            Prefetch("proposal__letters", queryset=letters, to_attr="current_letters"),
        )
        .order_by("due_on", "proposal__number", "agency__code")
    )


@dataclass
class InboxEntry:
    """One assignment in the inbox, and its recommendations with this agency's sections."""

    assignment: Assignment
    days_left: int
    letter: ReplyLetter | None
    rows: list[tuple[Recommendation, list[Section]]] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)

    @property
    def span(self) -> int:
        """Table rows the entry takes: one per recommendation, at least one."""
        return max(1, len(self.rows))

    @property
    def answers(self) -> bool:
        """The agency writes a letter of its own (主办 or 分办)."""
        return self.assignment.role != Assignment.Role.CO


def inbox(user, *, today: datetime.date | None = None, assignments=None) -> list[InboxEntry]:
    """The inbox as entries, from :func:`inbox_assignments` (or ``assignments`` taken from it)."""
    today = today or timezone.localdate()
    entries = []
    for assignment in (inbox_assignments(user) if assignments is None else assignments):
        proposal = assignment.proposal
        letter = next(
            (x for x in proposal.current_letters if x.agency_id == assignment.agency_id), None
        )
        entry = InboxEntry(assignment, days_left(assignment.due_on, today), letter)
        for recommendation in proposal.recommendations.all():
            sections = [s for s in recommendation.own_sections if s.agency_id == assignment.agency_id]
            entry.rows.append((recommendation, sections))
        entries.append(entry)
    return entries


# ---------------------------------------------------------------- the approvers' queues


def sections_to_approve(user) -> QuerySet[Section]:
    """待审核: submitted sections of the agencies where ``user`` signs, oldest first."""
    if user is None or not user.is_authenticated:
        return Section.objects.none()
    return (
        Section.objects.filter(
            agency_id__in=approver_agency_ids(user), state=Section.State.SUBMITTED,
            recommendation__proposal__in=awaiting_proposals(),
        )
        .select_related("recommendation__proposal", "agency", "adoption")
        .order_by("updated_at", "id")
    )


def letters_to_sign(user) -> QuerySet[ReplyLetter]:
    """待签发: letters sent for signing in the agencies where ``user`` signs, oldest first."""
    if user is None or not user.is_authenticated:
        return ReplyLetter.objects.none()
    return (
        ReplyLetter.objects.filter(
            agency_id__in=approver_agency_ids(user), state=ReplyLetter.State.IN_REVIEW
        )
        .select_related("proposal", "agency")
        .order_by("updated_at", "id")
    )


# ---------------------------------------------------------------- a proposal's handling page


def proposal_recommendations(proposal: Proposal, user) -> QuerySet[Recommendation]:
    """The proposal's recommendations, each with the sections ``user`` may see (``visible_sections``)."""
    sections = (
        Section.objects.visible_to(user).select_related("agency", "adoption")
        .order_by("position", "id")
    )
    return proposal.recommendations.order_by("ordinal").prefetch_related(
        Prefetch("sections", queryset=sections, to_attr="visible_sections")
    )


def proposal_letters(proposal: Proposal, user) -> QuerySet[ReplyLetter]:
    """The proposal's letters ``user`` may see, every round, newest first."""
    return (
        ReplyLetter.objects.visible_to(user).filter(proposal=proposal)
        .select_related("agency").order_by("-round", "agency__code", "-created_at")
    )
