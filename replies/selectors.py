"""Reads for the agency pages: the inbox, the approvers' queues and a proposal's sections.

Each function returns one scoped queryset that fetches what its page shows with a
fixed number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from core.roles import agency_ids, agency_roles, approver_agency_ids, is_liaison
from proposals import answers
from proposals.models import Assignment, Proposal, Recommendation

from .models import ReplyLetter, Section


def awaiting_proposals() -> QuerySet[Proposal]:
    """Proposals being handled: 已交办, 重新办理, or 已答复 while a letter must be replaced.

    The queryset counterpart of :func:`proposals.answers.is_awaiting`.
    """
    return Proposal.objects.filter(answers.awaiting()).order_by()


def days_left(due_on: datetime.date, today: datetime.date | None = None) -> int:
    """Days until ``due_on``: 0 on the day, negative once overdue."""
    return (due_on - (today or timezone.localdate())).days


# ---------------------------------------------------------------- the inbox (待办)


def inbox_assignments(user) -> QuerySet[Assignment]:
    """The assignments of ``user``'s agencies on proposals being handled, most urgent
    first, each with its proposal, session and agency; :func:`inbox` adds the rest."""
    ids = agency_ids(user)
    if not ids:
        return Assignment.objects.none()
    return (
        Assignment.objects.awaiting().filter(agency_id__in=ids)
        .select_related("proposal__session", "agency")
        .defer("proposal__body")
        .order_by("due_on", "proposal__number", "agency__code")
    )


class InboxRecommendation(NamedTuple):
    pk: int
    ordinal: int
    title: str


class InboxSection(NamedTuple):
    """A section of the agency's, as the inbox shows it."""

    pk: int
    agency_id: int
    state: str


class InboxLetter(NamedTuple):
    pk: int
    state: str

    def get_state_display(self) -> str:
        return str(ReplyLetter.State(self.state).label)


@dataclass
class InboxEntry:
    """One assignment in the inbox, and its recommendations with this agency's sections."""

    assignment: Assignment
    days_left: int
    letter: InboxLetter | None
    rows: list[tuple[InboxRecommendation, list[InboxSection]]] = field(default_factory=list)

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
    """The inbox as entries, from :func:`inbox_assignments` (or ``assignments`` taken from it).

    Besides the assignments, three queries of plain values (no model rows): the
    recommendations of their proposals, the sections of the user's agencies on them, and
    the current round's letters.
    """
    today = today or timezone.localdate()
    assignments = list(inbox_assignments(user) if assignments is None else assignments)
    proposal_ids = {assignment.proposal_id for assignment in assignments}
    if not proposal_ids:
        return []
    recommendations = defaultdict(list)
    for proposal_id, *values in (
        Recommendation.objects.filter(proposal_id__in=proposal_ids).order_by("proposal_id", "ordinal")
        .values_list("proposal_id", "pk", "ordinal", "title")
    ):
        recommendations[proposal_id].append(InboxRecommendation(*values))
    sections = defaultdict(list)
    for recommendation_id, *values in (
        Section.objects.filter(agency_id__in=agency_ids(user), recommendation__proposal_id__in=proposal_ids)
        .order_by("position", "id").values_list("recommendation_id", "pk", "agency_id", "state")
    ):
        sections[recommendation_id].append(InboxSection(*values))
    letters = {}
    for pk, proposal_id, agency_id, state in (
        ReplyLetter.objects.current().filter(proposal_id__in=proposal_ids, round=F("proposal__round"))
        .order_by("id").values_list("pk", "proposal_id", "agency_id", "state")
    ):
        letters.setdefault((proposal_id, agency_id), InboxLetter(pk, state))  # the first one
    entries = []
    for assignment in assignments:
        agency, proposal_id = assignment.agency_id, assignment.proposal_id
        entry = InboxEntry(assignment, days_left(assignment.due_on, today), letters.get((proposal_id, agency)))
        for recommendation in recommendations[proposal_id]:
            own = [section for section in sections[recommendation.pk] if section.agency_id == agency]
            entry.rows.append((recommendation, own))
        entries.append(entry)
    return entries


# ---------------------------------------------------------------- the approvers' queues


def _due_of(proposal: str):
    """The due date of the assignment of the row's agency on the proposal at ``proposal``."""
    return Subquery(Assignment.objects.filter(
        proposal=OuterRef(proposal), agency=OuterRef("agency")).values("due_on")[:1])


def sections_to_approve(user) -> QuerySet[Section]:
    """待审核: submitted sections of the agencies where ``user`` signs, the most urgent first
    (by the agency's due date, then proposal and recommendation), each with ``due``."""
    if user is None or not user.is_authenticated:
        return Section.objects.none()
    return (
        Section.objects.filter(
            agency_id__in=approver_agency_ids(user), state=Section.State.SUBMITTED,
            recommendation__proposal__in=awaiting_proposals(),
        )
        .select_related("recommendation__proposal", "agency", "adoption")
        .annotate(due=_due_of("recommendation__proposal"))
        .order_by(F("due").asc(nulls_last=True), "recommendation__proposal__number",
                  "recommendation__ordinal", "position", "id")
    )


def letters_to_sign(user) -> QuerySet[ReplyLetter]:
    """待签发: letters sent for signing in the agencies where ``user`` signs, the most urgent
    first (by the agency's due date, then proposal), each with ``due``."""
    if user is None or not user.is_authenticated:
        return ReplyLetter.objects.none()
    return (
        ReplyLetter.objects.filter(
            agency_id__in=approver_agency_ids(user), state=ReplyLetter.State.IN_REVIEW
        )
        .select_related("proposal", "agency")
        .annotate(due=_due_of("proposal"))
        .order_by(F("due").asc(nulls_last=True), "proposal__number", "id")
    )


# ---------------------------------------------------------------- a proposal's handling page


def proposal_recommendations(proposal: Proposal, user) -> QuerySet[Recommendation]:
    """The proposal's recommendations, each with the sections ``user`` may see (``visible_sections``)."""
    sections = (
        Section.objects.visible_to(user).select_related("agency", "adoption", "commitment")
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


def may_preview_draft(user, letter: ReplyLetter) -> bool:
    return is_liaison(user) or bool(agency_roles(user, letter.agency))
