"""Answered (已答复), feedback (征询意见), closing (办结) and reopening (重新办理)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from core.actions import action
from core.roles import require_liaison
from core.workflow import (
    ConcurrentEdit,
    DomainError,
    require_reason,
)
from history.models import StateChange
from history.moves import transition
from notifications import events as notify

from .. import refusals
from ..deadlines import UnknownCalendarYear
from ..models import (
    HANDLING_STATES,
    Feedback,
    Proposal,
    Satisfaction,
)
from ..ratings import dissatisfied
from . import common
from .common import lock

# ---------------------------------------------------------------- reply, feedback, closing


@action
def proposal_mark_replied_if_complete(*, proposal: Proposal, actor=None) -> bool:
    """Move the proposal to 已答复 once every answering agency has signed its letter this round.

    Called by the letter services inside their transaction.
    """
    from replies.models import ReplyLetter

    proposal = lock(proposal)
    if proposal.state not in HANDLING_STATES:
        return False
    answering = set(proposal.assignments.answering().values_list("agency_id", flat=True))
    signed = set(
        ReplyLetter.objects.final().filter(proposal=proposal, round=proposal.round)
        .values_list("agency_id", flat=True)
    )
    if not answering or not answering <= signed:
        return False
    transition(proposal, "reply", actor=actor)
    return True


def _check_satisfaction(value: str, what: str) -> None:
    if value not in Satisfaction.values:
        raise DomainError(
            _("%(what)s的评价“%(value)s”无效，应为满意、基本满意或不满意。") % {"what": what, "value": value},
            field=what,
        )


@action
def feedback_record(
    *, proposal: Proposal, handling: str, result: str, received_on: datetime.date | None = None,
    comment: str = "", actor=None, expected_recorded: int | None = None, proposer=None,
) -> Feedback:
    """Record the proposer's view (征询意见表) of an answered proposal.

    ``expected_recorded``: how many forms of this round were recorded when the page was
    loaded. When someone has recorded one since, this one is refused and shown theirs —
    the same paper form is not recorded twice; saving again records it as another form.
    """
    require_liaison(actor)
    proposal = lock(proposal)
    proposal.check_allowed("feedback")
    recorded = proposal.feedback.filter(round=proposal.round)
    if expected_recorded is not None and recorded.count() != expected_recorded:
        latest = recorded.order_by("-id").first()
        raise ConcurrentEdit(
            _("登记失败：在您填写期间，已有人登记了本轮的反馈。请核对是否为同一份征询意见表；"
              "如确为另一份，再次点击登记即可。"),
            changes={name: getattr(latest, name) for name in ("handling", "result", "received_on", "comment")}
            if latest is not None else {},
            current_version=recorded.count(),
        )
    _check_satisfaction(handling, "handling")
    _check_satisfaction(result, "result")
    received_on = received_on or common.today()
    if received_on > common.today():
        raise DomainError(refusals.RECEIVED_IN_THE_FUTURE, field="received_on")
    proposal.session.check_date(received_on, _("收到日期"), field="received_on")
    feedback = Feedback.objects.create(
        proposal=proposal, round=proposal.round, received_on=received_on, handling=handling,
        result=result, comment=comment or "", recorded_by=actor if actor and actor.is_authenticated else None,
        proposer=proposer if proposer is not None and proposal.signatures.filter(proposer=proposer).exists()
        else None,
    )
    StateChange.record(
        feedback, action="feedback", actor=actor, proposal=proposal,
        data={"handling": handling, "result": result},
    )
    notify.feedback_recorded(feedback=feedback, actor=actor)
    return feedback


@action
def proposal_close(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """办结. Closing over a 不满意 needs a reason."""
    require_liaison(actor)
    proposal = lock(proposal)
    if dissatisfied(proposal):
        reason = require_reason(reason, _("提案者表示不满意，办结"))
    transition(proposal, "close", actor=actor, reason=reason)
    return proposal


@action
def proposal_reopen(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """重新办理: after 不满意 (or with a stated reason), the agencies answer again."""
    require_liaison(actor)
    proposal = lock(proposal)
    if not dissatisfied(proposal):
        reason = require_reason(reason, _("提案者未表示不满意，重新办理"))
    reopened_on = common.today()
    due = _rehandling_due(proposal, reopened_on)
    proposal.round += 1
    transition(proposal, "reopen", actor=actor, reason=reason, update_fields=["round"],
               data={"round": proposal.round})
    for assignment in proposal.assignments.select_for_update(of=("self",)).select_related("agency"):
        previous = assignment.due_on
        assignment.due_on = due.date
        assignment.version += 1
        assignment.save(update_fields=["due_on", "version", "updated_at"])
        StateChange.record(
            assignment, action="rehandling_due", actor=actor, proposal=proposal,
            data={"agency": assignment.agency.code, "from": previous.isoformat(),
                  "to": due.date.isoformat(), "start": reopened_on.isoformat()},
        )
    notify.proposal_reopened(proposal=proposal, actor=actor, reason=reason)
    return proposal


def _rehandling_due(proposal: Proposal, reopened_on: datetime.date):
    """The session's re-handling period (重新办理期限) counted from the day of reopening.

    A working-day period in a year whose official calendar is unknown is refused, not
    guessed: the liaison staff can change the session's rule or wait for the calendar.
    """
    try:
        return proposal.session.due_date("rehandling", reopened_on)
    except UnknownCalendarYear as error:
        raise DomainError(str(error)) from error
