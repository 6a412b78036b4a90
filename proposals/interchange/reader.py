"""Reading an interchange file: every check made, every error collected, values made ready.

:func:`read` turns the parsed JSON into a :class:`Plan` of model field values, or
raises :class:`InterchangeError` listing every problem found. It reads the database
(known agencies, sessions, adoption statuses, numbers already in use) but never
writes to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from agencies.models import Agency, code_validator, doc_prefix_validator
from proposals.models import (
    Assignment,
    Category,
    Contact,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Satisfaction,
    Session,
    Signature,
    session_code_validator,
)
from replies.models import AdoptionStatus, Section

from .base import FORMAT, InterchangeError
from .checker import (
    HANDLED_STATES,
    MAX_ROUND,
    PROPOSAL_NUMBER,
    Plan,
    ProposalPlan,
    Row,
    join,
    json_kind,
    limit,
    quote,
)
from .letter_checks import LetterChecks


@dataclass
class Known:
    """What the database already holds that a file may refer to."""

    agencies: dict[str, str]  # code → name
    sessions: dict[str, tuple[str, int, int]]  # code → (committee, term, meeting)
    adoptions: set[str]
    years: dict[str, int] = field(default_factory=dict)  # session code → year

    @classmethod
    def load(cls) -> Known:
        return cls(
            agencies=dict(Agency.objects.values_list("code", "name")),
            sessions={
                code: (committee, term, meeting)
                for code, committee, term, meeting in Session.objects.values_list(
                    "code", "committee", "term", "meeting"
                )
            },
            adoptions=set(AdoptionStatus.objects.values_list("code", flat=True)),
            years=dict(Session.objects.values_list("code", "year")),
        )


class Reader(LetterChecks):
    """Checks a whole file against the format and what the database holds."""

    def __init__(self, known: Known) -> None:
        super().__init__()
        self.known = known
        self.agency_codes = set(known.agencies)
        self.committees: dict[str, str] = {code: s[0] for code, s in known.sessions.items()}
        self.years: dict[str, int] = dict(known.years)

    # ------------------------------------------------------------ the whole file

    def read(self, data: Any) -> Plan:
        if not isinstance(data, dict):
            self.error("file", f"expected a JSON object, got {json_kind(data)}")
            raise InterchangeError(self.errors)
        fmt = data.get("format")
        if fmt is None:
            self.error("format", f"missing (expected {quote(FORMAT)})")
        elif fmt != FORMAT:
            self.error("format", f"expected {quote(FORMAT)}, got {json_kind(fmt)}")
        agencies = [self.agency(item, where) for where, item in self.objects(data, "agencies", "")]
        sessions = [self.session(item, where) for where, item in self.objects(data, "sessions", "")]
        self._check_agencies(agencies)
        self._check_sessions(sessions)
        proposals = [
            self.proposal(item, where) for where, item in self.objects(data, "proposals", "")
        ]
        self._check_proposals(proposals)
        self.check_letter_numbers(proposals)
        if self.errors:
            raise InterchangeError(self.errors)
        return Plan(agencies=agencies, sessions=sessions, proposals=proposals)

    # ------------------------------------------------------------ agencies and sessions

    def agency(self, obj: dict, path: str) -> Row:
        code = self.string(obj, "code", path, required=True, nonblank=True)
        self.validator(code_validator, code, join(path, "code"))
        name = self.string(obj, "name", path, required=True, nonblank=True,
                           max_length=limit(Agency, "name"))
        fallback = name or ""
        values = {
            "code": code,
            "name": name,
            "short_name": self.string(obj, "short_name", path, default=fallback, nonblank=True,
                                      max_length=limit(Agency, "short_name")),
            "title_name": self.string(obj, "title_name", path, default=fallback, nonblank=True,
                                      max_length=limit(Agency, "title_name")),
            "letterhead": self.string(obj, "letterhead", path, default=fallback, nonblank=True,
                                      max_length=limit(Agency, "letterhead")),
            "doc_prefix": self.string(obj, "doc_prefix", path, required=True),
            "letter_style": self.choice(obj, "letter_style", path, Agency.LetterStyle.values,
                                        what="letter style", default=Agency.LetterStyle.DOCUMENT),
            "contact": self.string(obj, "contact", path, max_length=limit(Agency, "contact")),
            "is_active": self.boolean(obj, "is_active", path, default=True),
        }
        self.validator(doc_prefix_validator, values["doc_prefix"], join(path, "doc_prefix"))
        if code:
            self.agency_codes.add(code)
        return Row(path, values)

    def _check_agencies(self, agencies: list[Row]) -> None:
        self.duplicates(
            ((join(r.path, "code"), r.values["code"]) for r in agencies),
            lambda code: f"agency {quote(code)}",
        )
        in_file = {r.values["code"] for r in agencies}
        owners = {name: code for code, name in self.known.agencies.items() if code not in in_file}
        for row in agencies:
            code, name = row.values["code"], row.values["name"]
            if name is None or code is None:
                continue
            owner = owners.setdefault(name, code)
            if owner != code:
                self.error(join(row.path, "name"),
                           f"name {quote(name)} is already used by agency {quote(owner)}")

    def session(self, obj: dict, path: str) -> Row:
        code = self.string(obj, "code", path, required=True, nonblank=True)
        self.validator(session_code_validator, code, join(path, "code"))
        values = {
            "code": code,
            "committee": self.string(obj, "committee", path, required=True, nonblank=True,
                                     max_length=limit(Session, "committee")),
            "term": self.integer(obj, "term", path, required=True, low=1, high=99),
            "meeting": self.integer(obj, "meeting", path, required=True, low=1, high=9),
            "year": self.integer(obj, "year", path, required=True, low=1949, high=2200),
            "name": self.string(obj, "name", path, required=True, nonblank=True,
                                max_length=limit(Session, "name")),
        }
        if code and values["committee"]:
            self.committees[code] = values["committee"]
        if code and values["year"]:
            self.years[code] = values["year"]
        return Row(path, values)

    def _check_sessions(self, sessions: list[Row]) -> None:
        self.duplicates(
            ((join(r.path, "code"), r.values["code"]) for r in sessions),
            lambda code: f"session {quote(code)}",
        )
        in_file = {r.values["code"] for r in sessions}
        owners = {
            meeting: code for code, meeting in self.known.sessions.items() if code not in in_file
        }
        for row in sessions:
            v = row.values
            meeting = (v["committee"], v["term"], v["meeting"])
            if None in meeting or v["code"] is None:
                continue
            owner = owners.setdefault(meeting, v["code"])
            if owner != v["code"]:
                self.error(row.path, f"term {v['term']}, meeting {v['meeting']} of "
                                     f"{quote(v['committee'])} is already session {quote(owner)}")

    # ------------------------------------------------------------ proposals

    def proposal(self, obj: dict, path: str) -> ProposalPlan:
        session = self.string(obj, "session", path, required=True, nonblank=True)
        if session is not None and session not in self.committees:
            self.error(join(path, "session"), f"unknown session {quote(session)}")
        number = self.string(obj, "number", path, required=True)
        if number is not None and not PROPOSAL_NUMBER.match(number):
            self.error(join(path, "number"),
                       f'expected up to 20 digits, e.g. "132020", got {quote(number)}')
            number = None
        state = self.choice(obj, "status", path, Proposal.State.values, what="status",
                            default=Proposal.State.SUBMITTED)
        round_ = self.integer(obj, "round", path, default=1, low=1, high=MAX_ROUND)
        values = {
            "title": self.string(obj, "title", path, required=True, nonblank=True,
                                 max_length=limit(Proposal, "title")),
            "body": self.string(obj, "body", path, max_length=limit(Proposal, "body")),
            "submitted_on": self.date(obj, "submitted_on", path),
            "state": state,
            "is_key": self.boolean(obj, "is_key", path),
            "round": round_,
        }
        plan = ProposalPlan(
            path=path, session=session, number=number, values=values,
            category=self.string(obj, "category", path, default=None,
                                 max_length=limit(Category, "name")) or None,
        )
        plan.proposers = self.proposers(obj, path)
        plan.recommendations = self.recommendations(obj, path)
        plan.assignments = self.assignments(obj, path, state)
        roles = {r.values["agency"]: r.values["role"] for r in plan.assignments}
        ordinals = {r.values["ordinal"] for r in plan.recommendations}
        plan.sections = self.sections(obj, path, ordinals, roles)
        plan.letters = self.letters(obj, path, roles, round_)
        plan.feedback = self.feedback(obj, path, round_, {r.values["name"] for r in plan.proposers})
        plan.contacts = self.contacts(obj, path, round_)
        self._check_dates(plan)
        return plan

    def _check_dates(self, plan: ProposalPlan) -> None:
        """Every date of the proposal within its session's range, as on the pages
        (:meth:`proposals.models.Session.date_range`): 9999-12-31 is a typing error."""
        year = self.years.get(plan.session)
        if year is None:
            return
        first, last = Session(year=year).date_range()
        dated = [(join(plan.path, "submitted_on"), plan.values["submitted_on"])]
        for row in plan.assignments:
            dated += [(join(row.path, name), row.values[name]) for name in ("assigned_on", "due_on")]
        for row in plan.feedback:
            dated.append((join(row.path, "received_on"), row.values["received_on"]))
        for row in plan.contacts or []:
            dated.append((join(row.path, "contacted_on"), row.values["contacted_on"]))
        for row in plan.letters:
            dated += [(join(row.path, name), row.values[name]) for name in ("signed_on", "issued_on")]
        for where, day in dated:
            if day is not None and not first <= day <= last:
                self.error(where, f"{day} is outside the session's range ({first} to {last})")

    def proposers(self, obj: dict, path: str) -> list[Row]:
        rows = []
        for position, (where, item) in enumerate(self.objects(obj, "proposers", path), start=1):
            values = {
                "name": self.string(item, "name", where, required=True, nonblank=True,
                                    max_length=limit(Proposer, "name")),
                "kind": self.choice(item, "kind", where, Proposer.Kind.values, what="proposer kind",
                                    default=Proposer.Kind.MEMBER),
                "role": self.choice(item, "role", where, Signature.Role.values, what="proposer role",
                                    default=Signature.Role.LEAD),
                "position": position,
            }
            if item.get("contact") is not None:
                values["contact"] = self.string(item, "contact", where,
                                                max_length=limit(Proposer, "contact"))
            rows.append(Row(where, values))
        self.duplicates(
            ((r.path, (r.values["name"], r.values["kind"])) for r in rows),
            lambda key: f"proposer {quote(key[0])} ({key[1]})",
        )
        leads = sum(1 for r in rows if r.values["role"] == Signature.Role.LEAD)
        if leads != 1:
            self.error(join(path, "proposers"),
                       f"a proposal needs exactly one lead proposer, found {leads}")
        return rows

    def recommendations(self, obj: dict, path: str) -> list[Row]:
        rows = []
        for where, item in self.objects(obj, "recommendations", path):
            rows.append(Row(where, {
                "ordinal": self.integer(item, "ordinal", where, required=True, low=1, high=99),
                "title": self.string(item, "title", where, required=True, nonblank=True,
                                     max_length=limit(Recommendation, "title")),
                "body": self.string(item, "body", where, max_length=limit(Recommendation, "body")),
            }))
        self.duplicates(
            ((join(r.path, "ordinal"), r.values["ordinal"]) for r in rows),
            lambda ordinal: f"recommendation {ordinal}",
        )
        return rows
    def assignments(self, obj: dict, path: str, state: str | None) -> list[Row]:
        rows = []
        for where, item in self.objects(obj, "assignments", path):
            values = {
                "agency": self.agency_ref(item, where),
                "role": self.choice(item, "role", where, Assignment.Role.values,
                                    what="assignment role", required=True),
                "assigned_on": self.date(item, "assigned_on", where, required=True),
                "due_on": self.date(item, "due_on", where, required=True),
            }
            if values["assigned_on"] and values["due_on"] and values["due_on"] < values["assigned_on"]:
                self.error(join(where, "due_on"),
                           f"{values['due_on']} is earlier than assigned_on {values['assigned_on']}")
            rows.append(Row(where, values))
        self.duplicates(
            ((join(r.path, "agency"), r.values["agency"]) for r in rows),
            lambda code: f"assignment of agency {quote(code)}",
        )
        leads = [r for r in rows if r.values["role"] == Assignment.Role.LEAD]
        for extra in leads[1:]:
            self.error(join(extra.path, "role"),
                       f"a proposal has at most one lead agency (the lead is at {leads[0].path})")
        roles = {r.values["role"] for r in rows}
        where = join(path, "assignments")
        if Assignment.Role.CO in roles and not leads:
            self.error(where, "co-handling agencies need a lead agency")
        if rows and state is not None and state not in HANDLED_STATES:
            self.error(where, f"a proposal with status {quote(state)} cannot have assignments "
                              f"(only one with status {', '.join(HANDLED_STATES)})")
        if not rows and state in HANDLED_STATES:
            self.error(where, f"a proposal with status {quote(state)} needs at least one assignment")
        return rows

    def sections(self, obj: dict, path: str, ordinals: set, roles: dict) -> list[Row]:
        rows = []
        for where, item in self.objects(obj, "sections", path):
            ordinal = self.integer(item, "recommendation", where, required=True, low=1, high=99)
            if ordinal is not None and ordinal not in ordinals:
                self.error(join(where, "recommendation"), f"unknown recommendation {ordinal}")
            state = self.choice(item, "state", where, Section.State.values, what="section state",
                                default=Section.State.APPROVED)
            adoption = self.string(item, "adoption", where, default=None)
            if adoption is not None and adoption not in self.known.adoptions:
                self.error(join(where, "adoption"), f"unknown adoption status {quote(adoption)}")
            elif adoption is None and item.get("adoption") is None and state != Section.State.DRAFT:
                self.error(join(where, "adoption"),
                           "missing (a submitted or approved section needs an adoption status)")
            rows.append(Row(where, {
                "recommendation": ordinal,
                "agency": self.agency_ref(item, where, roles),
                "adoption": adoption,
                "position": self.integer(item, "position", where, default=1, low=1, high=999),
                "body": self.string(item, "body", where, max_length=limit(Section, "body")),
                "state": state,
            }))
        self.duplicates(
            ((r.path, (r.values["recommendation"], r.values["agency"], r.values["position"]))
             for r in rows),
            lambda key: f"section (recommendation {key[0]}, agency {quote(key[1])}, position {key[2]})",
        )
        return rows
    # ------------------------------------------------------------ feedback

    def feedback(self, obj: dict, path: str, proposal_round: int | None, names: set[str]) -> list[Row]:
        rows = []
        for where, item in self.objects(obj, "feedback", path):
            proposer = self.string(item, "proposer", where, default=None, max_length=limit(Proposer, "name"))
            if proposer and proposer not in names:
                self.error(join(where, "proposer"), f"{quote(proposer)} is not one of the proposal's proposers")
            round_ = self.integer(item, "round", where, default=proposal_round, low=1, high=MAX_ROUND)
            if round_ is not None and proposal_round is not None and round_ > proposal_round:
                self.error(join(where, "round"),
                           f"round {round_} is later than the proposal's round {proposal_round}")
            rows.append(Row(where, {
                "round": round_,
                "received_on": self.date(item, "received_on", where, required=True),
                "handling": self.choice(item, "handling", where, Satisfaction.values,
                                        what="satisfaction", required=True),
                "result": self.choice(item, "result", where, Satisfaction.values,
                                      what="satisfaction", required=True),
                "comment": self.string(item, "comment", where, max_length=limit(Feedback, "comment")),
                "proposer": proposer or None,
                "online": self.boolean(item, "online", where),
            }))
        return rows

    # ------------------------------------------------------------ contacts (沟通)

    def contacts(self, obj: dict, path: str, proposal_round: int | None) -> list[Row] | None:
        """None when the file says nothing of contacts (the key absent: an older file)."""
        if "contacts" not in obj:
            return None
        rows = []
        for where, item in self.objects(obj, "contacts", path):
            round_ = self.integer(item, "round", where, default=proposal_round, low=1, high=MAX_ROUND)
            if round_ is not None and proposal_round is not None and round_ > proposal_round:
                self.error(join(where, "round"),
                           f"round {round_} is later than the proposal's round {proposal_round}")
            rows.append(Row(where, {
                # any known agency: one released from the proposal keeps the contacts it made
                "agency": self.agency_ref(item, where),
                "round": round_,
                "contacted_on": self.date(item, "contacted_on", where, required=True),
                "way": self.choice(item, "way", where, Contact.Way.values, what="way of contact",
                                   required=True),
                "participants": self.string(item, "participants", where, required=True, nonblank=True,
                                            max_length=limit(Contact, "participants")),
                "note": self.string(item, "note", where, max_length=limit(Contact, "note")),
            }))
        return rows

    # ------------------------------------------------------------ across proposals

    def _check_proposals(self, proposals: list[ProposalPlan]) -> None:
        """Natural keys: (session, number) once per file; a number once per committee."""
        self.duplicates(
            ((join(p.path, "number"), (p.session, p.number)) for p in proposals
             if p.session is not None and p.number is not None),
            lambda key: f"proposal {key[1]} of session {quote(key[0])}",
        )
        by_committee: dict[tuple[str, str], tuple[str, str]] = {}
        for p in proposals:
            committee = self.committees.get(p.session)
            if committee is None or p.number is None:
                continue
            other = by_committee.setdefault((committee, p.number), (p.session, p.path))
            if other[0] != p.session:
                self.error(join(p.path, "number"), f"number {p.number} is also used in session "
                                                   f"{quote(other[0])} of the same committee, at {other[1]}")
        numbers = {p.number for p in proposals if p.number is not None}
        in_db = Proposal.objects.filter(number__in=numbers).values_list("session__code", "number")
        for session_code, number in in_db:
            committee = self.committees.get(session_code)
            found = by_committee.get((committee, number))
            if found is not None and found[0] != session_code:
                self.error(join(found[1], "number"), f"number {number} is already used by "
                                                     f"session {quote(session_code)} of the same committee")


def read(data: Any) -> Plan:
    """Check ``data`` (parsed JSON) against the format and the database."""
    return Reader(Known.load()).read(data)


def check_size(size: int) -> None:
    """Refuse a file over ``IMPORT_MAX_MB`` before reading it."""
    most = settings.IMPORT_MAX_MB * 1024 * 1024
    if size > most:
        raise InterchangeError([
            f"file: too large: {size / 1024 / 1024:.1f} MB, at most {settings.IMPORT_MAX_MB} MB "
            "(IMPORT_MAX_MB); split the file by session"])


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse(raw: bytes | str) -> Any:
    """Parse the bytes of a file as UTF-8 JSON, or raise :class:`InterchangeError`.

    Whatever the file holds — nesting thousands of levels deep, a number of thousands of
    digits, NaN — the answer is a located message, never a traceback.
    """
    check_size(len(raw) if isinstance(raw, bytes) else len(raw.encode()))
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InterchangeError([f"file: not UTF-8 text (byte {error.start})"]) from error
    if not raw.strip():
        raise InterchangeError(["file: empty (expected a JSON object)"])
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise InterchangeError(
            [f"file: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
        ) from error
    except RecursionError as error:
        raise InterchangeError(["file: nested too deeply (lists or objects inside one another "
                                "hundreds of levels deep)"]) from error
    except ValueError as error:  # a number of more than 4,300 digits, NaN, Infinity
        raise InterchangeError([f"file: not valid JSON: {error}"]) from error
