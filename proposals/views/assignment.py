"""交办: assigning a proposal, adding an agency, changing a due date, withdrawing an
assignment made in error."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.pages import liaison_only, refuse
from core.workflow import ConcurrentEdit, DomainError
from search.suggestions import Suggestion, suggest_agencies

from .. import refusals, services
from ..deadlines import UnknownCalendarYear
from ..forms import (
    AssignmentAddForm,
    AssignmentDueForm,
    AssignmentFormSet,
    ReasonForm,
    due_rules_text,
    formset_from_rows,
    initial_assignment_rows,
    raw_rows,
)
from ..models import (
    Assignment,
    Proposal,
)
from ..selectors import (
    date_text,
)
from .common import (
    apply_row_op,
    page,
    proposal_or_404,
    resubmittable,
    visible_proposals,
)

# ---------------------------------------------------------------- assignment (交办)


def _due_hint(proposal: Proposal, today: datetime.date) -> list[str]:
    """The assign form's help on deadlines: the session's rules, then the dates they give
    for an assignment made today and how those were computed."""
    session = proposal.session
    lines = [_("办理期限留空则按本届规定自动计算：%(rules)s（工作日按国家法定节假日和调休安排计算，交办当日不计）。") % {
        "rules": due_rules_text(session)}]
    try:
        lead = session.due_date_for(Assignment.Role.LEAD, today)
        co = session.due_date_for(Assignment.Role.CO, today)
    except UnknownCalendarYear as error:
        lines.append(refusals.ENTER_DUE_DATE % {"error": error})
    else:
        lines.append(_("今天交办的主办、分办单位：%(explanation)s") % {"explanation": lead.explanation})
        lines.append(_("今天交办的会办单位：%(explanation)s") % {"explanation": co.explanation})
    return lines


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_assign(request, pk: int):
    """交办: a lead agency and any co-handling or separate agencies, with deadlines."""
    proposal = proposal_or_404(request, pk)
    today = timezone.localdate()
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("op"):
        result = apply_row_op(request.POST, request.POST["op"])
        rows = raw_rows(request.POST, "assignments")
        formset = result[1] if result and result[0] == "assignments" else formset_from_rows("assignments", rows)
    elif request.method == "POST":
        formset = AssignmentFormSet(request.POST, prefix="assignments")
        if formset.is_valid():
            try:
                services.proposal_assign(
                    proposal=proposal, assignments=formset.items(proposal.session, today),
                    actor=request.user,
                )
            except DomainError as error:
                errors.append(error.message)
            except UnknownCalendarYear as error:
                errors.append(refusals.ENTER_DUE_DATE % {"error": error})
            else:
                messages.success(request, _("第%(number)s号提案已交办。") % {"number": proposal.number})
                return redirect("proposals:detail", pk=proposal.pk)
    suggestion = _suggestion(proposal)
    filled = False
    if request.method == "GET":
        rows = initial_assignment_rows(today)
        if request.GET.get("suggested") == "1" and suggestion:
            rows, filled = _suggested_rows(suggestion, today), True
        formset = formset_from_rows("assignments", rows)
    return page(request, "proposals/assign.html", {
        "proposal": proposal,
        "assignments": formset,
        "assignments_errors": errors,
        "due_hint": _due_hint(proposal, today),
        "warning": proposal.refusal("assign"),
        "suggestion": suggestion,
        "filled": filled,
    })


def _suggestion(proposal: Proposal) -> Suggestion:
    """Agencies suggested from earlier assignments, while the proposal waits to be assigned."""
    if proposal.state != Proposal.State.REGISTERED:
        return Suggestion([], [])
    return suggest_agencies(proposal)


def _suggested_rows(suggestion: Suggestion, today: datetime.date) -> list[dict]:
    """The form's rows filled in with the suggestion: staff check them and assign, or not."""
    rows = [{"agency": suggestion.lead.agency.pk, "role": Assignment.Role.LEAD, "assigned_on": today}]
    rows += [{"agency": vote.agency.pk, "role": Assignment.Role.CO, "assigned_on": today}
             for vote in suggestion.co_handlers]
    return rows


def _assignment(request, pk: int) -> Assignment:
    assignments = Assignment.objects.select_related("agency", "proposal__session").filter(
        proposal__in=visible_proposals(request)
    )
    return get_object_or_404(assignments, pk=pk)


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_add(request, pk: int):
    """增加承办单位 to a proposal being handled."""
    proposal = proposal_or_404(request, pk)
    form = AssignmentAddForm(request.POST or None, proposal=proposal,
                             initial={"assigned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_add(
                proposal=proposal, agency=data["agency"], role=data["role"],
                assigned_on=data["assigned_on"], due_on=form.due_on_value(),
                reason=data["reason"], actor=request.user,
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已增加%(agency)s为%(role)s单位。") % {
                "agency": assignment.agency.name, "role": assignment.get_role_display()})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": _("增加承办单位"),
        "form": form,
        "submit_label": _("增加"),
        "warning": proposal.refusal("change_assignments"),
    })


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_change_due(request, pk: int):
    """调整办理期限 of one assignment, with a reason."""
    assignment = _assignment(request, pk)
    proposal = assignment.proposal
    form = AssignmentDueForm(request.POST or None,
                             initial={"due_on": assignment.due_on, "version": assignment.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_change_due(
                assignment=assignment, due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"], actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEdit as error:
            saved, typed = error.changes["due_on"], form.cleaned_data["due_on"]
            conflict = [{"label": _("办理期限"), "saved": date_text(saved.isoformat()),
                         "typed": date_text(typed.isoformat()), "differs": saved != typed}]
            form = resubmittable(AssignmentDueForm, request.POST, "version", error)
            assignment.refresh_from_db()
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已调整%(agency)s的办理期限。") % {"agency": assignment.agency.name})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "assignment": assignment,
        "title": _("调整办理期限"),
        "form": form,
        "conflict": conflict,
        "submit_label": _("保存"),
        "warning": proposal.refusal("change_assignments"),
    })


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_remove(request, pk: int):
    """撤回交办 made in error, before the agency has written anything."""
    assignment = _assignment(request, pk)
    proposal = assignment.proposal
    form = ReasonForm(request.POST or None, reason_help=_("例如：交办单位有误。"))
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_remove(
                assignment=assignment, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已撤回对%(agency)s的交办。") % {"agency": assignment.agency.name})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "assignment": assignment,
        "title": _("撤回交办"),
        "form": form,
        "submit_label": _("撤回交办"),
        "warning": proposal.refusal("change_assignments"),
        "danger": True,
    })
