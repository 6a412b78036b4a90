"""延期申请: an agency asks for a later due date; the liaison staff approve or refuse.

An approved request changes the assignment's due date through
:func:`proposals.services.assignment_change_due`, so the history shows the extension
with the agency's reason beside the request's own approval or refusal.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.roles import require_agency_member, require_liaison
from core.workflow import DomainError, IllegalMove, check_move, require_reason
from history.models import StateChange
from history.moves import transition
from notifications import events as notify

from . import services
from .deadlines import day_text
from .models import Assignment, ExtensionRequest

# The longest extension one request may ask for: a request for more is a mistake in
# the date far more often than a real need, and the liaison staff can still set any date.
MAX_EXTENSION_DAYS = 366


def _lock_request(request: ExtensionRequest) -> ExtensionRequest:
    return ExtensionRequest.objects.select_for_update(of=("self",)).select_related(
        "assignment__agency", "assignment__proposal"
    ).get(pk=request.pk)


def _check_handling(assignment: Assignment) -> None:
    assignment.proposal.check_allowed("request_extension")


@action
def extension_request(
    *, assignment: Assignment, due_on: datetime.date, reason: str = "", actor=None
) -> ExtensionRequest:
    """An agency asks for ``due_on`` instead of its current due date, giving its reason."""
    require_agency_member(actor, assignment.agency)
    reason = require_reason(reason, _("申请延期"))
    services.common.lock(assignment.proposal)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related(
        "agency", "proposal").get(pk=assignment.pk)
    _check_handling(assignment)
    if assignment.answered:
        raise IllegalMove(_("本单位已答复，无需申请延期。"))
    if due_on <= assignment.due_on:
        raise DomainError(
            _("申请的期限应晚于现在的办理期限（%(due)s）。") % {"due": day_text(assignment.due_on, with_year=True)},
            field="due_on",
        )
    if (due_on - assignment.due_on).days > MAX_EXTENSION_DAYS:
        raise DomainError(_("一次申请延期不能超过一年。"), field="due_on")
    assignment.proposal.session.check_date(due_on, _("申请延期至"), field="due_on")
    if assignment.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise DomainError(_("本单位已有一份待审批的延期申请，请等待审批或先撤回。"))
    request = ExtensionRequest.objects.create(
        assignment=assignment, current_due_on=assignment.due_on, requested_due_on=due_on,
        reason=reason, requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    StateChange.record(
        request, action="request_extension", actor=actor, reason=reason,
        proposal=assignment.proposal,
        data={"agency": assignment.agency.code, "from": assignment.due_on.isoformat(),
              "to": due_on.isoformat()},
    )
    notify.extension_requested(request=request, actor=actor)
    return request


@action
def extension_approve(
    *, request: ExtensionRequest, actor=None, due_on: datetime.date | None = None, note: str = ""
) -> ExtensionRequest:
    """批准延期: the assignment's due date becomes ``due_on`` (by default the date asked for)."""
    require_liaison(actor)
    request = _lock_request(request)
    due_on = due_on or request.requested_due_on
    check_move(request, "approve")
    if due_on <= request.assignment.assigned_on:
        raise DomainError(_("批准的期限应晚于交办日期。"), field="due_on")
    assignment = request.assignment
    extend_reason = _("%(agency)s申请延期：%(reason)s") % {
        "agency": assignment.agency.short_name, "reason": request.reason}
    if note:
        extend_reason = _("%(request)s（审批意见：%(note)s）") % {"request": extend_reason, "note": note}
    services.assignment_change_due(assignment=assignment, due_on=due_on, actor=actor,
                                   reason=extend_reason)
    request.approved_due_on = due_on
    _decide(request, "approve", actor=actor, note=note)
    return request


@action
def extension_reject(*, request: ExtensionRequest, actor=None, note: str = "") -> ExtensionRequest:
    """不批准延期: the due date stays; the agency is told why."""
    require_liaison(actor)
    note = require_reason(note, _("不批准延期"))
    request = _lock_request(request)
    _decide(request, "reject", actor=actor, note=note)
    return request


@action
def extension_withdraw(*, request: ExtensionRequest, actor=None) -> ExtensionRequest:
    """撤回: the agency no longer needs the extension it asked for."""
    require_agency_member(actor, request.assignment.agency)
    request = _lock_request(request)
    request.decided_at = timezone.now()
    transition(request, "withdraw", actor=actor, proposal=request.assignment.proposal,
               update_fields=["decided_at"])
    return request


def _decide(request: ExtensionRequest, move: str, *, actor, note: str) -> None:
    request.decided_by = actor if actor is not None and actor.is_authenticated else None
    request.decided_at = timezone.now()
    request.decision_note = note or ""
    transition(
        request, move, actor=actor, reason=note, proposal=request.assignment.proposal,
        update_fields=["decided_by", "decided_at", "decision_note", "approved_due_on"],
        data={"agency": request.assignment.agency.code,
              "to": (request.approved_due_on or request.requested_due_on).isoformat()},
    )
    notify.extension_decided(request=request, actor=actor)
