"""The letter speaks with one voice: the agency writing a letter words each part itself,
starting from the sections (a co-handler's section is the lead's material, not its words),
and the letter keeps, per paragraph, which sections it came from.

A part's wording lives in ``ReplyLetter.wording`` until signing, when ``build_parts`` fixes
it in ``parts`` with each paragraph's sources. Resetting a part drops its wording: the part
prints its sections' text again.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.concurrency import check_version
from core.roles import require_agency_member
from core.text import LONG_TEXT
from core.workflow import DomainError, IllegalMove
from history.models import StateChange

from ..composition import letter_sections, section_paragraphs
from ..models import ReplyLetter, Section
from .common import lock_letter, require_handling

MAX_PARAGRAPHS = 200


def part_sections(letter: ReplyLetter, ordinal: int) -> list[Section]:
    """The approved sections ``letter`` prints under recommendation ``ordinal``, in order."""
    return list(letter_sections(letter, approved_only=True).filter(recommendation__ordinal=ordinal))


def starting_paragraphs(sections: list[Section]) -> list[dict]:
    """The wording a part starts from: each section's paragraphs, each sourced to it."""
    return [{"text": text, "sources": [s.pk]} for s in sections for text in section_paragraphs(s)]


def _check_draft(letter: ReplyLetter, actor) -> None:
    require_agency_member(actor, letter.agency)
    if letter.state != ReplyLetter.State.DRAFT:
        raise IllegalMove(
            _("答复函当前状态为“%(state)s”，只有草稿可以修改措辞。") % {"state": letter.get_state_display()})
    require_handling(letter.proposal)


@action
def letter_word_part(*, letter: ReplyLetter, ordinal: int, paragraphs: list[dict], actor=None,
                     expected_version: int | None = None) -> ReplyLetter:
    """Save the letter's own wording of the part answering recommendation ``ordinal``.

    ``paragraphs``: ``[{"text": …, "sources": [section ids]}]`` in order; blank ones are
    dropped, a text of several lines becomes as many paragraphs with the same sources, and
    a paragraph with no source is the agency's own words."""
    letter = lock_letter(letter)
    _check_draft(letter, actor)
    check_version(letter, expected_version, ["wording"])
    sections = part_sections(letter, ordinal)
    if not sections:
        raise DomainError(_("第%(n)s条建议还没有审核通过的办理意见，不能修改措辞。") % {"n": ordinal})
    known = {s.pk for s in sections}
    kept = []
    for item in paragraphs:
        sources = [int(i) for i in item.get("sources", [])]
        if set(sources) - known:
            raise DomainError(_("段落的来源只能是这条建议审核通过的办理意见。"), field="paragraphs")
        for line in str(item.get("text", "")).split("\n"):
            if line.strip():
                kept.append({"text": line.strip(), "sources": sorted(set(sources), key=sources.index)})
    if not kept:
        raise DomainError(_("措辞不能为空；如要恢复为办理意见原文，请点“恢复为办理意见原文”。"),
                          field="paragraphs")
    if len(kept) > MAX_PARAGRAPHS or sum(len(p["text"]) for p in kept) > LONG_TEXT:
        raise DomainError(_("这一部分的文字太长了。"), field="paragraphs")
    wording = dict(letter.wording or {})
    wording[str(ordinal)] = {"paragraphs": kept, "saved_at": timezone.now().isoformat()}
    letter.wording = wording
    letter.version += 1
    letter.save(update_fields=["wording", "version", "updated_at"])
    StateChange.record(letter, action="word_part", actor=actor, proposal=letter.proposal,
                       data={"ordinal": ordinal, "paragraphs": len(kept)})
    return letter


@action
def letter_reset_part(*, letter: ReplyLetter, ordinal: int, actor=None,
                      expected_version: int | None = None) -> ReplyLetter:
    """恢复为办理意见原文: the part prints its sections' text again."""
    letter = lock_letter(letter)
    _check_draft(letter, actor)
    check_version(letter, expected_version, ["wording"])
    wording = dict(letter.wording or {})
    if wording.pop(str(ordinal), None) is None:
        return letter
    letter.wording = wording
    letter.version += 1
    letter.save(update_fields=["wording", "version", "updated_at"])
    StateChange.record(letter, action="reset_part", actor=actor, proposal=letter.proposal,
                       data={"ordinal": ordinal})
    return letter
