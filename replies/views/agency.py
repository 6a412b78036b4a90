"""What the agency pages share: who may write and sign, the objects a user may reach,
and where to go back to."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.roles import agency_roles, is_agency_member
from history.models import StateChange
from proposals.models import (
    Assignment,
    Proposal,
    Recommendation,
)

from ..models import ReplyLetter, Section

# ---------------------------------------------------------------- helpers


def may_write(user, agency) -> bool:
    """Officers and approvers of ``agency`` draft its sections and its letters."""
    return is_agency_member(user, agency)


def may_sign(user, agency) -> bool:
    """Only ``agency``'s approvers approve its sections and sign its letters."""
    return user.is_superuser or "approver" in agency_roles(user, agency)


def handling_url(proposal: Proposal) -> str:
    return reverse("replies:handling", args=[proposal.pk])


def recommendation_url(recommendation: Recommendation) -> str:
    return f"{handling_url(recommendation.proposal)}#rec-{recommendation.pk}"


def visible_proposals(user):
    return Proposal.objects.visible_to(user)


def section_or_404(request, pk: int) -> Section:
    sections = Section.objects.visible_to(request.user).select_related(
        "recommendation__proposal__session", "agency", "adoption"
    )
    return get_object_or_404(sections, pk=pk)


def letter_or_404(request, pk: int) -> ReplyLetter:
    letters = ReplyLetter.objects.visible_to(request.user).select_related(
        "proposal__session", "agency", "signed_by"
    )
    return get_object_or_404(letters, pk=pk)


def writable_assignments(user, proposal: Proposal, *, answering: bool = False) -> list[Assignment]:
    assignments = proposal.assignments.select_related("agency")
    if answering:
        assignments = assignments.answering()
    found = [a for a in assignments if may_write(user, a.agency)]
    return sorted(found, key=Assignment.display_order)


def chosen_assignment(assignments: list[Assignment], value) -> Assignment | None:
    """The assignment picked by agency id when the user works for several agencies."""
    if len(assignments) == 1:
        return assignments[0]
    return next((a for a in assignments if str(a.agency_id) == str(value or "")), None)


def history_of(user, obj):
    """Who did what to ``obj``, oldest first, as far as ``user`` may read it."""
    return StateChange.objects.visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("actor", "content_type").order_by("at", "id")


def return_reasons(proposal: Proposal) -> dict[int, StateChange]:
    """The latest return (or reopening) of each section of ``proposal``, by section id."""
    rows = StateChange.objects.filter(
        proposal=proposal, content_type=ContentType.objects.get_for_model(Section),
        action__in=["return", "revise"],
    ).select_related("actor").order_by("at", "id")
    return {row.object_id: row for row in rows}
