"""Writing the database out in the interchange format.

The output is stable: records are ordered by their natural keys and every object's
keys come in a fixed order, so exporting, importing into an empty database and
exporting again gives the same file byte for byte.
"""

from __future__ import annotations

import datetime
import json

from django.db.models import Prefetch

from agencies.models import Agency
from proposals.models import Assignment, Contact, Feedback, Proposal, Session, Signature
from replies.models import ReplyLetter, Section

from .base import FORMAT, default_parts


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def agency_data(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "title_name": agency.title_name,
        "letterhead": agency.letterhead,
        "doc_prefix": agency.doc_prefix,
        "letter_style": agency.letter_style,
        "contact": agency.contact,
        "is_active": agency.is_active,
    }


def session_data(session: Session) -> dict:
    return {
        "code": session.code,
        "committee": session.committee,
        "term": session.term,
        "meeting": session.meeting,
        "year": session.year,
        "name": session.name,
    }


def _session_order(session: Session) -> tuple:
    return (session.year, session.committee, session.term, session.meeting, session.code)


def letter_data(letter: ReplyLetter) -> dict:
    data = {
        "agency": letter.agency.code,
        "number": letter.number,
        "class": letter.klass,
        "title": letter.title,
        "addressee": letter.addressee,
        "opening": letter.opening,
        "closing": letter.closing,
        "signatory": letter.signatory,
        "signed_on": _date(letter.signed_on),
        "note": letter.note,
        "disclosure": letter.disclosure,
        "cc": list(letter.cc),
        "issued_by": letter.issued_by,
        "issued_on": _date(letter.issued_on),
        "state": letter.state,
        "round": letter.round,
        "class_reason": letter.class_reason,
        "void_reason": letter.void_reason,
    }
    # The fixed text is written only where it is not what the sections give.
    if letter.parts != default_parts(letter):
        data["parts"] = letter.parts
    return data


def _letter_order(letter: ReplyLetter) -> tuple:
    return (letter.round, letter.agency.code, letter.doc_serial is None, letter.doc_prefix,
            letter.doc_year or 0, letter.doc_serial or 0)


def _latest(letter: ReplyLetter) -> tuple:
    return (letter.round, letter.state != ReplyLetter.State.VOIDED,
            letter.signed_on or datetime.date.min, letter.doc_year or 0, letter.doc_serial or 0,
            letter.agency.code)


def main_letter(letters: list[ReplyLetter], lead_agency_id: int | None) -> ReplyLetter | None:
    """The lead agency's current letter of its latest round; else the latest letter."""
    lead = [
        x for x in letters
        if x.agency_id == lead_agency_id and x.state != ReplyLetter.State.VOIDED
    ]
    pool = lead or letters
    return max(pool, key=_latest) if pool else None


def proposal_data(proposal: Proposal) -> dict:
    assignments = sorted(
        proposal.assignments.all(), key=Assignment.display_order
    )
    lead_id = next((a.agency_id for a in assignments if a.role == Assignment.Role.LEAD), None)
    sections = sorted(
        (s for r in proposal.recommendations.all() for s in r.sections.all()),
        key=lambda s: (s.recommendation.ordinal, s.position, s.agency.code),
    )
    letters = sorted(proposal.letters.all(), key=_letter_order)
    main = main_letter(letters, lead_id)
    feedback = sorted(proposal.feedback.all(), key=lambda f: (f.round, f.received_on, f.pk))
    return {
        "session": proposal.session.code,
        "number": proposal.number,
        "title": proposal.title,
        "category": proposal.category.name if proposal.category else None,
        "proposers": [
            {
                "name": s.proposer.name,
                "kind": s.proposer.kind,
                "role": s.role,
                "contact": s.proposer.contact,
            }
            for s in proposal.signatures.all()
        ],
        "submitted_on": _date(proposal.submitted_on),
        "status": proposal.state,
        "round": proposal.round,
        "is_key": proposal.is_key,
        "body": proposal.body,
        "recommendations": [
            {"ordinal": r.ordinal, "title": r.title, "body": r.body}
            for r in proposal.recommendations.all()
        ],
        "assignments": [
            {
                "agency": a.agency.code,
                "role": a.role,
                "assigned_on": _date(a.assigned_on),
                "due_on": _date(a.due_on),
            }
            for a in assignments
        ],
        "sections": [
            {
                "recommendation": s.recommendation.ordinal,
                "agency": s.agency.code,
                "adoption": s.adoption.code if s.adoption else None,
                "position": s.position,
                "body": s.body,
                "state": s.state,
            }
            for s in sections
        ],
        "letter": letter_data(main) if main else None,
        "letters": [letter_data(x) for x in letters if x is not main],
        "feedback": [
            {
                "received_on": _date(f.received_on),
                "handling": f.handling,
                "result": f.result,
                "comment": f.comment,
                "round": f.round,
                "proposer": f.proposer.name if f.proposer_id else None,
                "online": f.online,
            }
            for f in feedback
        ],
        "contacts": [
            {
                "agency": c.agency.code,
                "round": c.round,
                "contacted_on": _date(c.contacted_on),
                "way": c.way,
                "participants": c.participants,
                "note": c.note,
            }
            for c in sorted(proposal.contacts.all(), key=lambda c: (c.contacted_on, c.pk))
        ],
    }


def _proposals(sessions: list[Session]) -> list[Proposal]:
    order = {s.pk: i for i, s in enumerate(sessions)}
    proposals = (
        Proposal.objects.filter(session__in=sessions)
        .select_related("session", "category")
        .prefetch_related(
            Prefetch("signatures",
                     queryset=Signature.objects.select_related("proposer").order_by("position", "id")),
            "recommendations",
            Prefetch("recommendations__sections",
                     queryset=Section.objects.select_related("agency", "adoption", "recommendation")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("agency")),
            Prefetch("letters", queryset=ReplyLetter.objects.select_related("agency")),
            Prefetch("feedback", queryset=Feedback.objects.select_related("proposer")),
            Prefetch("contacts", queryset=Contact.objects.select_related("agency")),
        )
    )
    return sorted(proposals, key=lambda p: (order[p.session_id], len(p.number), p.number))


def _referenced_agencies(proposals: list[dict]) -> set[str]:
    codes = set()
    for p in proposals:
        codes.update(a["agency"] for a in p["assignments"])
        codes.update(s["agency"] for s in p["sections"])
        codes.update(c["agency"] for c in p["contacts"])
        for letter in filter(None, [p["letter"], *p["letters"]]):
            codes.add(letter["agency"])
            for part in letter.get("parts", []):
                codes.update(s["agency"] for s in part["sections"])
    return codes


def export_data(session: Session | None = None) -> dict:
    """Everything, or one session's proposals with the agencies they refer to."""
    sessions = [session] if session else sorted(Session.objects.all(), key=_session_order)
    proposals = [proposal_data(p) for p in _proposals(sessions)]
    agencies = Agency.objects.order_by("code")
    if session is not None:
        agencies = agencies.filter(code__in=_referenced_agencies(proposals))
    return {
        "format": FORMAT,
        "agencies": [agency_data(a) for a in agencies],
        "sessions": [session_data(s) for s in sessions],
        "proposals": proposals,
    }


def dumps(data: dict) -> str:
    """The file's text: UTF-8 JSON, Chinese as is, two-space indent, ending in a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
