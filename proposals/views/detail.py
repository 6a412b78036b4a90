"""The proposal page (read by everyone who may see the proposal) and merging (并案)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pages import liaison_only, signed_in
from core.roles import agency_ids, is_liaison
from core.workflow import DomainError
from followup import selectors as followup
from replies.composition import recommendation_heading
from search.forms import MergeForm
from search.similarity import similar_for_page

from .. import services
from ..models import (
    Proposal,
    Signature,
)
from ..selectors import (
    assignment_rows,
    detail_queryset,
    feedback_due,
    history_agencies,
    history_rows,
    letter_rows,
    rating_summary,
)
from .common import (
    page,
    proposal_or_404,
    visible_proposals,
)


def _actions(user, proposal: Proposal) -> dict:
    """The buttons the page shows: what this user may do to the proposal in its state. Staff
    of an agency the proposal awaits get the way to their agency's handling page."""
    if not is_liaison(user):
        ids = agency_ids(user)
        # In one of the user's agencies' inboxes (the stored ``awaiting``): one query.
        waiting = bool(ids) and proposal.assignments.awaiting().filter(agency_id__in=ids).exists()
        return {"agency_work": True} if waiting else {}
    return {
        "edit": proposal.can("edit"),
        "review": proposal.can("register"),
        "assign": proposal.can("assign"),
        "handling": proposal.can("change_assignments"),
        "feedback": proposal.can("feedback"),
        "close": proposal.can("close"),
        "reopen": proposal.can("reopen"),
    }


@signed_in
@require_GET
def proposal_detail(request, pk: int):
    """提案: everything about it on one page."""
    proposal = get_object_or_404(detail_queryset(request.user), pk=pk)
    today = timezone.localdate()
    signatures = sorted(proposal.signatures.all(), key=lambda s: (s.role != Signature.Role.LEAD, s.position))
    recommendations = list(proposal.recommendations.all())
    for recommendation in recommendations:
        recommendation.heading = recommendation_heading(recommendation)
    return page(request, "proposals/detail.html", {
        "proposal": proposal,
        "today": today,
        "signatures": signatures,
        "recommendations": recommendations,
        "assignments": assignment_rows(proposal, today),
        "letters": letter_rows(request.user, proposal),
        "feedback": proposal.feedback.all(),
        "rating_summary": rating_summary(proposal),
        "contacts": list(proposal.contacts.select_related("agency")),
        "commitments": followup.visible_of_proposal(request.user, proposal),
        "attachments": list(proposal.attachments.all()),
        "may_attach": is_liaison(request.user) and proposal.refusal("attach") is None,
        "attachment_max_mb": f"{settings.ATTACHMENT_MAX_MB:g}",
        "feedback_due": feedback_due(proposal, today),
        "history": history_rows(proposal, history_agencies(proposal)),
        "actions": _actions(request.user, proposal),
        "is_liaison": is_liaison(request.user),
        "merged_proposals": visible_proposals(request).filter(merged_into=proposal).order_by("number"),
        "similar": similar_for_page(request.user, proposal),
    })


@liaison_only
@require_POST
def proposal_merge(request, pk: int):
    """并案: merge this proposal into another of its session (from the similar proposals)."""
    proposal = proposal_or_404(request, pk)
    form = MergeForm(request.POST)
    into = visible_proposals(request).filter(pk=form.cleaned_data["into"]).first() if form.is_valid() else None
    if into is None:
        messages.error(request, _("请选择要并入的提案。"))
        return redirect("proposals:detail", pk=proposal.pk)
    try:
        services.proposal_merge(proposal=proposal, into=into, actor=request.user,
                                reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("第%(number)s号提案已并入第%(into)s号提案。")
                         % {"number": proposal.number, "into": into.number})
    return redirect("proposals:detail", pk=proposal.pk)
