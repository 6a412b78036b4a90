"""Writing an interchange file into the database.

The whole file is checked first (:mod:`.reader`); a file with any error imports
nothing. The records it names are then made to match it, in one transaction:
each value is compared before saving and only what differs is saved, so importing
the same file again changes nothing.

Import restores recorded state: it writes rows directly instead of walking the
workflow, while keeping the invariants the workflow keeps (document numbers and
their counters, proposal-number counters, a signed letter's fixed text).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.db.models import ProtectedError

from agencies.models import Agency
from core.actions import action
from history.models import StateChange
from proposals.models import (
    Assignment,
    Category,
    Contact,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)
from proposals.services import note_proposal_number
from replies.models import AdoptionStatus, ReplyLetter, Section
from replies.numbering import note_document_number

from .base import FORMAT, InterchangeError, default_parts
from .reader import Plan, ProposalPlan, Row, parse, read

# Proposal fields as the file names them, where the model's name differs.
_FILE_NAMES = {"state": "status", "category_id": "category"}


def save_changes(obj, values: dict, *, bump_version: bool = False) -> list[str]:
    """Set the fields of ``obj`` that differ from ``values``; save those fields only.

    Returns the names of the changed fields (empty: nothing was saved).
    """
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        fields = list(changed)
        if bump_version:
            obj.version += 1
            fields.append("version")
        if hasattr(obj, "updated_at"):
            fields.append("updated_at")
        obj.save(update_fields=fields)
    return changed


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, *, created: bool = False, changed: bool = False) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    agencies: Counts = field(default_factory=Counts)
    sessions: Counts = field(default_factory=Counts)
    proposals: Counts = field(default_factory=Counts)

    def lines(self) -> list[str]:
        return [
            f"agencies: {self.agencies}",
            f"sessions: {self.sessions}",
            f"proposals: {self.proposals}",
        ]

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in (self.agencies, self.sessions, self.proposals))


class Writer:
    """Makes the database match a checked :class:`Plan`."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.result = ImportResult()
        self.path = "file"  # the place being written, for a database error's message
        self.agencies: dict[str, Agency] = {}
        self.sessions: dict[str, Session] = {}
        self.adoptions: dict[str, int] = dict(AdoptionStatus.objects.values_list("code", "pk"))
        self.categories: dict[str, int] = {}

    def run(self) -> ImportResult:
        for row in self.plan.agencies:
            self.path = row.path
            self.agency(row)
        for row in self.plan.sessions:
            self.path = row.path
            self.session(row)
        self.agencies = {a.code: a for a in Agency.objects.all()}
        codes = {p.session for p in self.plan.proposals}
        self.sessions = {s.code: s for s in Session.objects.filter(code__in=codes)}
        for plan in self.plan.proposals:
            self.path = plan.path
            self.proposal(plan)
        return self.result

    # ------------------------------------------------------------ agencies and sessions

    def agency(self, row: Row) -> None:
        agency = Agency.objects.filter(code=row.values["code"]).first()
        if agency is None:
            Agency.objects.create(**row.values)
            self.result.agencies.add(created=True)
        else:
            self.result.agencies.add(changed=bool(save_changes(agency, row.values)))

    def session(self, row: Row) -> None:
        session = Session.objects.filter(code=row.values["code"]).first()
        if session is None:
            Session.objects.create(**row.values)
            self.result.sessions.add(created=True)
        else:
            self.result.sessions.add(changed=bool(save_changes(session, row.values)))

    def category(self, name: str | None) -> int | None:
        if name is None:
            return None
        if name not in self.categories:
            self.categories[name] = Category.objects.get_or_create(name=name)[0].pk
        return self.categories[name]

    # ------------------------------------------------------------ proposals

    def proposal(self, plan: ProposalPlan) -> None:
        session = self.sessions[plan.session]
        values = {**plan.values, "category_id": self.category(plan.category)}
        proposal = Proposal.objects.filter(session=session, number=plan.number).first()
        created = proposal is None
        if created:
            proposal = Proposal.objects.create(session=session, number=plan.number, **values)
            source, own = "", []
        else:
            source, own = proposal.state, save_changes(proposal, values)
        changes = [_FILE_NAMES.get(name, name) for name in own]
        if self.signatures(proposal, plan.proposers):
            changes.append("proposers")
        ordinals, changed = self.recommendations(proposal, plan.recommendations)
        if changed:
            changes.append("recommendations")
        if self.assignments(proposal, plan.assignments):
            changes.append("assignments")
        if self.sections(proposal, plan.sections, ordinals):
            changes.append("sections")
        if self.letters(proposal, plan.letters):
            changes.append("letters")
        if self.feedback(proposal, plan.feedback):
            changes.append("feedback")
        if plan.contacts is not None and self.contacts(proposal, plan.contacts):
            changes.append("contacts")
        self.path = plan.path
        note_proposal_number(session, plan.number)

        if created:
            StateChange.record(proposal, action="import", target=proposal.state,
                               data={"format": FORMAT, "created": True})
        elif changes:
            if not own:
                proposal.save(update_fields=["updated_at"])
            StateChange.record(proposal, action="import", source=source, target=proposal.state,
                               data={"format": FORMAT, "changed": changes})
        self.result.proposals.add(created=created, changed=bool(changes))

    def signatures(self, proposal: Proposal, rows: list[Row]) -> bool:
        existing = {
            (s.proposer.name, s.proposer.kind): s
            for s in proposal.signatures.select_related("proposer")
        }
        wanted = {(r.values["name"], r.values["kind"]) for r in rows}
        stale = [s.pk for key, s in existing.items() if key not in wanted]
        changed = bool(stale)
        Signature.objects.filter(pk__in=stale).delete()
        # Rows that stop being the lead are saved before the row that becomes it.
        for row in sorted(rows, key=lambda r: r.values["role"] == Signature.Role.LEAD):
            self.path = row.path
            v = row.values
            proposer, made = Proposer.objects.get_or_create(
                name=v["name"], kind=v["kind"], defaults={"contact": v.get("contact", "")}
            )
            if not made and "contact" in v and save_changes(proposer, {"contact": v["contact"]}):
                changed = True
            signature = existing.get((v["name"], v["kind"]))
            if signature is None:
                Signature.objects.create(proposal=proposal, proposer=proposer, role=v["role"],
                                         position=v["position"])
                changed = True
            elif save_changes(signature, {"role": v["role"], "position": v["position"]}):
                changed = True
        return changed

    def recommendations(self, proposal: Proposal, rows: list[Row]) -> tuple[dict[int, int], bool]:
        """Returns each recommendation's id by ordinal, and whether anything changed."""
        existing = {r.ordinal: r for r in proposal.recommendations.all()}
        wanted = {r.values["ordinal"] for r in rows}
        stale = [r.pk for ordinal, r in existing.items() if ordinal not in wanted]
        changed = bool(stale)
        Recommendation.objects.filter(pk__in=stale).delete()
        ids = {}
        for row in rows:
            self.path = row.path
            v = row.values
            recommendation = existing.get(v["ordinal"])
            if recommendation is None:
                recommendation = Recommendation.objects.create(proposal=proposal, **v)
                changed = True
            elif save_changes(recommendation, {"title": v["title"], "body": v["body"]}):
                changed = True
            ids[v["ordinal"]] = recommendation.pk
        return ids, changed

    def assignments(self, proposal: Proposal, rows: list[Row]) -> bool:
        existing = {a.agency_id: a for a in proposal.assignments.all()}
        wanted = {self.agencies[r.values["agency"]].pk for r in rows}
        stale = [a.pk for agency_id, a in existing.items() if agency_id not in wanted]
        changed = bool(stale)
        Assignment.objects.filter(pk__in=stale).delete()
        # An assignment that stops being the lead is saved before the one that becomes it.
        for row in sorted(rows, key=lambda r: r.values["role"] == Assignment.Role.LEAD):
            self.path = row.path
            agency = self.agencies[row.values["agency"]]
            values = {k: row.values[k] for k in ("role", "assigned_on", "due_on")}
            assignment = existing.get(agency.pk)
            if assignment is None:
                Assignment.objects.create(proposal=proposal, agency=agency, **values)
                changed = True
            elif save_changes(assignment, values):
                changed = True
        return changed

    def sections(self, proposal: Proposal, rows: list[Row], ordinals: dict[int, int]) -> bool:
        existing = {
            (s.recommendation_id, s.agency_id, s.position): s
            for s in Section.objects.filter(recommendation__proposal=proposal)
        }
        keys = {}
        for row in rows:
            v = row.values
            keys[row.path] = (ordinals[v["recommendation"]], self.agencies[v["agency"]].pk,
                              v["position"])
        stale = [s.pk for key, s in existing.items() if key not in set(keys.values())]
        changed = bool(stale)
        Section.objects.filter(pk__in=stale).delete()
        for row in rows:
            self.path = row.path
            v = row.values
            key = keys[row.path]
            values = {
                "adoption_id": self.adoptions[v["adoption"]] if v["adoption"] else None,
                "body": v["body"],
                "state": v["state"],
            }
            section = existing.get(key)
            if section is None:
                Section.objects.create(recommendation_id=key[0], agency_id=key[1],
                                       position=key[2], **values)
                changed = True
            elif save_changes(section, values, bump_version=True):
                changed = True
        return changed

    # ------------------------------------------------------------ letters

    def letters(self, proposal: Proposal, rows: list[Row]) -> bool:
        """Letters are matched by document number; a letter without one by agency and round."""
        existing = list(proposal.letters.all())
        numbered = {
            (x.doc_prefix, x.doc_year, x.doc_serial): x for x in existing if x.doc_serial is not None
        }
        unnumbered = {(x.agency_id, x.round): x for x in existing if x.doc_serial is None}
        matches: list[tuple[Row, ReplyLetter | None]] = []
        claimed: set[int] = set()
        for row in rows:
            number = row.values["number"]
            if number is not None:
                letter = numbered.get((number.prefix, number.year, number.serial))
            else:
                letter = unnumbered.get(self._letter_slot(row))
            if letter is not None:
                claimed.add(letter.pk)
            matches.append((row, letter))
        # A numbered letter not found by its number is the draft of that agency and round,
        # since signed.
        for i, (row, letter) in enumerate(matches):
            draft = unnumbered.get(self._letter_slot(row))
            if letter is None and draft is not None and draft.pk not in claimed:
                claimed.add(draft.pk)
                matches[i] = (row, draft)
        stale = [x.pk for x in existing if x.pk not in claimed]
        changed = bool(stale)
        ReplyLetter.objects.filter(pk__in=stale).delete()
        # Letters becoming voided go first: one current letter per agency and round.
        for row, letter in sorted(matches, key=lambda m: m[0].values["state"] != ReplyLetter.State.VOIDED):
            self.path = row.path
            values = self._letter_values(proposal, row)
            if letter is None:
                ReplyLetter.objects.create(proposal=proposal, **values)
                changed = True
            elif save_changes(letter, values, bump_version=True):
                changed = True
            if row.values["number"] is not None:
                note_document_number(row.values["number"])
        return changed

    def _letter_slot(self, row: Row) -> tuple[int, int]:
        return self.agencies[row.values["agency"]].pk, row.values["round"]

    def _letter_values(self, proposal: Proposal, row: Row) -> dict:
        v = row.values
        agency = self.agencies[v["agency"]]
        number = v["number"]
        values = {
            "agency_id": agency.pk,
            "round": v["round"],
            "state": v["state"],
            "number": str(number) if number else None,
            "doc_prefix": number.prefix if number else "",
            "doc_year": number.year if number else None,
            "doc_serial": number.serial if number else None,
            **{name: v[name] for name in (
                "klass", "class_reason", "title", "addressee", "opening", "closing", "signatory",
                "signed_on", "note", "disclosure", "cc", "issued_by", "issued_on", "void_reason",
            )},
        }
        if v["parts"] is not None:
            values["parts"] = v["parts"]
        else:
            values["parts"] = default_parts(ReplyLetter(proposal=proposal, agency=agency,
                                                        state=v["state"]))
        return values

    # ------------------------------------------------------------ feedback

    def feedback(self, proposal: Proposal, rows: list[Row]) -> bool:
        """Feedback is matched by round, date received and place among that day's forms."""
        existing = _by_occurrence(
            ((item.round, item.received_on), item)
            for item in proposal.feedback.order_by("round", "received_on", "id")
        )
        keys = _by_occurrence(((r.values["round"], r.values["received_on"]), r) for r in rows)
        stale = [item.pk for key, item in existing.items() if key not in keys]
        changed = bool(stale)
        Feedback.objects.filter(pk__in=stale).delete()
        signed = {s.proposer.name: s.proposer for s in proposal.signatures.select_related("proposer")}
        for key, row in keys.items():
            self.path = row.path
            values = {name: row.values[name] for name in ("handling", "result", "comment", "online")}
            values["proposer"] = signed.get(row.values["proposer"]) if row.values["proposer"] else None
            item = existing.get(key)
            if item is None:
                Feedback.objects.create(proposal=proposal, round=key[0], received_on=key[1], **values)
                changed = True
            elif save_changes(item, values):
                changed = True
        return changed


    # ------------------------------------------------------------ contacts (沟通)

    def contacts(self, proposal: Proposal, rows: list[Row]) -> bool:
        """Contacts are matched by agency, round, date and way, and place among those alike."""
        agencies = {a.code: a for a in Agency.objects.filter(code__in={r.values["agency"] for r in rows})}
        existing = _by_occurrence(
            ((item.agency.code, item.round, item.contacted_on, item.way), item)
            for item in proposal.contacts.select_related("agency").order_by("contacted_on", "id")
        )
        keys = _by_occurrence(((r.values["agency"], r.values["round"], r.values["contacted_on"],
                                r.values["way"]), r) for r in rows)
        stale = [item.pk for key, item in existing.items() if key not in keys]
        changed = bool(stale)
        Contact.objects.filter(pk__in=stale).delete()
        for key, row in keys.items():
            self.path = row.path
            values = {"participants": row.values["participants"], "note": row.values["note"] or ""}
            item = existing.get(key)
            if item is None:
                Contact.objects.create(proposal=proposal, agency=agencies[key[0]], round=key[1],
                                       contacted_on=key[2], way=key[3], **values)
                changed = True
            elif save_changes(item, values):
                changed = True
        return changed


def _by_occurrence(pairs) -> dict:
    """Items by their key extended with the key's occurrence: (key…, 0), (key…, 1) …"""
    seen: Counter = Counter()
    result = {}
    for key, item in pairs:
        result[(*key, seen[key])] = item
        seen[key] += 1
    return result


@action
def _write(data, writers: list) -> ImportResult:
    """One action for the whole file: the answer facts of every proposal it touched are
    refreshed once at its end, and each proposal is indexed again once it commits."""
    writer = Writer(read(data))
    writers.append(writer)
    return writer.run()


def import_data(data) -> ImportResult:
    """Import parsed JSON in one transaction; raises :class:`InterchangeError` on any error."""
    writers: list[Writer] = []
    try:
        return _write(data, writers)
    except (DatabaseError, ProtectedError) as error:
        where = writers[0].path if writers else "file"
        raise InterchangeError([f"{where}: the database refused the change: {error.args[0]}"]) from error


def import_bytes(raw: bytes | str) -> ImportResult:
    """Import the bytes of a file (UTF-8 JSON)."""
    return import_data(parse(raw))
