"""交办: assigning a proposal and changing its assignments."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.concurrency import check_version
from core.roles import require_liaison
from core.workflow import (
    DomainError,
    require_reason,
)
from history.models import StateChange
from history.moves import transition
from notifications import events as notify

from .. import refusals
from ..models import (
    Assignment,
    Proposal,
    Session,
)
from .common import lock

# ---------------------------------------------------------------- assignment (交办)


def validate_roles(roles: list[str]) -> None:
    leads = roles.count(Assignment.Role.LEAD)
    if leads > 1:
        raise DomainError(_("一件提案只能有一个主办单位。"), field="assignments")
    if leads == 0 and Assignment.Role.CO in roles:
        raise DomainError(_("有会办单位时必须指定主办单位。"), field="assignments")
    if leads == 0 and Assignment.Role.SEPARATE not in roles:
        raise DomainError(_("须指定一个主办单位，或至少一个分办单位。"), field="assignments")


def check_dates(session: Session, agency: Agency, assigned_on, due_on, *, field="assignments") -> None:
    if not assigned_on or not due_on:
        raise DomainError(_("交办日期和办理期限都必须填写。"), field=field)
    session.check_date(assigned_on, _("%(agency)s的交办日期") % {"agency": agency.short_name}, field=field)
    session.check_date(due_on, _("%(agency)s的办理期限") % {"agency": agency.short_name}, field=field)
    if due_on < assigned_on:
        raise DomainError(
            _("%(agency)s的办理期限（%(due)s）早于交办日期（%(assigned)s）。")
            % {"agency": agency.short_name, "due": due_on, "assigned": assigned_on},
            field="assignments",
        )


@action
def proposal_assign(*, proposal: Proposal, assignments: Iterable[Mapping], actor=None) -> Proposal:
    """交办: hand a registered proposal to its agencies.

    ``assignments`` is a list of ``{"agency", "role", "assigned_on", "due_on"}``.
    """
    require_liaison(actor)
    proposal = lock(proposal)
    items = list(assignments)
    if not items:
        raise DomainError(refusals.NO_AGENCY, field="assignments")
    agencies = [item["agency"] for item in items]
    if len({a.pk for a in agencies}) != len(agencies):
        raise DomainError(refusals.AGENCY_TWICE, field="assignments")
    validate_roles([item["role"] for item in items])
    for item in items:
        agency = item["agency"]
        if not agency.is_active:
            raise DomainError(_("%(agency)s已停用，不能交办。") % {"agency": agency.name})
        if item["role"] not in Assignment.Role.values:
            raise DomainError(_("承办方式“%(role)s”无效。") % {"role": item["role"]})
        check_dates(proposal.session, agency, item.get("assigned_on"), item.get("due_on"))
    transition(proposal, "assign", actor=actor, data={
        "assignments": [
            {"agency": i["agency"].code, "role": i["role"], "due_on": i["due_on"].isoformat()}
            for i in items
        ]
    })
    Assignment.objects.bulk_create(
        Assignment(
            proposal=proposal,
            agency=item["agency"],
            role=item["role"],
            assigned_on=item["assigned_on"],
            due_on=item["due_on"],
        )
        for item in items
    )
    notify.proposal_assigned(proposal=proposal, actor=actor)
    return proposal




@action
def assignment_add(
    *, proposal: Proposal, agency: Agency, role: str, assigned_on, due_on, actor=None, reason: str = ""
) -> Assignment:
    """Add an agency to a proposal already being handled (e.g. a further co-handler)."""
    require_liaison(actor)
    reason = require_reason(reason, _("增加承办单位"))
    proposal = lock(proposal)
    proposal.check_allowed("add_assignment")
    if proposal.assignments.filter(agency=agency).exists():
        raise DomainError(_("%(agency)s已是本提案的承办单位。") % {"agency": agency.name})
    validate_roles([*proposal.assignments.values_list("role", flat=True), role])
    check_dates(proposal.session, agency, assigned_on, due_on, field="due_on")
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_on=assigned_on, due_on=due_on
    )
    StateChange.record(
        assignment, action="add_assignment", actor=actor, reason=reason, proposal=proposal,
        data={"agency": agency.code, "role": role, "due_on": due_on.isoformat()},
    )
    notify.assignment_added(assignment=assignment, actor=actor)
    return assignment


@action
def assignment_change_due(
    *, assignment: Assignment, due_on: datetime.date, actor=None, reason: str = "",
    expected_version: int | None = None,
) -> Assignment:
    """Change or extend (延期) an assignment's due date; the reason is kept in the history.

    ``expected_version``: the version the page was loaded at; a change over someone else's
    made since is refused with the date they saved.
    """
    require_liaison(actor)
    reason = require_reason(reason, _("调整办理期限"))
    proposal = lock(assignment.proposal)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    check_version(assignment, expected_version, ["due_on"])
    proposal.check_allowed("change_due")
    check_dates(proposal.session, assignment.agency, assignment.assigned_on, due_on, field="due_on")
    previous = assignment.due_on
    assignment.due_on = due_on
    assignment.version += 1
    assignment.save(update_fields=["due_on", "version", "updated_at"])
    StateChange.record(
        assignment, action="extend", actor=actor, reason=reason, proposal=proposal,
        data={"agency": assignment.agency.code, "from": previous.isoformat(), "to": due_on.isoformat()},
    )
    return assignment


def has_written(proposal: Proposal, agency: Agency) -> bool:
    """Whether ``agency`` has written a section or a letter for ``proposal``: its assignment
    can then no longer be withdrawn or released."""
    from replies.models import ReplyLetter, Section

    return (Section.objects.filter(recommendation__proposal=proposal, agency=agency).exists()
            or ReplyLetter.objects.filter(proposal=proposal, agency=agency).exists())


@action
def assignment_remove(*, assignment: Assignment, actor=None, reason: str = "") -> None:
    """Withdraw an assignment made in error, before its agency has written anything."""
    require_liaison(actor)
    reason = require_reason(reason, _("撤回交办"))
    proposal = lock(assignment.proposal)
    proposal.check_allowed("remove_assignment")
    if has_written(proposal, assignment.agency):
        raise DomainError(
            _("%(agency)s已有办理意见或答复函，不能撤回交办。") % {"agency": assignment.agency.name}
        )
    remaining = list(proposal.assignments.exclude(pk=assignment.pk).values_list("role", flat=True))
    validate_roles(remaining)
    StateChange.record(
        assignment, action="remove_assignment", actor=actor, reason=reason, proposal=proposal,
        data={"agency": assignment.agency.code, "role": assignment.role},
    )
    for request in assignment.release_requests.filter(state="pending"):  # 退办 made moot
        request.decided_at = timezone.now()
        transition(request, "withdraw", actor=actor, proposal=proposal, reason=_("交办已撤回"),
                   update_fields=["decided_at"])
    assignment.delete()
