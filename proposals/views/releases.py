"""退办申请 pages: an agency asks to be released from an assignment; the liaison staff
release it and reassign (改办) in the same step, or refuse.

Agency staff ask from their handling page within the session's window and may withdraw a
pending request; the liaison staff see the pending requests on one page. Everyone else
gets the site's 403 page, and an assignment or request its user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import refuse, require
from core.roles import agency_ids, is_agency_member, is_liaison
from core.workflow import DomainError

from .. import releases
from ..handling_forms import ReleaseDecisionForm, ReleaseRequestForm
from ..models import Assignment, Proposal, ReleaseRequest
from ..services import common

RECENT_DECISIONS = 20


def _requests(user):
    return ReleaseRequest.objects.visible_to(user).select_related(
        "agency", "proposal__session", "suggested_agency", "reassigned_to", "requested_by",
        "decided_by", "assignment")


@login_required
@require_http_methods(["GET", "POST"])
def release_request(request, pk: int):
    """申请退办 for one of the user's agency's assignments."""
    visible = Proposal.objects.visible_to(request.user)
    assignment = get_object_or_404(
        Assignment.objects.select_related("agency", "proposal__session").filter(proposal__in=visible),
        pk=pk,
    )
    if not is_agency_member(request.user, assignment.agency):
        raise PermissionDenied(_("只有承办单位的工作人员可以申请退办。"))
    form = ReleaseRequestForm(request.POST or None, agency=assignment.agency)
    if request.method == "POST" and form.is_valid():
        try:
            releases.release_request(
                assignment=assignment, reason=form.cleaned_data["reason"],
                suggested_agency=form.cleaned_data["suggested_agency"], actor=request.user,
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("退办申请已提交，请等待提案委审批；审批前请继续关注本提案。"))
            return redirect("replies:handling", pk=assignment.proposal_id)
    return render(request, "proposals/release_request.html", {
        "proposal": assignment.proposal, "assignment": assignment, "form": form,
        "refusal": releases.release_refusal(assignment),
        "last_day": releases.release_until(assignment),
        "requests": list(_requests(request.user).filter(proposal=assignment.proposal,
                                                         agency=assignment.agency)),
    })


@login_required
@require_POST
def release_withdraw(request, pk: int):
    """撤回 a pending request of the user's own agency."""
    user = request.user
    mine = _requests(user) if user.is_superuser else _requests(user).filter(agency_id__in=agency_ids(user))
    item = get_object_or_404(mine, pk=pk)
    try:
        releases.release_withdraw(request=item, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤回退办申请。"))
    return redirect("replies:handling", pk=item.proposal_id)


@login_required
@require_GET
def release_list(request):
    """待审批的退办申请, oldest first, and the latest decisions."""
    require(is_liaison, request.user, _("只有提案委工作人员可以审批退办申请。"))
    requests = _requests(request.user)
    return render(request, "proposals/release_list.html", {
        "pending": list(requests.filter(state=ReleaseRequest.State.PENDING).order_by("created_at", "id")),
        "decided": list(requests.exclude(state=ReleaseRequest.State.PENDING)
                        .order_by("-decided_at", "-id")[:RECENT_DECISIONS]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def release_decide(request, pk: int):
    """同意退办 (and reassign) or 不同意退办."""
    require(is_liaison, request.user, _("只有提案委工作人员可以审批退办申请。"))
    item = get_object_or_404(_requests(request.user), pk=pk)
    form = ReleaseDecisionForm(request.POST or None, request=item, initial={
        "decision": ReleaseDecisionForm.APPROVE, "agency": item.suggested_agency_id,
        "assigned_on": common.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ReleaseDecisionForm.APPROVE:
                releases.release_approve(
                    request=item, actor=request.user, agency=data["agency"],
                    assigned_on=data["assigned_on"], due_on=data["due_on"], note=data["note"])
                if data["agency"]:
                    messages.success(request, _("已同意%(agency)s退办，改由%(to)s办理。") % {
                        "agency": item.agency.short_name, "to": data["agency"].short_name})
                else:
                    messages.success(request, _("已同意%(agency)s退办。") % {"agency": item.agency.short_name})
            else:
                releases.release_refuse(request=item, actor=request.user, note=data["note"])
                messages.success(request, _("已不同意%(agency)s退办。") % {"agency": item.agency.short_name})
        except DomainError as error:
            refuse(form, error)
        else:
            return redirect("proposals:releases")
    assignments = sorted(item.proposal.assignments.select_related("agency"), key=Assignment.display_order)
    return render(request, "proposals/release_decide.html", {
        "item": item, "proposal": item.proposal, "form": form, "assignments": assignments,
    })
