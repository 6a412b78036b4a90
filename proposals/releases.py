"""退办 / 改办: an agency asks to be released from an assignment that is not its business;
the liaison staff release it and hand the work to the right agency in the same step, or
refuse with a reason.

An agency may ask within its session's ``release_days`` working days of being assigned,
before it has written anything for the proposal. Approving removes the assignment and, when
an agency is named, creates the new one with the released role and a due date counted from
the day of reassignment. The history records the request, the decision and the new
assignment; the statistics count the approved requests per agency (退办率).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.roles import require_agency_member, require_liaison
from core.workflow import DomainError, IllegalMove, check_move, require_reason
from history.models import StateChange
from history.moves import transition
from notifications import events as notify

from . import services
from .deadlines import day_text
from .models import Assignment, ReleaseRequest
from .services.assignment import check_dates, has_written, validate_roles


def release_until(assignment: Assignment) -> datetime.date | None:
    """The last day ``assignment``'s agency may ask to be released (None: never)."""
    return assignment.proposal.session.release_until(assignment.assigned_on)


def release_refusal(assignment: Assignment, today: datetime.date | None = None) -> str | None:
    """Why ``assignment``'s agency may not ask to be released ``today`` (by default the
    services' today), or None if it may."""
    today = today or services.common.today()
    refusal = assignment.proposal.refusal("request_release")
    if refusal:
        return refusal
    if assignment.answered:
        return _("本单位已答复，不能再申请退办。")
    last = release_until(assignment)
    if last is None:
        return _("本届会议不接受退办申请，请与提案委联系。")
    if today > last:
        return _("交办已超过%(days)s个工作日（退办申请截至%(last)s），不能再申请退办，请与提案委联系。") % {
            "days": assignment.proposal.session.release_days, "last": day_text(last, with_year=True)}
    if has_written(assignment.proposal, assignment.agency):
        return _("本单位已撰写办理意见或答复函，不能申请退办。")
    return None


def _lock(request: ReleaseRequest) -> ReleaseRequest:
    return ReleaseRequest.objects.select_for_update(of=("self",)).select_related(
        "agency", "proposal__session", "assignment", "suggested_agency").get(pk=request.pk)


@action
def release_request(*, assignment: Assignment, reason: str = "", suggested_agency: Agency | None = None,
                    actor=None) -> ReleaseRequest:
    """退办申请: ``assignment``'s agency says the proposal is not its business, why, and
    (optionally) which agency it thinks is right."""
    require_agency_member(actor, assignment.agency)
    reason = require_reason(reason, _("申请退办"))
    proposal = services.common.lock(assignment.proposal)
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related(
        "agency", "proposal__session").get(pk=assignment.pk)
    refusal = release_refusal(assignment)
    if refusal:
        raise IllegalMove(refusal)
    if suggested_agency is not None and suggested_agency.pk == assignment.agency_id:
        raise DomainError(_("建议的承办单位不能是本单位。"), field="suggested_agency")
    if ReleaseRequest.objects.filter(assignment=assignment, state=ReleaseRequest.State.PENDING).exists():
        raise DomainError(_("本单位已有一份待审批的退办申请，请等待审批或先撤回。"))
    request = ReleaseRequest.objects.create(
        proposal=proposal, agency=assignment.agency, assignment=assignment, role=assignment.role,
        assigned_on=assignment.assigned_on, reason=reason, suggested_agency=suggested_agency,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    StateChange.record(
        request, action="request_release", actor=actor, reason=reason, proposal=proposal,
        data={"agency": assignment.agency.code, "role": assignment.role,
              "suggested": suggested_agency.code if suggested_agency else None},
    )
    notify.release_requested(request=request, actor=actor)
    return request


@action
def release_approve(*, request: ReleaseRequest, actor=None, agency: Agency | None = None,
                    assigned_on: datetime.date | None = None, due_on: datetime.date | None = None,
                    note: str = "") -> ReleaseRequest:
    """同意退办: the assignment is removed; with ``agency``, the proposal is handed to it in
    the same role (改办) from ``assigned_on`` (today by default) to ``due_on`` (by default the
    session's rule for that role)."""
    require_liaison(actor)
    request = _lock(request)
    proposal = services.common.lock(request.proposal)
    check_move(request, "approve")
    proposal.check_allowed("change_assignments")
    released = request.assignment
    if released is None:
        raise IllegalMove(_("这项交办已被撤回，无需再审批退办。"))
    if has_written(proposal, request.agency):
        raise IllegalMove(_("%(agency)s已有办理意见或答复函，不能退办。") % {"agency": request.agency.name})
    others = list(proposal.assignments.exclude(pk=released.pk).select_related("agency"))
    if agency is not None:
        if not agency.is_active:
            raise DomainError(_("%(agency)s已停用，不能交办。") % {"agency": agency.name}, field="agency")
        if agency.pk == request.agency_id or any(a.agency_id == agency.pk for a in others):
            raise DomainError(_("%(agency)s已是本提案的承办单位。") % {"agency": agency.name}, field="agency")
    roles = [a.role for a in others] + ([request.role] if agency is not None else [])
    try:
        validate_roles(roles)
    except DomainError:
        raise DomainError(_("%(agency)s是主办单位，同意退办时须指定改办的单位。") % {
            "agency": request.agency.short_name}, field="agency") from None
    new = None
    if agency is not None:
        assigned_on = assigned_on or services.common.today()
        due_on = due_on or proposal.session.due_date_for(request.role, assigned_on).date
        check_dates(proposal.session, agency, assigned_on, due_on, field="due_on")
    request.reassigned_to = agency
    _decide(request, "approve", actor=actor, note=note)
    released.delete()
    if agency is not None:
        new = Assignment.objects.create(proposal=proposal, agency=agency, role=request.role,
                                        assigned_on=assigned_on, due_on=due_on)
        StateChange.record(
            new, action="reassign", actor=actor, proposal=proposal,
            reason=_("%(agency)s退办，改由%(to)s办理") % {"agency": request.agency.short_name,
                                                   "to": agency.short_name},
            data={"agency": agency.code, "role": request.role, "from": request.agency.code,
                  "due_on": due_on.isoformat()},
        )
        notify.assignment_added(assignment=new, actor=actor)
    return request


@action
def release_refuse(*, request: ReleaseRequest, actor=None, note: str = "") -> ReleaseRequest:
    """不同意退办: the agency keeps the assignment and is told why."""
    require_liaison(actor)
    note = require_reason(note, _("不同意退办"))
    request = _lock(request)
    _decide(request, "refuse", actor=actor, note=note)
    return request


@action
def release_withdraw(*, request: ReleaseRequest, actor=None) -> ReleaseRequest:
    """撤回: the agency takes its request back."""
    require_agency_member(actor, request.agency)
    request = _lock(request)
    request.decided_at = timezone.now()
    transition(request, "withdraw", actor=actor, proposal=request.proposal, update_fields=["decided_at"])
    return request


def _decide(request: ReleaseRequest, move: str, *, actor, note: str) -> None:
    request.decided_by = actor if actor is not None and actor.is_authenticated else None
    request.decided_at = timezone.now()
    request.decision_note = note or ""
    transition(
        request, move, actor=actor, reason=note, proposal=request.proposal,
        update_fields=["decided_by", "decided_at", "decision_note", "reassigned_to"],
        data={"agency": request.agency.code,
              "to": request.reassigned_to.code if request.reassigned_to else None},
    )
    notify.release_decided(request=request, actor=actor)
