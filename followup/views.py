"""回头看: every commitment by agency and session, and an agency's progress reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.pages import refuse, require
from core.roles import agency_ids, is_agency_member, is_liaison
from core.workflow import ConcurrentEdit, DomainError
from proposals.models import Proposal
from proposals.services.common import today

from . import services
from .forms import ListFilter, ReportForm
from .models import Commitment
from .selectors import followup_list

PAGE_SIZE = 50


def _may_follow(user) -> bool:
    return is_liaison(user) or bool(agency_ids(user))


@login_required
@require_http_methods(["GET"])
def commitment_list(request):
    """承诺事项: liaison staff see every agency's; agency staff their own."""
    require(_may_follow, request.user, _("只有提案委工作人员和承办单位工作人员可以查看承诺事项。"))
    day = today()
    form = ListFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or "open"
    rows = followup_list(request.user, today=day, session=data.get("session"), agency=data.get("agency"),
                         state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "followup/list.html", {
        "form": form, "page": page, "today": day, "state": state, "query": query.urlencode(),
        "liaison": is_liaison(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def commitment_detail(request, pk: int):
    """One commitment, its reports, and the agency's form to report progress."""
    require(_may_follow, request.user, _("只有提案委工作人员和承办单位工作人员可以查看承诺事项。"))
    # Read by those who read the proposal's approved sections: liaison staff and the
    # agencies assigned to it. Only the commitment's own agency reports.
    commitment = get_object_or_404(
        Commitment.objects.made().filter(proposal__in=Proposal.objects.visible_to(request.user)).select_related(
            "agency", "proposal__session", "section__recommendation", "section__adoption"),
        pk=pk)
    may_report = is_agency_member(request.user, commitment.agency)
    form = ReportForm(request.POST or None, initial={"version": commitment.version})
    conflict = False
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied(
                _("只有%(agency)s的工作人员可以报告落实进展。") % {"agency": commitment.agency.short_name})
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.commitment_report(commitment=commitment, status=data["status"], text=data["text"],
                                           actor=request.user, expected_version=data["version"])
            except ConcurrentEdit:
                conflict = True
                data = request.POST.copy()
                commitment.refresh_from_db()
                data["version"] = str(commitment.version)
                form = ReportForm(data)
                form.is_valid()
                form.add_error(None, _("在您打开本页之后，已有人报告了这项承诺的落实进展（见下方记录）。"
                                       "核对后如仍需报告，请再次提交。"))
            except DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, _("落实进展已报告。"))
                return redirect("followup:detail", pk=commitment.pk)
    return render(request, "followup/detail.html", {
        "commitment": commitment, "reports": list(commitment.reports.select_related("reported_by")),
        "form": form if may_report else None, "today": today(), "conflict": conflict,
        "days_overdue": commitment.days_overdue(today()),
    })
