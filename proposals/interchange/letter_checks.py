"""Checks of reply letters, and of the agency references letters share with other records."""

from __future__ import annotations

from django.conf import settings

from core.text import CC_TEXT as CC_MAX
from core.workflow import DomainError
from proposals.models import Assignment, Recommendation
from replies.models import AdoptionStatus, Disclosure, ReplyLetter, Section
from replies.numbering import DocumentNumber, parse_document_number

from .checker import (
    FINAL_LETTER_STATES,
    MAX_ROUND,
    Checker,
    ProposalPlan,
    Row,
    join,
    json_kind,
    limit,
    quote,
)

# A part's heading is 一、关于……的建议 around a recommendation's title.
HEADING_MAX = Recommendation._meta.get_field("title").max_length + 20


class LetterChecks(Checker):
    """The part of the reader that reads letters; ``agency_codes`` are the agencies known."""

    def __init__(self) -> None:
        super().__init__()
        self.agency_codes: set[str] = set()

    def agency_ref(self, obj: dict, path: str, roles: dict | None = None) -> str | None:
        """An agency code that must be known, and assigned to the proposal when ``roles`` is given."""
        code = self.string(obj, "agency", path, required=True)
        where = join(path, "agency")
        if code is None:
            return None
        if code not in self.agency_codes:
            self.error(where, f"unknown agency {quote(code)}")
            return None
        if roles is not None and code not in roles:
            self.error(where, f"agency {quote(code)} is not assigned to this proposal")
            return None
        return code

    def letters(self, obj: dict, path: str, roles: dict, proposal_round: int | None) -> list[Row]:
        items = []
        main = obj.get("letter")
        if main is not None:
            if isinstance(main, dict):
                items.append((join(path, "letter"), main))
            else:
                self.error(join(path, "letter"), f"expected an object or null, got {json_kind(main)}")
        items.extend(self.objects(obj, "letters", path))
        rows = [self.letter(item, where, roles, proposal_round) for where, item in items]
        current = [
            (r.path, (r.values["agency"], r.values["round"])) for r in rows
            if r.values["state"] != ReplyLetter.State.VOIDED
            and None not in (r.values["agency"], r.values["round"])
        ]
        self.duplicates(
            current,
            lambda key: f"current letter of agency {quote(key[0])} in round {key[1]} "
                        "(only one letter per agency and round may be other than voided)",
        )
        return rows

    def letter(self, obj: dict, path: str, roles: dict, proposal_round: int | None) -> Row:
        agency = self.agency_ref(obj, path, roles)
        if agency is not None and roles.get(agency) == Assignment.Role.CO:
            self.error(join(path, "agency"), f"agency {quote(agency)} is a co-handler; "
                                             "co-handlers answer through the lead agency's letter")
        number = self._document_number(obj, path)
        issued_on = self.date(obj, "issued_on", path)
        signed_on = self.date(obj, "signed_on", path)
        has_number = obj.get("number") is not None
        default_state = (
            ReplyLetter.State.ISSUED if obj.get("issued_on") is not None
            else ReplyLetter.State.SIGNED if has_number
            else ReplyLetter.State.DRAFT
        )
        state = self.choice(obj, "state", path, ReplyLetter.State.values, what="letter state",
                            default=default_state)
        round_ = self.integer(obj, "round", path, default=proposal_round, low=1, high=MAX_ROUND)
        if round_ is not None and proposal_round is not None and round_ > proposal_round:
            self.error(join(path, "round"),
                       f"round {round_} is later than the proposal's round {proposal_round}")
        klass = self.string(obj, "class", path)
        if klass and klass not in settings.LETTER_CLASSES:
            self.error(join(path, "class"), f"unknown letter class {quote(klass)} "
                                            f"(expected one of: {', '.join(settings.LETTER_CLASSES)})")
        final = state in FINAL_LETTER_STATES
        if final:
            if not has_number:
                self.error(join(path, "number"), f"missing (a {state} letter has a document number)")
            if obj.get("signed_on") is None:
                self.error(join(path, "signed_on"), f"missing (a {state} letter has a signing date)")
            if obj.get("class") in (None, ""):
                self.error(join(path, "class"), f"missing (a {state} letter has a class)")
        elif state is not None and has_number:
            self.error(join(path, "number"),
                       f"a {state} letter has no document number yet (numbers are given at signing)")
        if obj.get("issued_on") is not None:
            if state not in (ReplyLetter.State.ISSUED, ReplyLetter.State.VOIDED, None):
                self.error(join(path, "issued_on"), f"a {state} letter has no issue date")
            if issued_on and signed_on and issued_on < signed_on:
                self.error(join(path, "issued_on"),
                           f"{issued_on} is earlier than signed_on {signed_on}")
        elif state == ReplyLetter.State.ISSUED:
            self.error(join(path, "issued_on"), "missing (an issued letter has an issue date)")
        values = {
            "agency": agency,
            "number": number,
            "state": state,
            "round": round_,
            "klass": klass,
            "class_reason": self.string(obj, "class_reason", path,
                                        max_length=limit(ReplyLetter, "class_reason")),
            "title": self.string(obj, "title", path, required=True, nonblank=True,
                                 max_length=limit(ReplyLetter, "title")),
            "addressee": self.string(obj, "addressee", path, required=True, nonblank=True,
                                     max_length=limit(ReplyLetter, "addressee")),
            "opening": self.string(obj, "opening", path, max_length=limit(ReplyLetter, "opening")),
            "closing": self.string(obj, "closing", path, default="专此答复。",
                                   max_length=limit(ReplyLetter, "closing")),
            "signatory": self.string(obj, "signatory", path, required=True, nonblank=True,
                                     max_length=limit(ReplyLetter, "signatory")),
            "signed_on": signed_on,
            "note": self.string(obj, "note", path, max_length=limit(ReplyLetter, "note")),
            "disclosure": self.choice(obj, "disclosure", path, Disclosure.values, what="disclosure",
                                      default=Disclosure.PUBLIC),
            "cc": self.strings(obj, "cc", path, max_length=CC_MAX),
            "issued_by": self.string(obj, "issued_by", path,
                                     max_length=limit(ReplyLetter, "issued_by")),
            "issued_on": issued_on,
            "void_reason": self.string(obj, "void_reason", path,
                                       max_length=limit(ReplyLetter, "void_reason")),
            "parts": self.parts(obj, path),
        }
        return Row(path, values)

    def _document_number(self, obj: dict, path: str) -> DocumentNumber | None:
        text = self.string(obj, "number", path, nonblank=True, default=None,
                           max_length=limit(ReplyLetter, "number"))
        if text is None:
            return None
        try:
            return parse_document_number(text)
        except DomainError as error:
            self.error(join(path, "number"), error.message)
            return None

    def parts(self, obj: dict, path: str) -> list | None:
        """A letter's fixed text as stored at signing; None when the file leaves it out."""
        if obj.get("parts") is None:
            return None
        parts = []
        for where, item in self.objects(obj, "parts", path):
            sections = []
            for section_where, section in self.objects(item, "sections", where):
                agency = self.string(section, "agency", section_where, required=True)
                if agency is not None and agency not in self.agency_codes:
                    self.error(join(section_where, "agency"), f"unknown agency {quote(agency)}")
                sections.append({
                    "agency": agency,
                    "adoption": self.string(section, "adoption", section_where,
                                            max_length=limit(AdoptionStatus, "code")),
                    "body": self.string(section, "body", section_where,
                                        max_length=limit(Section, "body")),
                })
            part = {
                "ordinal": self.integer(item, "ordinal", where, required=True, low=1, high=99),
                "heading": self.string(item, "heading", where, required=True,
                                       max_length=HEADING_MAX),
                "phrase": self.string(item, "phrase", where, max_length=limit(AdoptionStatus, "phrase")),
                "sections": sections,
            }
            if item.get("paragraphs") is not None:
                part["paragraphs"] = self.paragraphs(item, where)
            parts.append(part)
        return parts

    def paragraphs(self, part: dict, path: str) -> list[dict]:
        """A part worded by the letter's agency: each paragraph with the sections it came from."""
        paragraphs = []
        for where, item in self.objects(part, "paragraphs", path):
            sources = []
            for source_where, source in self.objects(item, "sources", where):
                agency = self.string(source, "agency", source_where, required=True)
                if agency is not None and agency not in self.agency_codes:
                    self.error(join(source_where, "agency"), f"unknown agency {quote(agency)}")
                sources.append({"agency": agency,
                                "position": self.integer(source, "position", source_where, default=1,
                                                         low=1, high=999)})
            paragraphs.append({
                "text": self.string(item, "text", where, required=True, nonblank=True,
                                    max_length=limit(Section, "body")),
                "sources": sources,
            })
        return paragraphs

    def check_letter_numbers(self, proposals: list[ProposalPlan]) -> None:
        """A document number once per file, and not held by another proposal's letter."""
        owners: dict[tuple, tuple[str, str, str]] = {}
        rows = []
        for p in proposals:
            for row in p.letters:
                number = row.values["number"]
                if number is None:
                    continue
                key = (number.prefix, number.year, number.serial)
                rows.append((join(row.path, "number"), key))
                owners.setdefault(key, (p.session, p.number, row.path))
        self.duplicates(rows, lambda key: f"document number {quote(str(DocumentNumber(*key)))}")
        if not owners:
            return
        in_db = ReplyLetter.objects.filter(
            doc_serial__isnull=False,
            doc_prefix__in={k[0] for k in owners},
            doc_year__in={k[1] for k in owners},
        ).values_list("doc_prefix", "doc_year", "doc_serial", "proposal__session__code",
                      "proposal__number")
        for prefix, year, serial, session_code, number in in_db:
            owner = owners.get((prefix, year, serial))
            if owner is not None and owner[:2] != (session_code, number):
                self.error(join(owner[2], "number"),
                           f"document number {quote(str(DocumentNumber(prefix, year, serial)))} "
                           f"belongs to proposal {number} of session {quote(session_code)}")
