"""Logging (录入) and editing a proposal, with its proposers and recommendations."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from core.actions import action
from core.concurrency import check_version
from core.roles import require_liaison
from core.workflow import (
    DomainError,
)
from history.models import StateChange

from ..models import (
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)
from . import common
from .common import allocate_proposal_number, full_clean, lock, note_proposal_number

# ---------------------------------------------------------------- logging a proposal


def _proposers(items: Iterable[Mapping]) -> list[tuple[Proposer, str]]:
    result: list[tuple[Proposer, str]] = []
    seen: set[int] = set()
    for item in items:
        name = (item.get("name") or "").strip()
        if not name:
            raise DomainError(_("提案者姓名或名称不能为空。"), field="proposers")
        kind = item.get("kind") or Proposer.Kind.MEMBER
        if kind not in Proposer.Kind.values:
            raise DomainError(_("提案者类型“%(kind)s”无效。") % {"kind": kind}, field="proposers")
        role = item.get("role") or Signature.Role.LEAD
        if role not in Signature.Role.values:
            raise DomainError(_("提案者身份“%(role)s”无效。") % {"role": role}, field="proposers")
        proposer, _created = Proposer.objects.get_or_create(name=name, kind=kind)
        if proposer.pk in seen:
            raise DomainError(_("提案者“%(name)s”重复。") % {"name": name}, field="proposers")
        seen.add(proposer.pk)
        result.append((proposer, role))
    leads = [p for p, role in result if role == Signature.Role.LEAD]
    if len(leads) != 1:
        raise DomainError(_("一件提案须有且只有一位领衔提案者。"), field="proposers")
    return result


def _set_signatures(proposal: Proposal, proposers: list[tuple[Proposer, str]]) -> None:
    proposal.signatures.all().delete()
    Signature.objects.bulk_create(
        Signature(proposal=proposal, proposer=proposer, role=role, position=i)
        for i, (proposer, role) in enumerate(proposers, start=1)
    )


def _set_recommendations(proposal: Proposal, items: Iterable[Mapping]) -> None:
    items = list(items)
    existing = {r.ordinal: r for r in proposal.recommendations.all()}
    keep = set()
    for ordinal, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        if not title:
            raise DomainError(
                _("第%(n)s条建议的标题不能为空。") % {"n": ordinal}, field="recommendations"
            )
        recommendation = existing.get(ordinal) or Recommendation(proposal=proposal, ordinal=ordinal)
        recommendation.title = title
        recommendation.body = (item.get("body") or "").strip()
        full_clean(recommendation, exclude=["proposal"])
        recommendation.save()
        keep.add(ordinal)
    stale = [r for ordinal, r in existing.items() if ordinal not in keep]
    for recommendation in stale:
        if recommendation.sections.exists():
            raise DomainError(
                _("第%(n)s条建议已有办理意见，不能删除。") % {"n": recommendation.ordinal},
                field="recommendations",
            )
        recommendation.delete()


@action
def proposal_create(
    *,
    session: Session,
    title: str,
    proposers: Iterable[Mapping],
    actor=None,
    number: str | None = None,
    category=None,
    body: str = "",
    submitted_on: datetime.date | None = None,
    is_key: bool = False,
    recommendations: Iterable[Mapping] = (),
    submission_key=None,
) -> Proposal:
    """Log a proposal (state 待审查). Without a number, the next one of the session is used.

    ``submission_key`` is the one-time key of the form it comes from: a proposal already
    logged with it is returned as it is (``proposal.repeated`` is then true), so the same
    form sent twice logs one proposal. The session's row is locked first, so a second
    sending waits for the first and then finds its proposal.
    """
    require_liaison(actor)
    if submission_key is not None:
        Session.objects.select_for_update().filter(pk=session.pk).exists()
        earlier = Proposal.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            earlier.repeated = True
            return earlier
    number = (number or "").strip()
    if number:
        note_proposal_number(session, number)
    else:
        number = allocate_proposal_number(session)
    proposal = Proposal(
        session=session,
        number=number,
        title=(title or "").strip(),
        category=category,
        body=body or "",
        submitted_on=submitted_on or common.today(),
        is_key=is_key,
        submission_key=submission_key,
    )
    full_clean(proposal)
    proposal.save()
    proposal.repeated = False
    _set_signatures(proposal, _proposers(proposers))
    _set_recommendations(proposal, recommendations)
    StateChange.record(proposal, action="create", target=proposal.state, actor=actor)
    return proposal




@action
def proposal_update(
    *,
    proposal: Proposal,
    actor=None,
    title: str | None = None,
    category=None,
    body: str | None = None,
    submitted_on: datetime.date | None = None,
    is_key: bool | None = None,
    proposers: Iterable[Mapping] | None = None,
    recommendations: Iterable[Mapping] | None = None,
    expected_version: int | None = None,
) -> Proposal:
    """Correct what was logged. Text and recommendations are fixed once the proposal is assigned.

    ``expected_version`` is the version the edit page was loaded at: a save over a change
    made since is refused with what was saved (:func:`core.concurrency.check_version`).
    """
    require_liaison(actor)
    proposal = lock(proposal)
    check_version(proposal, expected_version, [
        name for name, value in (("title", title), ("category", category), ("body", body),
                                 ("submitted_on", submitted_on), ("is_key", is_key))
        if value is not None
    ])
    content_changes = any(v is not None for v in (title, body, submitted_on, proposers, recommendations))
    if content_changes:
        proposal.check_allowed("edit")
    if title is not None:
        proposal.title = title.strip()
    if category is not None:
        proposal.category = category or None
    if body is not None:
        proposal.body = body
    if submitted_on is not None:
        proposal.submitted_on = submitted_on
    if is_key is not None:
        proposal.is_key = is_key
    full_clean(proposal)
    proposal.version += 1
    proposal.save()
    if proposers is not None:
        _set_signatures(proposal, _proposers(proposers))
    if recommendations is not None:
        _set_recommendations(proposal, recommendations)
    StateChange.record(proposal, action="update", actor=actor)
    return proposal
