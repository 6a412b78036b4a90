"""The home page (我的待办): what needs the signed-in user now — a summary of the inbox
(:func:`replies.selectors.inbox_assignments`, the same selector, so both count the same
things), the approvers' and signers' queues, the office's letters to print and the
liaison staff's lists."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.roles import (
    agency_ids,
    approver_agency_ids,
    is_liaison,
    is_office,
    is_proposer,
    works_in_an_office,
)
from proposals.models import Assignment, ExtensionRequest, Proposal, ReleaseRequest
from proposals.ratings import dissatisfied_proposals

from ..models import ReplyLetter, Section
from ..selectors import days_left, inbox_assignments, letters_to_sign, sections_to_approve

LIST_LIMIT = 10


def _liaison_todo() -> tuple[list[dict], list[Assignment]]:
    today = timezone.localdate()
    groups = []
    # Each group's links open the page where its proposals are acted on: the proposal page
    # with the review buttons, the assignment page, the feedback page.
    for state, label, action in (
        (Proposal.State.SUBMITTED, _("待审查的提案"), "proposals:detail"),
        (Proposal.State.REGISTERED, _("已立案、待交办的提案"), "proposals:assign"),
        (Proposal.State.REPLIED, _("已答复、待登记反馈的提案"), "proposals:feedback"),
        ("dissatisfied", _("提案者不满意、待决定是否重新办理的提案"), "proposals:reopen"),
    ):
        if state == "dissatisfied":
            queryset = dissatisfied_proposals()
        elif state == Proposal.State.REPLIED:  # those with a 不满意 are in the group below
            queryset = Proposal.objects.filter(state=state).exclude(pk__in=dissatisfied_proposals().values("pk"))
        else:
            queryset = Proposal.objects.filter(state=state)
        queryset = queryset.select_related("session").order_by("number")
        groups.append({"label": label, "count": queryset.count(), "action": action,
                       "proposals": list(queryset[:LIST_LIMIT])})
    overdue = list(
        Assignment.objects.overdue(today).select_related("proposal", "agency").order_by("due_on")[:LIST_LIMIT]
    )
    for assignment in overdue:
        assignment.days_left = days_left(assignment.due_on, today)
    return groups, overdue


def _agency_todo(user) -> dict:
    today = timezone.localdate()
    ids = agency_ids(user)
    assignments = list(inbox_assignments(user)[:LIST_LIMIT])
    for assignment in assignments:
        assignment.days_left = days_left(assignment.due_on, today)
        assignment.due_soon = 0 <= assignment.days_left <= assignment.proposal.session.due_soon_days
    approver_of = approver_agency_ids(user)
    to_approve = sections_to_approve(user)
    to_sign = letters_to_sign(user)
    returned = Section.objects.filter(agency_id__in=ids, state=Section.State.DRAFT).select_related(
        "recommendation__proposal", "agency").order_by("-updated_at")
    return {
        "assignments": assignments,
        "to_approve": list(to_approve[:LIST_LIMIT]),
        "to_sign": list(to_sign[:LIST_LIMIT]),
        "drafts": list(returned[:LIST_LIMIT]),
        "is_approver": bool(approver_of),
    }


def _office_todo() -> dict:
    signed = ReplyLetter.objects.filter(state=ReplyLetter.State.SIGNED).select_related(
        "proposal", "agency").order_by("signed_on", "id")
    return {"count": signed.count(), "letters": list(signed[:LIST_LIMIT])}


@login_required
@require_GET
def home(request):
    user = request.user
    if is_proposer(user) and not works_in_an_office(user):
        return redirect("members:home")
    context: dict = {}
    if is_liaison(user):
        context["liaison_groups"], context["overdue"] = _liaison_todo()
        context["pending_extensions"] = ExtensionRequest.objects.filter(
            state=ExtensionRequest.State.PENDING).count()
        context["pending_releases"] = ReleaseRequest.objects.filter(
            state=ReleaseRequest.State.PENDING).count()
    if agency_ids(user):
        context["agency"] = _agency_todo(user)
    if is_office(user):
        context["office"] = _office_todo()
    return render(request, "home.html", context)
