"""What a reply letter says: its parts, its suggested class and its default wording."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.utils.translation import gettext_lazy

from proposals.models import Assignment, Recommendation

from .models import ReplyLetter, Section

_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def recommendation_heading(recommendation: Recommendation) -> str:
    return f"{chinese_ordinal(recommendation.ordinal)}、关于{recommendation.title}的建议"


def letter_agency_ids(letter: ReplyLetter) -> set[int]:
    """Agencies whose sections go into ``letter``.

    The lead's letter combines the lead's and the co-handlers' sections; a separate
    handler (分办) answers with its own sections only.
    """
    roles = dict(letter.proposal.assignments.values_list("agency_id", "role"))
    if roles.get(letter.agency_id) == Assignment.Role.LEAD:
        return {
            agency_id for agency_id, role in roles.items()
            if role in (Assignment.Role.LEAD, Assignment.Role.CO)
        }
    return {letter.agency_id}


def letter_sections(letter: ReplyLetter, *, approved_only: bool = False):
    """The sections a letter is made of, by recommendation and position."""
    sections = Section.objects.filter(
        recommendation__proposal=letter.proposal, agency_id__in=letter_agency_ids(letter)
    ).select_related("adoption", "agency", "recommendation")
    if approved_only:
        sections = sections.filter(state=Section.State.APPROVED)
    return sections.order_by("recommendation__ordinal", "position", "id")


def build_parts(letter: ReplyLetter, *, wording: bool = True) -> list[dict]:
    """The letter's body, one part per answered recommendation, from its approved sections.

    A part the letter's agency has worded itself (``letter.wording``) carries its
    ``paragraphs``, each with the sections it came from (``sources``: agency and position);
    the sections stay beside them, the material the wording was made from. ``wording=False``
    gives the parts as the sections alone would print them."""
    by_recommendation: dict[int, list[Section]] = {}
    for section in letter_sections(letter, approved_only=True):
        by_recommendation.setdefault(section.recommendation_id, []).append(section)
    recommendations = letter.proposal.recommendations.order_by("ordinal")
    parts = []
    for recommendation in recommendations:
        sections = by_recommendation.get(recommendation.pk)
        if not sections:
            continue
        first = sections[0]
        part = {
            "ordinal": recommendation.ordinal,
            "heading": recommendation_heading(recommendation),
            "phrase": first.adoption.phrase if first.adoption else "",
            "sections": [
                {
                    "agency": s.agency.code,
                    "adoption": s.adoption.code if s.adoption else "",
                    "body": s.body,
                }
                for s in sections
            ],
        }
        worded = (letter.wording or {}).get(str(recommendation.ordinal)) if wording else None
        if worded:
            part["paragraphs"] = worded_paragraphs(worded, sections)
        parts.append(part)
    return parts


def section_paragraphs(section: Section) -> list[str]:
    return [p.strip() for p in section.body.split("\n") if p.strip()]


def worded_paragraphs(worded: dict, sections: list[Section]) -> list[dict]:
    """A part's own wording as stored, each paragraph's sources named by agency and position
    (a source no longer among the part's approved sections is dropped)."""
    by_id = {s.pk: s for s in sections}
    return [
        {"text": item["text"],
         "sources": [{"agency": by_id[i].agency.code, "position": by_id[i].position}
                     for i in item.get("sources", []) if i in by_id]}
        for item in worded.get("paragraphs", [])
    ]


def letter_paragraphs(part: dict) -> list[str]:
    """A part's paragraphs as printed: its own wording when it has one, else its sections'
    text; the phrase heads the first paragraph."""
    paragraphs: list[str] = []
    if part.get("paragraphs"):
        paragraphs = [p["text"].strip() for p in part["paragraphs"] if p["text"].strip()]
    else:
        for section in part["sections"]:
            paragraphs.extend(p.strip() for p in section["body"].split("\n") if p.strip())
    if part.get("phrase"):
        if paragraphs:
            paragraphs[0] = part["phrase"] + paragraphs[0]
        else:
            paragraphs = [part["phrase"]]
    return paragraphs


OTHER_CLASS_NEEDS_REASON = gettext_lazy("所选分类（%(k)s类）与建议分类（%(s)s类）不同，须填写理由。")


def suggest_class(classes) -> str:
    """All sections suggest one class → that class; any mix → B; nothing → ""."""
    counts = Counter(c for c in classes if c)
    if not counts:
        return ""
    if len(counts) == 1:
        return next(iter(counts))
    return "B" if "B" in settings.LETTER_CLASSES else sorted(counts)[0]


def suggested_class(letter: ReplyLetter, sections=None) -> str:
    """The class the letter's approved sections suggest, read from ``sections`` when the
    page has them already (approved or not), else from the database."""
    if sections is None:
        sections = letter_sections(letter, approved_only=True)
    return suggest_class(
        s.adoption.suggests_class for s in sections
        if s.state == Section.State.APPROVED and s.adoption
    )
