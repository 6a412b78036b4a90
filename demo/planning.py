"""Planning the generated data: every proposal's course — session, state, agencies,
dates, letters, feedback — decided from the seed alone before anything is written."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max

from proposals.deadlines import UnknownCalendarYear
from proposals.models import (
    Proposal,
    Session,
)
from replies.models import DocumentCounter, ReplyLetter

from .words import TOPICS

LAST_DAY = datetime.date(2026, 11, 20)
BATCH = 1000  # proposals written per round of bulk inserts
D = datetime.timedelta

# How a session's proposals are spread over the states: sessions of earlier years are
# mostly closed; the latest one is still being handled.
EARLIER = {"submitted": 1, "registered": 1, "converted": 4, "withdrawn": 2, "assigned": 6,
           "replied": 10, "reopened": 3, "closed": 73}
LATEST = {"submitted": 6, "registered": 4, "converted": 4, "withdrawn": 2, "assigned": 32,
          "replied": 22, "reopened": 4, "closed": 26}
STATES = list(EARLIER)
HANDLED = {"assigned", "replied", "reopened", "closed"}


class GenerationRefused(Exception):
    """The database or the options do not allow generating; the message says why."""


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Letter:
    __slots__ = ("round", "state", "signed_on", "issued_on", "voided_on", "serial", "created_on")

    def __init__(self, round_, state, created_on, signed_on=None, issued_on=None, voided_on=None):
        self.round, self.state, self.created_on = round_, state, created_on
        self.signed_on, self.issued_on, self.voided_on = signed_on, issued_on, voided_on
        self.serial = None


class _Plan:
    """One proposal's course, decided before anything is written."""

    __slots__ = ("index", "session", "serial", "topic", "state", "round", "is_key", "recs", "lead",
                 "co", "submitted_on", "reviewed_on", "assigned_on", "lead_due", "co_due",
                 "lead_approved", "co_approved", "progress", "letters", "feedback", "closed_on",
                 "reopened_on", "rehandling_due", "replied_on", "proposer_kind")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


def _quotas(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` split by ``weights`` with the largest-remainder rule."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], STATES.index(k)))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


# The hour of the working day each kind of step is taken, so that steps taken on one
# day follow each other in the history as they do in the workflow.
HOURS = {"create": 9, "register": 10, "convert": 10, "withdraw": 10, "feedback": 10, "issue": 10,
         "assign": 11, "void": 11, "submit": 14, "sign": 15, "close": 15, "reopen": 15,
         "approve": 16, "reply": 16, "extend": 16, "update": 17}


class Planner:
    """The generator's planning half: what each proposal goes through (see :class:`demo.generate.Generator`)."""

    def _due(self, session: Session, kind: str, start: datetime.date) -> datetime.date:
        key = (session.pk, kind, start)
        if key not in self._due_cache:
            try:
                self._due_cache[key] = session.due_date(kind, start).date
            except UnknownCalendarYear:  # working days in a year without a calendar: five a week
                amount, _unit = session.period(kind)
                self._due_cache[key] = start + D(days=round(amount * 7 / 5))
        return self._due_cache[key]

    def _serials(self) -> list[list[int]]:
        """Each session's free serials, after those already used."""
        result = []
        per_session = [self.n // self.k + (1 if i < self.n % self.k else 0) for i in range(self.k)]
        for session, count in zip(self.sessions, per_session, strict=True):
            taken = set(Proposal.objects.filter(session__committee=session.committee)
                        .values_list("number", flat=True))
            serial, serials = session.last_serial, []
            while len(serials) < count:
                serial += 1
                if f"{session.number_prefix}{serial:03d}" not in taken:
                    serials.append(serial)
            result.append(serials)
        return result

    def _plan(self) -> list[_Plan]:
        rng = random.Random(f"generate-data:{self.seed}")
        codes = {a.code: i for i, a in enumerate(self.agencies)}
        topic_weights = [t["weight"] for t in TOPICS]
        plans: list[_Plan] = []
        for s, serials in enumerate(self._serials()):
            weights = LATEST if s == self.k - 1 else EARLIER
            counts = _quotas(len(serials), weights)
            states = [state for state in STATES for _i in range(counts[state])]
            rng.shuffle(states)
            for serial, state in zip(serials, states, strict=True):
                topic = rng.choices(range(len(TOPICS)), topic_weights)[0]
                preferred = [codes[c] for c in TOPICS[topic]["agencies"] if c in codes]
                lead = rng.choice(preferred) if preferred and rng.random() < 0.8 else \
                    rng.randrange(len(self.agencies))
                others = [i for i in range(len(self.agencies)) if i != lead]
                co = rng.sample(others, min(len(others), rng.choices([0, 1, 2, 3], [35, 35, 20, 10])[0]))
                plans.append(_Plan(
                    index=len(plans), session=s, serial=serial, topic=topic, state=state, round=1,
                    is_key=rng.random() < 0.03, recs=rng.choices([2, 3, 4, 5, 6], [20, 30, 25, 15, 10])[0],
                    lead=lead, co=tuple(co), letters=[], feedback=[],
                    proposer_kind=rng.choices(["member", "party", "committee", "group"], [62, 20, 6, 12])[0],
                ))
        self._every_state(plans)
        for plan in plans:
            self._course(plan, rng)
        self._document_serials(plans)
        return plans

    def _every_state(self, plans: list[_Plan]) -> None:
        """With enough proposals, make sure each state occurs at least once."""
        if len(plans) < len(STATES):
            return
        for state in STATES:
            if not any(p.state == state for p in plans):
                counts = defaultdict(int)
                for p in plans:
                    counts[p.state] += 1
                common = max(STATES, key=lambda s: counts[s])
                next(p for p in reversed(plans) if p.state == common).state = state

    def _course(self, p: _Plan, rng: random.Random) -> None:
        """The dates of everything that happens to the proposal, in order."""
        session = self.sessions[p.session]
        year = session.year
        p.submitted_on = datetime.date(year, 1, 2) + D(days=rng.randint(0, 23))
        if p.state == "submitted":
            return
        p.reviewed_on = p.submitted_on + D(days=rng.randint(7, 30))
        if p.state not in HANDLED:
            return
        late = p.state == "assigned" and rng.random() < 0.3
        p.assigned_on = p.reviewed_on + D(days=rng.randint(2, 12) + (rng.randint(30, 210) if late else 0))
        p.lead_due = self._due(session, "lead", p.assigned_on)
        p.co_due = self._due(session, "co", p.assigned_on)
        co_days = (p.co_due - p.assigned_on).days
        p.co_approved = [p.assigned_on + D(days=rng.randint(7, co_days + 12)) for _c in p.co]
        p.lead_approved = p.assigned_on + D(days=rng.randint(20, 80))
        if p.state == "assigned":
            p.progress = rng.choices([0, 1, 2, 3, 4], [30, 25, 25, 12, 8])[0]
            if p.progress >= 3:
                started = min(LAST_DAY, max([p.lead_approved, *p.co_approved]) + D(days=1))
                p.letters.append(_Letter(1, "draft" if p.progress == 3 else "in_review", started))
            return
        ready = max([p.lead_approved, *p.co_approved])
        signed = ready + D(days=rng.randint(1, 10) + (rng.randint(20, 70) if rng.random() < 0.12 else 0))
        self._sign(p, 1, signed, rng)
        p.replied_on = p.letters[-1].signed_on
        second_round = p.state == "reopened" or (p.state in ("closed", "replied") and rng.random() < 0.06)
        if p.state == "replied" and not second_round:
            if rng.random() < 0.4:
                self._feedback(p, 1, p.replied_on + D(days=rng.randint(10, 45)), rng, satisfied=True)
            return
        satisfied = not second_round and rng.random() < 0.97
        received = p.replied_on + D(days=rng.randint(10, 45))
        self._feedback(p, 1, received, rng, satisfied=satisfied)
        if not second_round:
            p.closed_on = min(LAST_DAY, received + D(days=rng.randint(1, 15)))
            return
        p.round = 2
        p.reopened_on = min(LAST_DAY, received + D(days=rng.randint(1, 10)))
        p.rehandling_due = self._due(session, "rehandling", p.reopened_on)
        if p.state == "reopened":
            if rng.random() < 0.3:
                p.letters.append(_Letter(2, "draft", min(LAST_DAY, p.reopened_on + D(days=3))))
            return
        self._sign(p, 2, p.reopened_on + D(days=rng.randint(5, 28)), rng)
        p.replied_on = p.letters[-1].signed_on
        if p.state == "replied":
            return
        received = p.replied_on + D(days=rng.randint(7, 30))
        self._feedback(p, 2, received, rng, satisfied=True)
        p.closed_on = min(LAST_DAY, received + D(days=rng.randint(1, 10)))

    def _sign(self, p: _Plan, round_: int, signed: datetime.date, rng: random.Random) -> None:
        signed = min(LAST_DAY, signed)
        if rng.random() < 0.01:  # signed, then voided for an error and signed again
            voided = min(LAST_DAY, signed + D(days=rng.randint(2, 10)))
            p.letters.append(_Letter(round_, "voided", signed - D(days=2), signed, voided_on=voided))
            signed = min(LAST_DAY, voided + D(days=rng.randint(1, 5)))
        issued = signed + D(days=rng.randint(1, 7)) if rng.random() < 0.7 else None
        if issued and issued > LAST_DAY:
            issued = None
        p.letters.append(_Letter(round_, "issued" if issued else "signed", signed - D(days=2),
                                 signed, issued))

    def _feedback(self, p: _Plan, round_: int, received, rng, *, satisfied: bool) -> None:
        marks = ["satisfied", "basically_satisfied", "dissatisfied"]
        handling = rng.choices(marks, [75, 25, 0] if satisfied else [20, 40, 40])[0]
        result = rng.choices(marks, [65, 35, 0])[0] if satisfied else "dissatisfied"
        p.feedback.append((round_, min(LAST_DAY, received), handling, result))

    def _document_serials(self, plans: list[_Plan]) -> None:
        """Number the signed letters per prefix and year in the order they were signed."""
        by_key = defaultdict(list)
        for p in plans:
            prefix = self.agencies[p.lead].doc_prefix
            for letter in p.letters:
                if letter.signed_on:
                    by_key[(prefix, letter.signed_on.year)].append((letter.signed_on, p.index, letter))
        last = {(c.prefix, c.year): c.last_serial for c in DocumentCounter.objects.select_for_update()}
        used = ReplyLetter.objects.filter(doc_serial__isnull=False).values("doc_prefix", "doc_year") \
            .annotate(top=Max("doc_serial")).order_by()
        for row in used:
            key = (row["doc_prefix"], row["doc_year"])
            last[key] = max(last.get(key, 0), row["top"])
        self.counters = {}
        for key, letters in by_key.items():
            letters.sort(key=lambda item: (item[0], item[1]))
            start = last.get(key, 0)
            for offset, (_day, _index, letter) in enumerate(letters, start=1):
                letter.serial = start + offset
            self.counters[key] = start + len(letters)

    # ------------------------------------------------------------ writing
