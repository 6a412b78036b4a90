"""Every change to sections and reply letters goes through one of these functions.

Each is atomic, locks its row, checks the move against the model's ``MOVES`` and
writes the history (see :mod:`core.workflow`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.roles import agency_roles, is_office, require_agency_member, require_approver
from core.workflow import (
    ConcurrentEdit,
    DomainError,
    IllegalMove,
    check_move,
    require_reason,
    transition,
)
from proposals.models import Assignment, Proposal, Recommendation, Session, StateChange
from proposals.services import HANDLING_STATES, proposal_mark_replied_if_complete

from .composition import build_parts, letter_sections, suggested_class
from .models import AdoptionStatus, ReplyLetter, Section
from .numbering import allocate_document_number

# ---------------------------------------------------------------- helpers


def _check_version(obj, expected_version: int | None, fields: dict) -> None:
    """Refuse a save based on an old version, with the saved values of the fields being saved."""
    if expected_version is None or expected_version == obj.version:
        return
    changes = {name: getattr(obj, name) for name in fields}
    raise ConcurrentEdit(
        _("保存失败：在您编辑期间，%(who)s已被他人修改（当前为第%(v)s版）。请查看最新内容后再保存。")
        % {"who": obj._meta.verbose_name, "v": obj.version},
        changes=changes,
        current_version=obj.version,
    )


def awaiting_letters(proposal: Proposal) -> bool:
    """True when some answering agency has no signed letter in the current round.

    That is the case while the proposal is being handled, and also after a signed
    letter of an answered proposal was voided and must be replaced.
    """
    if proposal.state in HANDLING_STATES:
        return True
    if proposal.state != Proposal.State.REPLIED:
        return False
    answering = set(proposal.assignments.answering().values_list("agency_id", flat=True))
    signed = set(
        ReplyLetter.objects.final().filter(proposal=proposal, round=proposal.round)
        .values_list("agency_id", flat=True)
    )
    return not answering <= signed


def _handling(proposal: Proposal) -> None:
    if not awaiting_letters(proposal):
        raise IllegalMove(
            _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以办理。")
            % {"state": proposal.get_state_display()}
        )


def _assignment(proposal: Proposal, agency: Agency) -> Assignment:
    assignment = proposal.assignments.filter(agency=agency).first()
    if assignment is None:
        raise DomainError(
            _("%(agency)s不是第%(number)s号提案的承办单位。")
            % {"agency": agency.name, "number": proposal.number}
        )
    return assignment


def _lock_section(section: Section) -> Section:
    return Section.objects.select_for_update(of=("self",)).select_related(
        "recommendation__proposal", "agency", "adoption"
    ).get(pk=section.pk)


def _lock_letter(letter: ReplyLetter) -> ReplyLetter:
    return ReplyLetter.objects.select_for_update(of=("self",)).select_related(
        "proposal__session", "agency"
    ).get(pk=letter.pk)


def _adoption(adoption) -> AdoptionStatus | None:
    if adoption is None or isinstance(adoption, AdoptionStatus):
        return adoption
    found = AdoptionStatus.objects.filter(code=adoption).first()
    if found is None:
        raise DomainError(_("采纳情况“%(code)s”不存在。") % {"code": adoption}, field="adoption")
    return found


# ---------------------------------------------------------------- sections (办理意见)


@transaction.atomic
def section_create(
    *, recommendation: Recommendation, agency: Agency, actor=None, adoption=None, body: str = "",
    position: int | None = None,
) -> Section:
    """Start an agency's answer to a recommendation, as a draft."""
    require_agency_member(actor, agency)
    proposal = Proposal.objects.select_for_update().get(pk=recommendation.proposal_id)
    _handling(proposal)
    _assignment(proposal, agency)
    if position is None:
        position = (recommendation.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    if Section.objects.filter(recommendation=recommendation, agency=agency, position=position).exists():
        raise DomainError(_("该位置已有本单位的办理意见。"), field="position")
    section = Section.objects.create(
        recommendation=recommendation, agency=agency, adoption=_adoption(adoption),
        body=(body or "").strip(), position=position,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    StateChange.record(section, action="create", target=section.state, actor=actor, proposal=proposal)
    return section


@transaction.atomic
def section_update(
    *, section: Section, actor=None, expected_version: int | None = None, adoption=None,
    body: str | None = None, position: int | None = None,
) -> Section:
    """Edit a draft section. ``expected_version`` guards against overwriting another's save."""
    section = _lock_section(section)
    require_agency_member(actor, section.agency)
    changes = {"adoption": adoption, "body": body, "position": position}
    _check_version(section, expected_version, {k for k, v in changes.items() if v is not None})
    if section.state != Section.State.DRAFT:
        raise IllegalMove(
            _("办理意见当前状态为“%(state)s”，只有草稿可以修改。") % {"state": section.get_state_display()}
        )
    if adoption is not None:
        section.adoption = _adoption(adoption)
    if body is not None:
        section.body = body.strip()
    if position is not None and position != section.position:
        if Section.objects.filter(recommendation_id=section.recommendation_id, agency=section.agency,
                                  position=position).exists():
            raise DomainError(_("该位置已有本单位的办理意见。"), field="position")
        section.position = position
    section.version += 1
    section.save()
    StateChange.record(section, action="update", actor=actor, proposal=section.proposal,
                       data={"fields": sorted(k for k, v in changes.items() if v is not None)})
    return section


@transaction.atomic
def section_submit(*, section: Section, actor=None) -> Section:
    """Send a draft to the agency's approver."""
    section = _lock_section(section)
    require_agency_member(actor, section.agency)
    _handling(section.proposal)
    missing = []
    if section.adoption_id is None:
        missing.append(_("采纳情况"))
    if not section.body.strip():
        missing.append(_("办理意见正文"))
    if missing:
        raise DomainError(_("提交前请填写：%(fields)s。") % {"fields": "、".join(missing)})
    section.version += 1
    transition(section, "submit", actor=actor, update_fields=["version"])
    return section


@transaction.atomic
def section_approve(*, section: Section, actor=None) -> Section:
    """The agency's approver accepts the section."""
    section = _lock_section(section)
    require_approver(actor, section.agency)
    _handling(section.proposal)
    section.version += 1
    transition(section, "approve", actor=actor, update_fields=["version"])
    return section


@transaction.atomic
def section_return(*, section: Section, actor=None, reason: str = "") -> Section:
    """The approver sends the section back to draft, saying why."""
    section = _lock_section(section)
    require_approver(actor, section.agency)
    reason = require_reason(reason, _("退回办理意见"))
    section.version += 1
    transition(section, "return", actor=actor, reason=reason, update_fields=["version"])
    return section


@transaction.atomic
def section_revise(*, section: Section, actor=None, reason: str = "") -> Section:
    """Reopen an approved section for changes, while no signed letter of this round holds it."""
    section = _lock_section(section)
    require_agency_member(actor, section.agency)
    reason = require_reason(reason, _("重新修改办理意见"))
    proposal = section.proposal
    _handling(proposal)
    pending = ReplyLetter.objects.current().filter(proposal=proposal, round=proposal.round)
    if pending.exclude(state=ReplyLetter.State.DRAFT).exists():
        raise IllegalMove(_("本轮答复函已送签或签发，办理意见不能再修改；如需修改，请先退回答复函。"))
    section.version += 1
    transition(section, "revise", actor=actor, reason=reason, update_fields=["version"])
    return section


# ---------------------------------------------------------------- reply letters (答复函)


def default_letter_fields(proposal: Proposal, agency: Agency) -> dict:
    """The wording a new letter starts from; the lead agency edits it before signing."""
    session: Session = proposal.session
    lead = proposal.lead_proposer
    addressee = lead.salutation if lead else ""
    you = "您" if lead is not None and lead.kind == lead.Kind.MEMBER else "你们"
    others = [
        a.agency.short_name
        for a in proposal.assignments.select_related("agency").order_by("id")
        if a.role == Assignment.Role.CO and a.agency_id != agency.pk
    ]
    combined = f"经综合{'、'.join(others)}意见，" if others else ""
    opening = f"{you}提出的《{proposal.title}》（提案第{proposal.number}号）收悉，{combined}现答复如下："
    return {
        "title": f"{agency.title_name}关于{session.name}第{proposal.number}号提案答复的函",
        "addressee": addressee,
        "opening": opening,
        "closing": "专此答复。",
        "signatory": agency.name,
        "note": f"联系人及电话：{agency.contact}" if agency.contact else "",
        "cc": ["市政协提案委", "市政府办公室", *others],
        "issued_by": agency.name,
    }


@transaction.atomic
def letter_create(*, proposal: Proposal, agency: Agency, actor=None) -> ReplyLetter:
    """Start the reply letter of an answering agency (the lead, or a separate handler)."""
    require_agency_member(actor, agency)
    proposal = Proposal.objects.select_for_update().select_related("session").get(pk=proposal.pk)
    _handling(proposal)
    assignment = _assignment(proposal, agency)
    if assignment.role == Assignment.Role.CO:
        raise DomainError(_("会办单位不单独答复，其意见由主办单位汇总答复。"))
    if ReplyLetter.objects.current().filter(proposal=proposal, agency=agency, round=proposal.round).exists():
        raise DomainError(_("本轮办理已有%(agency)s的答复函。") % {"agency": agency.short_name})
    letter = ReplyLetter(proposal=proposal, agency=agency, round=proposal.round,
                         **default_letter_fields(proposal, agency))
    letter.klass = suggested_class(letter) if letter.proposal_id else ""
    letter.save()
    StateChange.record(letter, action="create", target=letter.state, actor=actor, proposal=proposal)
    return letter


EDITABLE_LETTER_FIELDS = (
    "title", "addressee", "opening", "closing", "signatory", "note", "disclosure", "cc", "issued_by",
)


@transaction.atomic
def letter_update(*, letter: ReplyLetter, actor=None, expected_version: int | None = None,
                  **fields) -> ReplyLetter:
    """Edit a draft letter's wording. A signed letter's text never changes."""
    letter = _lock_letter(letter)
    require_agency_member(actor, letter.agency)
    unknown = set(fields) - set(EDITABLE_LETTER_FIELDS)
    if unknown:
        raise DomainError(_("不能修改字段：%(f)s。") % {"f": "、".join(sorted(unknown))})
    _check_version(letter, expected_version, set(fields))
    if letter.state != ReplyLetter.State.DRAFT:
        raise IllegalMove(
            _("答复函当前状态为“%(state)s”，只有草稿可以修改；已签发的答复函如需更改，须作废后重新发文。")
            % {"state": letter.get_state_display()}
        )
    for name, value in fields.items():
        if name == "cc":
            value = [str(v).strip() for v in value if str(v).strip()]
        elif isinstance(value, str):
            value = value.strip()
        setattr(letter, name, value)
    try:
        letter.full_clean(exclude=["proposal", "agency"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from error
    letter.version += 1
    letter.save()
    StateChange.record(letter, action="update", actor=actor, proposal=letter.proposal,
                       data={"fields": sorted(fields)})
    return letter


@transaction.atomic
def letter_set_class(*, letter: ReplyLetter, klass: str, actor=None, reason: str = "") -> ReplyLetter:
    """Choose the letter's class (分类). A class other than the suggested one needs a reason."""
    letter = _lock_letter(letter)
    require_agency_member(actor, letter.agency)
    if letter.state != ReplyLetter.State.DRAFT:
        raise IllegalMove(
            _("答复函当前状态为“%(state)s”，只有草稿可以更改分类。") % {"state": letter.get_state_display()}
        )
    if klass not in settings.LETTER_CLASSES:
        raise DomainError(_("分类“%(k)s”无效。") % {"k": klass}, field="klass")
    suggested = suggested_class(letter)
    reason = (reason or "").strip()
    if suggested and klass != suggested:
        reason = require_reason(
            reason, _("所选分类（%(k)s类）与建议分类（%(s)s类）不同，") % {"k": klass, "s": suggested}
        )
    previous = letter.klass
    letter.klass = klass
    letter.class_reason = reason if klass != suggested else ""
    letter.version += 1
    letter.save(update_fields=["klass", "class_reason", "version", "updated_at"])
    StateChange.record(
        letter, action="set_class", source=previous, target=klass, actor=actor, reason=reason,
        proposal=letter.proposal, data={"suggested": suggested},
    )
    return letter


def _check_complete(letter: ReplyLetter) -> None:
    """A letter goes for signing only when every section in it is approved and has a class."""
    sections = list(letter_sections(letter))
    pending = [s for s in sections if s.state != Section.State.APPROVED]
    if pending:
        names = "、".join(
            f"第{s.recommendation.ordinal}条（{s.agency.short_name}，{s.get_state_display()}）"
            for s in pending
        )
        raise DomainError(_("以下办理意见尚未审核通过：%(names)s。") % {"names": names})
    answered = {s.recommendation_id for s in sections}
    if Assignment.objects.filter(
        proposal=letter.proposal, agency=letter.agency, role=Assignment.Role.LEAD
    ).exists():
        missing = letter.proposal.recommendations.exclude(pk__in=answered).order_by("ordinal")
        if missing.exists():
            raise DomainError(
                _("以下建议还没有办理意见：%(n)s。")
                % {"n": "、".join(f"第{r.ordinal}条" for r in missing)}
            )
    elif not answered:
        raise DomainError(_("答复函还没有任何办理意见。"))
    if not letter.klass:
        raise DomainError(_("请先确定答复函的分类。"), field="klass")
    suggested = suggested_class(letter)
    if suggested and letter.klass != suggested and not letter.class_reason.strip():
        raise DomainError(
            _("所选分类（%(k)s类）与建议分类（%(s)s类）不同，须填写理由。")
            % {"k": letter.klass, "s": suggested},
            field="class_reason",
        )


@transaction.atomic
def letter_submit(*, letter: ReplyLetter, actor=None) -> ReplyLetter:
    """送签: send the assembled letter to the agency's approver."""
    letter = _lock_letter(letter)
    require_agency_member(actor, letter.agency)
    check_move(letter, "submit")
    _handling(letter.proposal)
    _check_complete(letter)
    letter.version += 1
    transition(letter, "submit", actor=actor, update_fields=["version"])
    return letter


@transaction.atomic
def letter_return(*, letter: ReplyLetter, actor=None, reason: str = "") -> ReplyLetter:
    """The approver sends the letter back for changes."""
    letter = _lock_letter(letter)
    require_approver(actor, letter.agency)
    reason = require_reason(reason, _("退回答复函"))
    letter.version += 1
    transition(letter, "return", actor=actor, reason=reason, update_fields=["version"])
    return letter


@transaction.atomic
def letter_sign(*, letter: ReplyLetter, actor=None, signed_on: datetime.date | None = None) -> ReplyLetter:
    """签发: allocate the document number, fix the text, and mark the proposal answered."""
    letter = _lock_letter(letter)
    require_approver(actor, letter.agency)
    check_move(letter, "sign")
    _handling(letter.proposal)
    _check_complete(letter)
    signed_on = signed_on or timezone.localdate()
    number = allocate_document_number(letter.agency.doc_prefix, signed_on.year)
    letter.number = str(number)
    letter.doc_prefix, letter.doc_year, letter.doc_serial = number.prefix, number.year, number.serial
    letter.signed_on = signed_on
    letter.parts = build_parts(letter)
    letter.signed_by = actor if actor and actor.is_authenticated else None
    letter.signed_at = timezone.now()
    letter.version += 1
    transition(
        letter, "sign", actor=actor,
        update_fields=["number", "doc_prefix", "doc_year", "doc_serial", "signed_on", "parts",
                       "signed_by", "signed_at", "version"],
        data={"number": letter.number},
    )
    proposal_mark_replied_if_complete(proposal=letter.proposal, actor=actor)
    return letter


@transaction.atomic
def letter_issue(*, letter: ReplyLetter, actor=None, issued_on: datetime.date | None = None) -> ReplyLetter:
    """印发: the office records that the signed letter was printed and sent."""
    letter = _lock_letter(letter)
    if actor is not None and not is_office(actor) and "approver" not in agency_roles(actor, letter.agency):
        raise PermissionDenied(_("只有办公室或本单位签发人可以印发答复函。"))
    issued_on = issued_on or timezone.localdate()
    if letter.signed_on and issued_on < letter.signed_on:
        raise DomainError(_("印发日期不能早于成文日期。"), field="issued_on")
    letter.issued_on = issued_on
    letter.version += 1
    transition(letter, "issue", actor=actor, update_fields=["issued_on", "version"])
    return letter


@transaction.atomic
def letter_void(*, letter: ReplyLetter, actor=None, reason: str = "") -> ReplyLetter:
    """作废: withdraw a signed letter; it stays on record with its number, never reused."""
    letter = _lock_letter(letter)
    require_approver(actor, letter.agency)
    reason = require_reason(reason, _("作废答复函"))
    letter.void_reason = reason
    letter.version += 1
    transition(letter, "void", actor=actor, reason=reason, update_fields=["void_reason", "version"])
    return letter
