"""延期申请 pages: an agency asks for more time; the liaison staff decide.

Agency staff ask from their handling page and may withdraw a pending request; the
liaison staff see every pending request on one page and approve (possibly with another
date) or refuse with a reason. Everyone else gets the site's 403 page, and an assignment
or request its user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import excel
from core.pages import refuse, require
from core.roles import agency_ids, is_agency_member, is_liaison
from core.workflow import DomainError

from .. import extensions
from ..handling_forms import ExtensionDecisionForm, ExtensionRequestForm
from ..models import Assignment, ExtensionRequest, Proposal

RECENT_DECISIONS = 20


def _requests():
    return ExtensionRequest.objects.select_related(
        "assignment__agency", "assignment__proposal__session", "requested_by", "decided_by"
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_request(request, pk: int):
    """申请延期 for one of the user's agency's assignments."""
    visible = Proposal.objects.visible_to(request.user)
    assignment = get_object_or_404(
        Assignment.objects.select_related("agency", "proposal__session").filter(proposal__in=visible),
        pk=pk,
    )
    if not is_agency_member(request.user, assignment.agency):
        raise PermissionDenied(_("只有承办单位的工作人员可以申请延期。"))
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extensions.extension_request(
                assignment=assignment, due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"], actor=request.user,
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("延期申请已提交，请等待提案委审批。"))
            return redirect("replies:handling", pk=assignment.proposal_id)
    history = _requests().filter(assignment=assignment).order_by("-created_at")
    return render(request, "proposals/extension_request.html", {
        "proposal": assignment.proposal, "assignment": assignment, "form": form,
        "requests": list(history),
    })


@login_required
@require_POST
def extension_withdraw(request, pk: int):
    """撤回 a pending request of the user's own agency."""
    user = request.user
    mine = _requests() if user.is_superuser else _requests().filter(
        assignment__agency_id__in=agency_ids(user))
    item = get_object_or_404(mine, pk=pk)
    try:
        extensions.extension_withdraw(request=item, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤回延期申请。"))
    return redirect("replies:handling", pk=item.assignment.proposal_id)


@login_required
@require_GET
def extension_list(request):
    """待审批的延期申请, oldest first, and the latest decisions."""
    require(is_liaison, request.user, _("只有提案委工作人员可以审批延期申请。"))
    if excel.wants_xlsx(request):
        return _export(_requests().order_by("-created_at", "-id"))
    pending = list(_requests().filter(state=ExtensionRequest.State.PENDING).order_by("created_at", "id"))
    for item in pending:
        item.extra_days = (item.requested_due_on - item.current_due_on).days
    decided = list(
        _requests().exclude(state=ExtensionRequest.State.PENDING)
        .order_by("-decided_at", "-id")[:RECENT_DECISIONS]
    )
    return render(request, "proposals/extension_list.html", {"pending": pending, "decided": decided})


def _export(requests):
    """Every extension request, pending and decided, as an Excel workbook."""
    date, when = excel.DATE, excel.DATETIME
    columns = [
        excel.Column(_("提案号")), excel.Column(_("案由"), width=40, wrap=True),
        excel.Column(_("承办单位")), excel.Column(_("承办方式")), excel.Column(_("原期限"), date),
        excel.Column(_("申请延期至"), date), excel.Column(_("批准延期至"), date),
        excel.Column(_("延期理由"), width=40, wrap=True), excel.Column(_("状态")),
        excel.Column(_("申请时间"), when), excel.Column(_("审批人")), excel.Column(_("处理时间"), when),
        excel.Column(_("审批意见"), width=30, wrap=True),
    ]
    rows = [[
        item.assignment.proposal.number, item.assignment.proposal.title,
        item.assignment.agency.short_name, item.assignment.get_role_display(),
        item.current_due_on, item.requested_due_on, item.approved_due_on, item.reason,
        item.get_state_display(), item.created_at,
        item.decided_by.get_full_name() or item.decided_by.get_username() if item.decided_by else "",
        item.decided_at, item.decision_note,
    ] for item in requests]
    filename = _("延期申请%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("延期申请"), columns, rows)], filename=filename,
                               fallback=f"extensions-{excel.today_stamp()}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def extension_decide(request, pk: int):
    """批准 or 不批准 one request."""
    require(is_liaison, request.user, _("只有提案委工作人员可以审批延期申请。"))
    item = get_object_or_404(_requests(), pk=pk)
    form = ExtensionDecisionForm(request.POST or None,
                                 initial={"decision": ExtensionDecisionForm.APPROVE,
                                          "due_on": item.requested_due_on})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ExtensionDecisionForm.APPROVE:
                extensions.extension_approve(request=item, actor=request.user,
                                             due_on=data["due_on"], note=data["note"])
                messages.success(request, _("已批准%(agency)s的延期申请。") % {
                    "agency": item.assignment.agency.short_name})
            else:
                extensions.extension_reject(request=item, actor=request.user, note=data["note"])
                messages.success(request, _("已不批准%(agency)s的延期申请。") % {
                    "agency": item.assignment.agency.short_name})
        except DomainError as error:
            refuse(form, error)
        else:
            return redirect("proposals:extensions")
    return render(request, "proposals/extension_decide.html", {
        "item": item, "proposal": item.assignment.proposal, "form": form,
        "extra_days": (item.requested_due_on - item.current_due_on).days,
    })
