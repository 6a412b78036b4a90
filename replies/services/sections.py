"""Sections (办理意见): drafted, submitted, approved or returned, revised."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.concurrency import check_version
from core.roles import require_agency_member, require_approver
from core.workflow import (
    DomainError,
    IllegalMove,
    require_reason,
)
from followup.models import Commitment
from followup.rules import WHAT_MAX, needs_commitment
from history.models import StateChange
from history.moves import transition
from notifications import events as notify
from proposals.models import (
    Proposal,
    Recommendation,
)

from ..models import ReplyLetter, Section
from .common import adoption_of, assignment_of, lock_section, require_handling

# ---------------------------------------------------------------- sections (办理意见)

_UNCHANGED = object()


def _keep_commitment(section: Section, commitment, actor=None) -> None:
    """承诺事项: ``commitment`` is (what, due_on), None to remove it, or _UNCHANGED.

    Only a section whose adoption status carries one (正在落实, 列入计划) keeps it; it is
    written while the section is drafted and made when the section is approved. A
    commitment once made is followed up for good: revising the section may reword it or
    move its date, never remove it (nor its progress reports).
    """
    existing = Commitment.objects.filter(section=section).first()
    made = existing is not None and existing.made_at is not None
    if not needs_commitment(section.adoption) or commitment is None:
        if existing is not None and not made:
            existing.delete()
        return
    if commitment is _UNCHANGED:
        return
    what, due_on = commitment
    what = (what or "").strip()
    if not what or due_on is None:
        raise DomainError(_("承诺事项和完成时限要一并填写。"), field="commitment_what" if not what else "commitment_due")
    if len(what) > WHAT_MAX:
        raise DomainError(_("承诺事项不能超过%(n)s字。") % {"n": WHAT_MAX}, field="commitment_what")
    if made and (what, due_on) != (existing.what, existing.due_on):
        # The promise itself changed: its reports were about the old one. The history
        # keeps both, and the follow-up starts again from 未报告.
        StateChange.record(existing, action="change_commitment", source=existing.status,
                           target=Commitment.Status.OPEN, actor=actor, proposal=section.proposal,
                           reason=_("原承诺：%(what)s（%(due)s前完成）") % {
                               "what": existing.what, "due": existing.due_on.isoformat()},
                           data={"agency": section.agency.code, "from": existing.due_on.isoformat(),
                                 "to": due_on.isoformat()})
        existing.status = Commitment.Status.OPEN
        existing.what, existing.due_on = what, due_on
        existing.version += 1
        existing.save(update_fields=["status", "what", "due_on", "version", "updated_at"])
        return
    Commitment.objects.update_or_create(section=section, defaults={
        "what": what, "due_on": due_on, "proposal_id": section.recommendation.proposal_id,
        "agency_id": section.agency_id})


@action
def section_create(
    *, recommendation: Recommendation, agency: Agency, actor=None, adoption=None, body: str = "",
    position: int | None = None, commitment=None,
) -> Section:
    """Start an agency's answer to a recommendation, as a draft; ``commitment`` is (what, due_on)."""
    require_agency_member(actor, agency)
    proposal = Proposal.objects.select_for_update().get(pk=recommendation.proposal_id)
    require_handling(proposal)
    assignment_of(proposal, agency)
    if position is None:
        position = (recommendation.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    if Section.objects.filter(recommendation=recommendation, agency=agency, position=position).exists():
        raise DomainError(_("该位置已有本单位的办理意见。"), field="position")
    section = Section.objects.create(
        recommendation=recommendation, agency=agency, adoption=adoption_of(adoption),
        body=(body or "").strip(), position=position,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    _keep_commitment(section, commitment, actor)
    StateChange.record(section, action="create", target=section.state, actor=actor, proposal=proposal)
    return section


@action
def section_update(
    *, section: Section, actor=None, expected_version: int | None = None, adoption=None,
    body: str | None = None, position: int | None = None, commitment=_UNCHANGED,
) -> Section:
    """Edit a draft section. ``expected_version`` guards against overwriting another's save.
    ``commitment``: (what, due_on), or None to remove it."""
    section = lock_section(section)
    require_agency_member(actor, section.agency)
    changes = {"adoption": adoption, "body": body, "position": position}
    check_version(section, expected_version, {k for k, v in changes.items() if v is not None})
    if section.state != Section.State.DRAFT:
        raise IllegalMove(
            _("办理意见当前状态为“%(state)s”，只有草稿可以修改。") % {"state": section.get_state_display()}
        )
    if adoption is not None:
        section.adoption = adoption_of(adoption)
    if body is not None:
        section.body = body.strip()
    if position is not None and position != section.position:
        if Section.objects.filter(recommendation_id=section.recommendation_id, agency=section.agency,
                                  position=position).exists():
            raise DomainError(_("该位置已有本单位的办理意见。"), field="position")
        section.position = position
    section.version += 1
    section.save()
    _keep_commitment(section, commitment, actor)
    StateChange.record(section, action="update", actor=actor, proposal=section.proposal,
                       data={"fields": sorted(k for k, v in changes.items() if v is not None)})
    return section


@action
def section_submit(*, section: Section, actor=None) -> Section:
    """Send a draft to the agency's approver."""
    section = lock_section(section)
    require_agency_member(actor, section.agency)
    require_handling(section.proposal)
    missing = []
    if section.adoption_id is None:
        missing.append(_("采纳情况"))
    if not section.body.strip():
        missing.append(_("办理意见正文"))
    if needs_commitment(section.adoption) and not Commitment.objects.filter(section=section).exists():
        missing.append(_("承诺事项和完成时限（“%(adoption)s”须写明将做什么、何时完成）")
                       % {"adoption": section.adoption.label})
    if missing:
        raise DomainError(_("提交前请填写：%(fields)s。") % {"fields": "、".join(missing)})
    section.version += 1
    transition(section, "submit", actor=actor, update_fields=["version"])
    notify.section_submitted(section=section, actor=actor)
    return section


@action
def section_approve(*, section: Section, actor=None) -> Section:
    """The agency's approver accepts the section."""
    section = lock_section(section)
    require_approver(actor, section.agency)
    require_handling(section.proposal)
    section.version += 1
    transition(section, "approve", actor=actor, update_fields=["version"])
    Commitment.objects.filter(section=section, made_at__isnull=True).update(made_at=timezone.now())
    return section


@action
def section_return(*, section: Section, actor=None, reason: str = "") -> Section:
    """The approver sends the section back to draft, saying why."""
    section = lock_section(section)
    require_approver(actor, section.agency)
    reason = require_reason(reason, _("退回办理意见"))
    section.version += 1
    transition(section, "return", actor=actor, reason=reason, update_fields=["version"])
    notify.section_returned(section=section, actor=actor, reason=reason)
    return section


@action
def section_revise(*, section: Section, actor=None, reason: str = "") -> Section:
    """Reopen an approved section for changes, while no signed letter of this round holds it."""
    section = lock_section(section)
    require_agency_member(actor, section.agency)
    reason = require_reason(reason, _("重新修改办理意见"))
    proposal = section.proposal
    require_handling(proposal)
    pending = ReplyLetter.objects.current().filter(proposal=proposal, round=proposal.round)
    if pending.exclude(state=ReplyLetter.State.DRAFT).exists():
        raise IllegalMove(_("本轮答复函已送签或签发，办理意见不能再修改；如需修改，请先退回答复函。"))
    section.version += 1
    transition(section, "revise", actor=actor, reason=reason, update_fields=["version"])
    return section
