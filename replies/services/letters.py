"""Reply letters (答复函): created, edited, classed, ordered, sent for signing, signed,
issued and voided."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.concurrency import check_version
from core.queue import enqueue
from core.roles import agency_roles, is_office, require_agency_member, require_approver
from core.text import describe_character
from core.transactions import after_commit
from core.workflow import (
    DomainError,
    IllegalMove,
    check_move,
    require_reason,
)
from history.models import StateChange
from history.moves import transition
from notifications import events as notify
from proposals.contacts import missing_contact
from proposals.models import (
    Assignment,
    Proposal,
    Session,
)
from proposals.services import proposal_mark_replied_if_complete

from .. import verification
from ..composition import OTHER_CLASS_NEEDS_REASON, build_parts, letter_sections, suggested_class
from ..models import ReplyLetter, Section
from ..numbering import allocate_document_number
from ..pdf import missing_characters, outside_lines
from ..signing import identity_for
from .common import assignment_of, lock_letter, require_handling

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


@action
def letter_create(*, proposal: Proposal, agency: Agency, actor=None) -> ReplyLetter:
    """Start the reply letter of an answering agency (the lead, or a separate handler)."""
    require_agency_member(actor, agency)
    proposal = Proposal.objects.select_for_update().select_related("session").get(pk=proposal.pk)
    require_handling(proposal)
    assignment = assignment_of(proposal, agency)
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


@action
def letter_update(*, letter: ReplyLetter, actor=None, expected_version: int | None = None,
                  **fields) -> ReplyLetter:
    """Edit a draft letter's wording. A signed letter's text never changes."""
    letter = lock_letter(letter)
    require_agency_member(actor, letter.agency)
    unknown = set(fields) - set(EDITABLE_LETTER_FIELDS)
    if unknown:
        raise DomainError(_("不能修改字段：%(f)s。") % {"f": "、".join(sorted(unknown))})
    check_version(letter, expected_version, set(fields))
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


@action
def letter_set_class(*, letter: ReplyLetter, klass: str, actor=None, reason: str = "") -> ReplyLetter:
    """Choose the letter's class (分类). A class other than the suggested one needs a reason."""
    letter = lock_letter(letter)
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


@action
def section_move(*, letter: ReplyLetter, section: Section, direction: str, actor=None) -> list[Section]:
    """Move an approved section one place up or down among the parts answering its recommendation.

    The letter's agency orders the parts of its draft letter. The recommendation's
    approved sections take positions 1, 2, … in the new order, and its sections not
    yet approved (which the letter does not print) follow them. Returns the approved
    sections in their new order.
    """
    letter = lock_letter(letter)
    require_agency_member(actor, letter.agency)
    if letter.state != ReplyLetter.State.DRAFT:
        raise IllegalMove(
            _("答复函当前状态为“%(state)s”，只有草稿可以调整各部分的顺序。")
            % {"state": letter.get_state_display()}
        )
    require_handling(letter.proposal)
    if direction not in ("up", "down"):
        raise DomainError(_("移动方向只能是上移或下移。"), field="direction")
    siblings = list(
        letter_sections(letter).filter(recommendation_id=section.recommendation_id)
        .select_for_update(of=("self",))
    )
    placed = [s for s in siblings if s.state == Section.State.APPROVED]
    index = next((i for i, s in enumerate(placed) if s.pk == section.pk), None)
    if index is None:
        if any(s.pk == section.pk for s in siblings):
            raise DomainError(_("只有审核通过的办理意见才能调整在答复函中的顺序。"))
        raise DomainError(_("该办理意见不属于这份答复函。"))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(placed):
        raise DomainError(
            _("该办理意见已排在第一位。") if direction == "up" else _("该办理意见已排在最后一位。")
        )
    placed[index], placed[other] = placed[other], placed[index]
    order = placed + [s for s in siblings if s.state != Section.State.APPROVED]
    # Two steps, so that no two sections of one agency share a position in between.
    base = (Section.objects.filter(recommendation_id=section.recommendation_id)
            .aggregate(m=Max("position"))["m"] or 0) + 1
    for offset, sibling in enumerate(order):
        Section.objects.filter(pk=sibling.pk).update(position=base + offset)
    for offset, sibling in enumerate(order, start=1):
        sibling.position = offset
        Section.objects.filter(pk=sibling.pk).update(position=offset)
    StateChange.record(
        letter, action="update", actor=actor, proposal=letter.proposal,
        data={"fields": ["order"], "recommendation": order[0].recommendation.ordinal,
              "order": [s.pk for s in placed]},
    )
    return placed


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
            OTHER_CLASS_NEEDS_REASON
            % {"k": letter.klass, "s": suggested},
            field="class_reason",
        )


@action
def letter_submit(*, letter: ReplyLetter, actor=None) -> ReplyLetter:
    """送签: send the assembled letter to the agency's approver."""
    letter = lock_letter(letter)
    require_agency_member(actor, letter.agency)
    check_move(letter, "submit")
    require_handling(letter.proposal)
    _check_complete(letter)
    _check_printable(letter)
    missing = missing_contact(letter.proposal, letter.agency)
    if missing:
        raise IllegalMove(missing)
    letter.version += 1
    transition(letter, "submit", actor=actor, update_fields=["version"])
    notify.letter_submitted(letter=letter, actor=actor)
    return letter


@action
def letter_return(*, letter: ReplyLetter, actor=None, reason: str = "") -> ReplyLetter:
    """The approver sends the letter back for changes."""
    letter = lock_letter(letter)
    require_approver(actor, letter.agency)
    reason = require_reason(reason, _("退回答复函"))
    letter.version += 1
    transition(letter, "return", actor=actor, reason=reason, update_fields=["version"])
    notify.letter_returned(letter=letter, actor=actor, reason=reason)
    return letter


def _check_printable(letter: ReplyLetter) -> None:
    """Refuse a letter with characters that no configured font can print (invisible ones
    named in words, so that they can be found), or with anything the layout would place
    outside the text block: a signed letter is the record, printed whole or not at all."""
    missing = missing_characters(letter)
    if missing:
        raise DomainError(
            _("以下字符在已配置的字体中都没有，无法打印：%(chars)s。请改用常用写法，或请管理员安装含这些字符的字体。")
            % {"chars": "、".join(describe_character(char) for char in missing)}
        )
    outside = outside_lines(letter)
    if outside:
        raise DomainError(
            _("以下内容会超出版心，无法打印：%(what)s。请缩短或分段后再送签。")
            % {"what": "；".join(f"{element}“{Truncator(text).chars(20)}”" for element, text in outside)}
        )


def _enqueue_render(letter_id: int) -> None:
    enqueue("replies.render_signed_letter", letter_id)


@action
def letter_sign(*, letter: ReplyLetter, actor=None, signed_on: datetime.date | None = None,
                comment: str = "") -> ReplyLetter:
    """签发: allocate the document number, fix the text, and mark the proposal answered.
    ``comment`` (签发意见), if any, is kept in the history.

    Once the transaction commits, a task renders the final PDF and stores it for good.
    """
    letter = lock_letter(letter)
    require_approver(actor, letter.agency)
    check_move(letter, "sign")
    require_handling(letter.proposal)
    _check_complete(letter)
    _check_printable(letter)
    # A certificate that cannot sign (expired, its password missing) is said now, to the
    # approver, rather than by a background task later.
    identity_for(letter.agency)
    signed_on = signed_on or timezone.localdate()
    letter.proposal.session.check_date(signed_on, _("成文日期"), field="signed_on")
    number = allocate_document_number(letter.agency.doc_prefix, signed_on.year)
    letter.number = str(number)
    letter.doc_prefix, letter.doc_year, letter.doc_serial = number.prefix, number.year, number.serial
    letter.signed_on = signed_on
    letter.parts = build_parts(letter)
    letter.signed_by = actor if actor and actor.is_authenticated else None
    letter.signed_at = timezone.now()
    letter.verify_code = letter.verify_code or verification.allocate(ReplyLetter)
    letter.version += 1
    transition(
        letter, "sign", actor=actor, reason=(comment or "").strip(),
        update_fields=["number", "doc_prefix", "doc_year", "doc_serial", "signed_on", "parts",
                       "signed_by", "signed_at", "verify_code", "version"],
        data={"number": letter.number},
    )
    proposal_mark_replied_if_complete(proposal=letter.proposal, actor=actor)
    notify.letter_signed(letter=letter, actor=actor)
    letter_id = letter.pk
    # robust: the letter is signed whatever happens to the render; a PDF that could not
    # be stored now is stored on first download.
    after_commit(_enqueue_render, letter_id)
    return letter


@action
def letter_issue(*, letter: ReplyLetter, actor=None, issued_on: datetime.date | None = None) -> ReplyLetter:
    """印发: the office records that the signed letter was printed and sent."""
    letter = lock_letter(letter)
    if actor is not None and not is_office(actor) and "approver" not in agency_roles(actor, letter.agency):
        raise PermissionDenied(_("只有办公室或本单位签发人可以印发答复函。"))
    issued_on = issued_on or timezone.localdate()
    if letter.signed_on and issued_on < letter.signed_on:
        raise DomainError(_("印发日期不能早于成文日期。"), field="issued_on")
    letter.proposal.session.check_date(issued_on, _("印发日期"), field="issued_on")
    letter.issued_on = issued_on
    letter.version += 1
    transition(letter, "issue", actor=actor, update_fields=["issued_on", "version"])
    return letter


@action
def letter_void(*, letter: ReplyLetter, actor=None, reason: str = "") -> ReplyLetter:
    """作废: withdraw a signed letter; it stays on record with its number, never reused."""
    letter = lock_letter(letter)
    require_approver(actor, letter.agency)
    reason = require_reason(reason, _("作废答复函"))
    letter.void_reason = reason
    letter.version += 1
    transition(letter, "void", actor=actor, reason=reason, update_fields=["void_reason", "version"])
    return letter
