"""Review (审查): 立案, 转为意见建议, 撤案, 并案."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actions import action
from core.roles import require_liaison
from core.workflow import (
    DomainError,
    check_move,
    require_reason,
)
from history.moves import transition

from ..models import (
    Proposal,
)
from .common import lock

# ---------------------------------------------------------------- review (审查)


@action
def proposal_register(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """立案: accept the proposal for handling."""
    require_liaison(actor)
    proposal = lock(proposal)
    if not proposal.recommendations.exists():
        raise DomainError(_("提案至少要有一条建议才能立案。"), field="recommendations")
    transition(proposal, "register", actor=actor, reason=reason)
    return proposal


@action
def proposal_convert(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """不予立案，转为意见建议."""
    require_liaison(actor)
    reason = require_reason(reason, _("转为意见建议"))
    proposal = lock(proposal)
    transition(proposal, "convert", actor=actor, reason=reason)
    return proposal


@action
def proposal_withdraw(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """撤案."""
    require_liaison(actor)
    reason = require_reason(reason, _("撤案"))
    proposal = lock(proposal)
    transition(proposal, "withdraw", actor=actor, reason=reason)
    return proposal


# States of a proposal that cannot take in another (并案的主提案).
NOT_MERGEABLE_INTO = {Proposal.State.MERGED, Proposal.State.WITHDRAWN, Proposal.State.CONVERTED}


@action
def proposal_merge(*, proposal: Proposal, into: Proposal, actor=None, reason: str = "") -> Proposal:
    """并案: ``proposal`` is handled together with ``into``, a proposal of its session.

    Both rows are locked (in id order). Proposals merged earlier into ``proposal``
    follow it into ``into``.
    """
    require_liaison(actor)
    locked = {p.pk: p for p in Proposal.objects.select_for_update().filter(
        pk__in=[proposal.pk, into.pk]).order_by("pk")}
    proposal, into = locked[proposal.pk], locked[into.pk]
    check_move(proposal, "merge")
    if proposal.pk == into.pk:
        raise DomainError(_("提案不能并入自身。"), field="into")
    if into.session_id != proposal.session_id:
        raise DomainError(_("只能并入同一届次会议的提案，第%(number)s号提案属于另一届次会议。")
                          % {"number": into.number}, field="into")
    if into.state in NOT_MERGEABLE_INTO:
        raise DomainError(_("第%(number)s号提案当前状态为“%(state)s”，不能作为并案的主提案。")
                          % {"number": into.number, "state": into.get_state_display()}, field="into")
    followers = Proposal.objects.filter(merged_into=proposal)
    numbers = sorted(followers.values_list("number", flat=True))
    followers.update(merged_into=into)
    proposal.merged_into = into
    transition(proposal, "merge", actor=actor, reason=(reason or "").strip(),
               update_fields=["merged_into"], data={"into": into.number, "with": numbers})
    return proposal
