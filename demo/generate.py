"""Generated data: sessions, agencies and proposals in every state, in bulk.

:func:`generate` builds a data set for trying the system at scale (``manage.py
generate_data``). It first plans every proposal's course from the seed alone —
session, topic, state, agencies, dates, letters, feedback — then writes the rows a
thousand proposals at a time, all in one transaction, as plain rows (see
:class:`_Table`): model instances and ``bulk_create`` would take many times longer
for the three million rows of 100 000 proposals. The same seed on the same database
gives the same data; proposal and document numbers continue those already there.

What it writes follows the rules the services enforce: one lead agency and up to
three co-handlers with due dates from the session's rules, sections approved before
a letter is signed, document numbers counted per prefix and year in the order the
letters were signed (continuing the counters already there), feedback after the
reply, a history row for each step with the date it happened. Every date falls in
2024–2026, at the latest on :data:`LAST_DAY`.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency, Membership
from core.roles import LIAISON_GROUP, OFFICE_GROUP
from history.models import StateChange
from proposals import answers
from proposals.deadlines import UnknownCalendarYear
from proposals.models import (
    Assignment,
    Category,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)
from replies.composition import chinese_ordinal, recommendation_heading, suggest_class
from replies.models import AdoptionStatus, DocumentCounter, ReplyLetter, Section

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


class Generator:
    def __init__(self, *, proposals: int, sessions: int, agencies: int, seed: int,
                 append: bool = False, log=None):
        if proposals < 1:
            raise GenerationRefused(_("--proposals 须至少为1。"))
        if not 1 <= sessions <= len(SESSIONS):
            raise GenerationRefused(_("--sessions 须在1到%(n)d之间（每年一次会议，2024—2026年）。")
                                    % {"n": len(SESSIONS)})
        if not 1 <= agencies <= len(AGENCIES):
            raise GenerationRefused(_("--agencies 须在1到%(n)d之间。") % {"n": len(AGENCIES)})
        self.n, self.k, self.m, self.seed, self.append = proposals, sessions, agencies, seed, append
        self.log = log or (lambda text: None)
        self.created: dict[str, int] = defaultdict(int)
        self._due_cache: dict = {}

    # ------------------------------------------------------------ reference data

    def _reference(self) -> None:
        User = get_user_model()
        self.sessions = []
        for term, meeting, year, rules in SESSIONS[len(SESSIONS) - self.k:]:
            row = session_row(term, meeting, year)
            # Locked until the end, so numbers logged meanwhile wait rather than clash.
            session = Session.objects.select_for_update().filter(
                committee=row["committee"], term=term, meeting=meeting).first()
            if session is None:
                if Session.objects.filter(code=row["code"]).exists():
                    raise GenerationRefused(_("届次代码“%(code)s”已被其他委员会使用。")
                                            % {"code": row["code"]})
                session = Session.objects.create(**row, **rules)
                self._count(Session, 1)
            self.sessions.append(session)
        self.agencies = []
        for index in range(self.m):
            row = agency_row(index)
            agency = Agency.objects.filter(code=row["code"]).first() or \
                Agency.objects.filter(name=row["name"]).first()
            if agency is None:
                agency = Agency.objects.create(**row)
                self._count(Agency, 1)
            self.agencies.append(agency)
        names = ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "其他"]
        for position, name in enumerate(names, start=1):
            Category.objects.get_or_create(name=name, defaults={"position": position})
        self.categories = {c.name: c for c in Category.objects.filter(name__in=names)}
        self.statuses = list(AdoptionStatus.objects.filter(is_active=True).order_by("position", "code"))
        if not self.statuses:
            raise GenerationRefused(_("没有启用的采纳情况，无法生成办理意见。"))

        def user(username, display, group=None):
            found, made = User.objects.get_or_create(username=username, defaults={"first_name": display})
            if made:
                found.set_unusable_password()
                found.save(update_fields=["password"])
                self._count(User, 1)
            if group:
                found.groups.add(Group.objects.get_or_create(name=group)[0])
            return found

        self.liaison = user("liaison", "陈静怡", LIAISON_GROUP)
        self.office = user("office", "莫慧敏", OFFICE_GROUP)
        self.officers, self.approvers = {}, {}
        staff = member_names(2 * len(self.agencies) + 10, salt="staff")
        for i, agency in enumerate(self.agencies):
            for role, store, name in (("officer", self.officers, staff[2 * i]),
                                      ("approver", self.approvers, staff[2 * i + 1])):
                store[agency.pk] = user(f"{agency.code}-{role}", name)
                Membership.objects.get_or_create(user=store[agency.pk], agency=agency, role=role)
        self._proposers()

    def _proposers(self) -> None:
        wanted = [(name, "member") for name in member_names(min(4000, max(150, self.n // 8)))]
        wanted += [(name, kind) for kind, names in (
            ("party", ["民革中山市委会", "民盟中山市委会", "民建中山市委会", "民进中山市委会",
                       "农工党中山市委会", "致公党中山市委会", "九三学社中山市委会", "中山市工商联"]),
            ("committee", ["市政协经济委员会", "市政协社会和法制委员会", "市政协教科卫体委员会",
                           "市政协文化文史和学习委员会", "市政协农业农村和人口资源环境委员会"]),
            ("group", ["经济界别", "教育界别", "医药卫生界别", "科技界别", "农业界别",
                       "社会福利和社会保障界别", "文化艺术界别", "工商联界别"]),
        ) for name in names]
        existing = {(p.name, p.kind) for p in Proposer.objects.only("name", "kind")}
        missing = [Proposer(name=n, kind=k) for n, k in wanted if (n, k) not in existing]
        Proposer.objects.bulk_create(missing, batch_size=BATCH)
        self._count(Proposer, len(missing))
        found = {(p.name, p.kind): p for p in Proposer.objects.all()}
        self.proposers = defaultdict(list)
        for name, kind in wanted:
            self.proposers[kind].append(found[(name, kind)])

    # ------------------------------------------------------------ planning

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

    def run(self) -> Report:
        started = time.perf_counter()
        with transaction.atomic():
            if Proposal.objects.exists() and not self.append:
                present = Proposal.objects.count()
                raise GenerationRefused(ngettext(
                    "数据库中已有%(n)d件提案，未生成任何数据。如要在已有数据之上追加，请加 --append。",
                    "数据库中已有%(n)d件提案，未生成任何数据。如要在已有数据之上追加，请加 --append。",
                    present) % {"n": present})
            self._reference()
            self.types = {m: ContentType.objects.get_for_model(m).pk
                          for m in (Proposal, Assignment, Section, ReplyLetter, Feedback)}
            self.tz = timezone.get_current_timezone()
            plans = self._plan()
            self.log(ngettext("已规划%(n)d件提案（%(s).1f秒）", "已规划%(n)d件提案（%(s).1f秒）",
                              len(plans)) % {"n": len(plans), "s": time.perf_counter() - started})
            self.tables = {model: _Table(model, ids=ids) for model, ids in WRITTEN.items()}
            for start in range(0, len(plans), BATCH):
                for p in plans[start:start + BATCH]:
                    self._proposal(p)
                for model, table in self.tables.items():
                    self._count(model, table.write())
                self.log(ngettext("已写入%(done)d/%(n)d件提案（%(s).1f秒）",
                                  "已写入%(done)d/%(n)d件提案（%(s).1f秒）", len(plans)) % {
                    "done": min(start + BATCH, len(plans)), "n": len(plans),
                    "s": time.perf_counter() - started})
            self._counters(plans)
            self._analyze()  # before the refresh below, whose plans depend on the new rows
            answers.refresh()  # every assignment: appended proposals share none with earlier ones
            self.log(_("已记录各承办单位是否答复（%(s).1f秒）") % {"s": time.perf_counter() - started})
        self._analyze()
        return Report(created=dict(self.created), seconds=time.perf_counter() - started)

    @staticmethod
    def _analyze() -> None:
        """Fresh statistics of the written tables (PostgreSQL), so the planner knows the new rows."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in WRITTEN:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _count(self, model, count: int) -> None:
        if count:
            self.created[str(model._meta.verbose_name)] += count

    def _counters(self, plans: list[_Plan]) -> None:
        for s, session in enumerate(self.sessions):
            top = max((p.serial for p in plans if p.session == s), default=0)
            Session.objects.filter(pk=session.pk, last_serial__lt=top).update(last_serial=top)
        for (prefix, year), serial in self.counters.items():
            counter, _made = DocumentCounter.objects.get_or_create(prefix=prefix, year=year)
            if counter.last_serial < serial:
                counter.last_serial = serial
                counter.save(update_fields=["last_serial"])

    def _at(self, day: datetime.date, rng: random.Random, action: str = "") -> datetime.datetime:
        """A time on ``day``, at the hour steps like ``action`` are taken."""
        hour = HOURS.get(action) or rng.randint(9, 16)
        return datetime.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=self.tz)

    def _history(self, proposal_id, model, object_id, day, rng, action, source="", target="", *,
                 actor=None, reason="", data=None) -> None:
        self.tables[StateChange].add(
            proposal_id=proposal_id, content_type_id=self.types[model], object_id=object_id,
            action=action, source=source, target=target, actor_id=actor.pk if actor else None,
            reason=reason, data=data or {}, at=self._at(day, rng, action),
        )

    def _proposal(self, p: _Plan) -> None:
        """Everything about one proposal, added to the tables."""
        rng = random.Random(f"generate-data:{self.seed}:{p.index}")
        text = proposal_texts(TOPICS[p.topic], p.recs, rng)
        session, t = self.sessions[p.session], self.tables
        pid = t[Proposal].next_id()
        number = f"{session.number_prefix}{p.serial:03d}"
        last = max(d for d in (p.submitted_on, p.reviewed_on, p.assigned_on, p.replied_on,
                               p.closed_on, p.reopened_on) if d)
        t[Proposal].add(
            id=pid, session_id=session.pk, session_year=session.year, number=number,
            title=text["title"], body=text["body"],
            category_id=self.categories[TOPICS[p.topic]["category"]].pk, submitted_on=p.submitted_on,
            state=p.state, is_key=p.is_key, round=p.round,
            created_at=self._at(p.submitted_on, rng, "create"), updated_at=self._at(last, rng, "update"),
        )
        lead_person = rng.choice(self.proposers[p.proposer_kind])
        people = [lead_person]
        if p.proposer_kind == "member" and rng.random() < 0.4:
            people += [m for m in rng.sample(self.proposers["member"], rng.randint(1, 4)) if m != lead_person]
        for position, person in enumerate(people, start=1):
            t[Signature].add(proposal_id=pid, proposer_id=person.pk, position=position,
                             role="lead" if position == 1 else "co-signer")
        recs = []
        for ordinal, (title, body) in enumerate(text["recommendations"], start=1):
            recs.append(_Rec(t[Recommendation].next_id(), ordinal, title))
            t[Recommendation].add(id=recs[-1].id, proposal_id=pid, ordinal=ordinal, title=title, body=body)
        self._history(pid, Proposal, pid, p.submitted_on, rng, "create", "", "submitted", actor=self.liaison)
        if p.state in ("converted", "withdrawn"):
            action = "convert" if p.state == "converted" else "withdraw"
            reason = "所提事项属具体工作建议，转为意见建议送有关部门参考。" if action == "convert" \
                else "提案者来函申请撤回。"
            self._history(pid, Proposal, pid, p.reviewed_on, rng, action, "submitted", p.state,
                          actor=self.liaison, reason=reason)
            return
        if p.reviewed_on:
            self._history(pid, Proposal, pid, p.reviewed_on, rng, "register", "submitted", "registered",
                          actor=self.liaison)
        if not p.assigned_on:
            return
        lead_id = self._assignments(p, pid, rng)
        sections = self._sections(p, pid, recs, text, rng)
        self._letters(p, pid, (number, text["title"]), session, lead_person, recs, sections, rng)
        self._answers(p, pid, lead_id, rng)

    def _assignments(self, p: _Plan, pid: int, rng: random.Random) -> int:
        """The lead and co-handlers with their due dates; returns the lead assignment's id."""
        lead_due = max(p.lead_due, p.rehandling_due) if p.rehandling_due else p.lead_due
        rows, ids = [(p.lead, "lead", lead_due)] + [(c, "co", p.co_due) for c in p.co], []
        at = self._at(p.assigned_on, rng, "assign")
        for agency, role, due in rows:
            ids.append(self.tables[Assignment].next_id())
            self.tables[Assignment].add(
                id=ids[-1], proposal_id=pid, agency_id=self.agencies[agency].pk, role=role,
                assigned_on=p.assigned_on, due_on=due, created_at=at, updated_at=at)
        self._history(pid, Proposal, pid, p.assigned_on, rng, "assign", "registered", "assigned",
                      actor=self.liaison, data={"assignments": [
                          {"agency": self.agencies[a].code, "role": r, "due_on": d.isoformat()}
                          for a, r, d in rows]})
        return ids[0]

    def _sections(self, p: _Plan, pid: int, recs: list, text: dict, rng: random.Random) -> list[dict]:
        """The agencies' sections of a handled proposal, with their history; the approved ones."""
        weights = [45, 20, 15, 12, 8][: len(self.statuses)] + [5] * max(0, len(self.statuses) - 5)
        main = rng.choices(self.statuses, weights)[0]
        answered = [(self.agencies[p.lead], rec, p.lead_approved) for rec in recs]
        for c, approved in zip(p.co, p.co_approved, strict=True):
            picked = rng.sample(recs, min(len(recs), rng.randint(1, 2)))
            answered += [(self.agencies[c], rec, approved) for rec in picked]
        result, positions = [], defaultdict(int)
        for agency, rec, approved in answered:
            state = "approved"
            if p.state == "assigned" and p.progress < 3:
                if p.progress == 0 or (p.progress == 1 and rng.random() < 0.4):
                    continue
                state = "draft" if p.progress == 1 else rng.choice(["draft", "draft", "submitted", "approved"])
            positions[rec.id] += 1
            approved = min(LAST_DAY, approved)
            created = max(p.assigned_on, approved - D(days=rng.randint(3, 15)))
            submitted = max(created, approved - D(days=rng.randint(0, 3)))
            officer, approver = self.officers[agency.pk], self.approvers[agency.pk]
            adoption = main if rng.random() < 0.75 else rng.choice(self.statuses)
            sid = self.tables[Section].next_id()
            section = {"id": sid, "rec": rec, "agency": agency, "adoption": adoption,
                       "position": positions[rec.id], "body": text["section"](agency.short_name, rec.title, adoption.label)}
            last = {"draft": created, "submitted": submitted}.get(state, approved)
            self.tables[Section].add(
                id=sid, recommendation_id=rec.id, agency_id=agency.pk, adoption_id=adoption.pk,
                body=section["body"], position=section["position"], state=state,
                version={"draft": 1, "submitted": 2, "approved": 3}[state], created_by_id=officer.pk,
                created_at=self._at(created, rng, "create"), updated_at=self._at(last, rng, "update"))
            self._history(pid, Section, sid, created, rng, "create", "", "draft", actor=officer)
            if state != "draft":
                self._history(pid, Section, sid, submitted, rng, "submit", "draft", "submitted", actor=officer)
            if state == "approved":
                self._history(pid, Section, sid, approved, rng, "approve", "submitted", "approved", actor=approver)
                result.append(section)
        return result

    def _letters(self, p, pid, proposal, session, lead_person, recs, sections, rng) -> None:
        """The lead agency's letters with their history: drafts, signed, issued, voided."""
        if not p.letters:
            return
        agency = self.agencies[p.lead]
        co_names = [self.agencies[c].short_name for c in p.co]
        parts = []
        for rec in recs:
            mine = sorted((s for s in sections if s["rec"] is rec), key=lambda s: s["position"])
            if mine:
                parts.append({
                    "ordinal": rec.ordinal, "heading": recommendation_heading(rec),
                    "phrase": mine[0]["adoption"].phrase,
                    "sections": [{"agency": s["agency"].code, "adoption": s["adoption"].code,
                                  "body": s["body"]} for s in mine],
                })
        klass = suggest_class(s["adoption"].suggests_class for s in sections)
        wording = letter_texts(agency, session, *proposal, lead_person, co_names)
        officer, approver = self.officers[agency.pk], self.approvers[agency.pk]
        for plan in p.letters:
            lid = self.tables[ReplyLetter].next_id()
            row = dict(id=lid, proposal_id=pid, agency_id=agency.pk, round=plan.round, state=plan.state,
                       klass=klass, signed_on=plan.signed_on, issued_on=plan.issued_on, **wording,
                       disclosure=rng.choices(["主动公开", "依申请公开", "不予公开"], [85, 10, 5])[0],
                       version={"draft": 1, "in_review": 2}.get(plan.state, 4),
                       created_at=self._at(plan.created_on, rng, "create"),
                       updated_at=self._at(plan.voided_on or plan.issued_on or plan.signed_on
                                           or plan.created_on, rng, "update"))
            doc = ""
            if plan.signed_on:
                year = plan.signed_on.year
                doc = f"{agency.doc_prefix}〔{year}〕{plan.serial}号"
                row.update(number=doc, doc_prefix=agency.doc_prefix, doc_year=year, doc_serial=plan.serial,
                           parts=parts, signed_by_id=approver.pk,
                           signed_at=self._at(plan.signed_on, rng, "sign"))
            if plan.state == "voided":
                row["void_reason"] = "答复函中数据有误，作废后重新发文。"
            self.tables[ReplyLetter].add(**row)
            self._history(pid, ReplyLetter, lid, plan.created_on, rng, "create", "", "draft", actor=officer)
            if plan.state == "draft":
                continue
            submitted = plan.signed_on - D(days=1) if plan.signed_on else plan.created_on
            self._history(pid, ReplyLetter, lid, submitted, rng, "submit", "draft", "in_review", actor=officer)
            if not plan.signed_on:
                continue
            self._history(pid, ReplyLetter, lid, plan.signed_on, rng, "sign", "in_review", "signed",
                          actor=approver, data={"number": doc})
            if plan.issued_on:
                self._history(pid, ReplyLetter, lid, plan.issued_on, rng, "issue", "signed", "issued",
                              actor=self.office)
            if plan.voided_on:
                self._history(pid, ReplyLetter, lid, plan.voided_on, rng, "void", "signed", "voided",
                              actor=approver, reason=row["void_reason"])

    def _answers(self, p: _Plan, pid: int, lead_id: int, rng: random.Random) -> None:
        """The replies, the proposer's feedback, closing and reopening, in the history."""
        marks = {}
        for round_, day, handling, result in p.feedback:
            fid = self.tables[Feedback].next_id()
            marks[round_] = (fid, day, handling, result)
            self.tables[Feedback].add(
                id=fid, proposal_id=pid, round=round_, received_on=day, handling=handling, result=result,
                comment="答复内容针对性不强，希望进一步落实。" if result == "dissatisfied" else "",
                recorded_by_id=self.liaison.pk, created_at=self._at(day, rng, "feedback"))
        approver = self.approvers[self.agencies[p.lead].pk]
        for round_ in (1, 2):
            signed = sorted(x.signed_on for x in p.letters if x.round == round_ and x.signed_on)
            if not signed:
                break
            self._history(pid, Proposal, pid, signed[0], rng, "reply",
                          "assigned" if round_ == 1 else "reopened", "replied", actor=approver)
            if round_ in marks:
                fid, day, handling, result = marks[round_]
                self._history(pid, Feedback, fid, day, rng, "feedback", actor=self.liaison,
                              data={"handling": handling, "result": result})
            if round_ == 1 and p.reopened_on:
                self._history(pid, Proposal, pid, p.reopened_on, rng, "reopen", "replied", "reopened",
                              actor=self.liaison, data={"round": 2})
                if p.rehandling_due > p.lead_due:
                    self._history(pid, Assignment, lead_id, p.reopened_on, rng, "extend",
                                  actor=self.liaison, reason="提案者不满意，重新办理。",
                                  data={"agency": self.agencies[p.lead].code, "from": p.lead_due.isoformat(),
                                        "to": p.rehandling_due.isoformat()})
        if p.closed_on:
            latest = marks.get(p.round)
            reason = "提案者不满意，经当面沟通说明情况，予以办结。" \
                if latest and "dissatisfied" in latest[2:] else ""
            self._history(pid, Proposal, pid, p.closed_on, rng, "close", "replied", "closed",
                          actor=self.liaison, reason=reason)


_Rec = namedtuple("_Rec", "id ordinal title")
# The tables written for each proposal, in the order their rows refer to each other, and
# whether their rows' ids are chosen here (to be referred to) or left to the database.
WRITTEN = {Proposal: True, Signature: False, Recommendation: True, Assignment: True, Section: True,
           ReplyLetter: True, Feedback: True, StateChange: False}


class _Table:
    """Rows for one model's table, written in one go: COPY on PostgreSQL, executemany elsewhere.

    Plain rows rather than model instances keep a hundred thousand proposals (some
    three million rows) within minutes. Rows are given by field attname; a field left
    out takes its default, so fields added to the models later need nothing here.
    Ids are taken from the table's own sequence, so rows can refer to each other
    before they are written.
    """

    def __init__(self, model, *, ids: bool):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields
                         if f.has_default() or f.null or f.empty_strings_allowed}
        ops = connection.ops
        adapters = {"DateTimeField": ops.adapt_datetimefield_value, "DateField": ops.adapt_datefield_value,
                    "JSONField": lambda value: json.dumps(value, ensure_ascii=False)}
        self.adapters = [adapters.get(f.get_internal_type()) for f in self.fields]
        self.rows: list[list] = []
        self.free: list[int] = []
        self.following: int | None = None

    def add(self, **values) -> None:
        row = []
        for name, adapt in zip(self.names, self.adapters, strict=True):
            value = values[name] if name in values else self.defaults[name]
            row.append(adapt(value) if adapt is not None and value is not None else value)
        self.rows.append(row)

    def next_id(self) -> int:
        if not self.free:
            self.free = self._take_ids(5000)
        return self.free.pop()

    def _take_ids(self, count: int) -> list[int]:
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return sorted((row[0] for row in cursor.fetchall()), reverse=True)
            if self.following is None:
                top = self.model.objects.aggregate(top=Max("pk"))["top"] or 0
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    found = cursor.fetchone()
                    top = max(top, found[0] if found else 0)
                self.following = top + 1
        start, self.following = self.following, self.following + count
        return list(range(start + count - 1, start - 1, -1))

    def write(self) -> int:
        if not self.rows:
            return 0
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.rows)
        count, self.rows = len(self.rows), []
        return count


def generate(*, proposals: int = 1000, sessions: int = 3, agencies: int = 40, seed: int = 1,
             append: bool = False, log=None) -> Report:
    """Generate the data set; raise :class:`GenerationRefused` when it cannot be done."""
    return Generator(proposals=proposals, sessions=sessions, agencies=agencies, seed=seed,
                     append=append, log=log).run()


# ---------------------------------------------------------------- the words

COMMITTEE = "政协中山市委员会"
# (term, meeting, year, rules that differ from the defaults); the last ``--sessions`` are used.
SESSIONS = [
    (13, 3, 2024, {}),
    (13, 4, 2025, {"co_due_amount": 20, "co_due_unit": "working_days"}),
    (13, 5, 2026, {}),
]


def session_row(term: int, meeting: int, year: int) -> dict:
    return {"code": f"{term}-{meeting}", "committee": COMMITTEE, "term": term, "meeting": meeting,
            "year": year, "name": f"市政协{chinese_ordinal(term)}届{chinese_ordinal(meeting)}次会议"}


# code, full name, short name, document-number prefix; the first ``--agencies`` are used.
AGENCIES = [tuple(line.split()) for line in """
gsl 中山市工商业联合会 市工商联 中工商联函
mzj 中山市民政局 市民政局 中民函
gxj 中山市工业和信息化局 市工信局 中工信函
fgj 中山市发展和改革局 市发改局 中发改函
tcj 中山市投资促进局 市投促局 中投促函
jtj 中山市教育和体育局 市教体局 中教体函
wjj 中山市卫生健康局 市卫健局 中卫健函
rsj 中山市人力资源和社会保障局 市人社局 中人社函
czj 中山市财政局 市财政局 中财函
zrj 中山市自然资源局 市自然资源局 中自然资函
zjj 中山市住房和城乡建设局 市住建局 中建函
jtysj 中山市交通运输局 市交通运输局 中交函
swj 中山市水务局 市水务局 中水函
nyj 中山市农业农村局 市农业农村局 中农函
sws 中山市商务局 市商务局 中商务函
wgl 中山市文化广电旅游局 市文广旅局 中文广旅函
scj 中山市市场监督管理局 市市场监管局 中市监函
sthj 中山市生态环境局 市生态环境局 中环函
kjj 中山市科学技术局 市科技局 中科函
gaj 中山市公安局 市公安局 中公函
sfj 中山市司法局 市司法局 中司函
yjj 中山市应急管理局 市应急管理局 中应急函
ybj 中山市医疗保障局 市医保局 中医保函
jrj 中山市金融工作局 市金融局 中金函
zsj 中山市政务服务和数据管理局 市政数局 中政数函
cgj 中山市城市管理和综合执法局 市城管执法局 中城管函
tyjr 中山市退役军人事务局 市退役军人事务局 中退役军人函
cl 中山市残疾人联合会 市残联 中残联函
fl 中山市妇女联合会 市妇联 中妇函
tsw 共青团中山市委员会 团市委 中青函
lyj 中山市林业局 市林业局 中林函
gjj 中山市住房公积金管理中心 市住房公积金中心 中公积金函
gzw 中山市人民政府国有资产监督管理委员会 市国资委 中国资函
tjj 中山市统计局 市统计局 中统函
sjj 中山市审计局 市审计局 中审函
mzzj 中山市民族宗教事务局 市民宗局 中民宗函
kx 中山市科学技术协会 市科协 中科协函
zgh 中山市总工会 市总工会 中工会函
hjq 中山火炬高技术产业开发区管理委员会 火炬开发区管委会 中开管函
cxq 中山翠亨新区管理委员会 翠亨新区管委会 中翠管函
xfj 中山市信访局 市信访局 中信访函
qxj 中山市气象局 市气象局 中气函
wl 中山市文学艺术界联合会 市文联 中文联函
xlz 中山市小榄镇人民政府 小榄镇政府 榄府函
gzz 中山市古镇镇人民政府 古镇镇政府 古府函
tzz 中山市坦洲镇人民政府 坦洲镇政府 坦府函
sxz 中山市沙溪镇人民政府 沙溪镇政府 沙府函
hpz 中山市黄圃镇人民政府 黄圃镇政府 黄府函
sqj 中山市石岐街道办事处 石岐街道办 岐街函
dqj 中山市东区街道办事处 东区街道办 东街函
""".split("\n") if line.strip()]
# Agencies whose header mark is their own name (信函格式) rather than "…文件".
LETTER_STYLE = {"tcj", "kx", "wl"}


def agency_row(index: int) -> dict:
    code, name, short_name, prefix = AGENCIES[index]
    person = member_names(len(AGENCIES), salt="contacts")[index]
    row = {"code": code, "name": name, "short_name": short_name, "title_name": name,
           "letterhead": name if code in LETTER_STYLE else f"{name}文件", "doc_prefix": prefix,
           "letter_style": "letter" if code in LETTER_STYLE else "document",
           "contact": f"{person}，0760-88{(index * 7919 + 104729) % 1000000:06d}"}
    if code == "gsl":
        row.update(title_name="中山市工商联", letterhead="中山市工商联(总商会)文件")
    return row


# weight, category, agencies that usually lead, topic, the titles' phrases (|-separated).
TOPICS = [
    {"weight": int(w), "category": c, "agencies": a.split(","), "name": n, "phrases": ph.split("|")}
    for w, c, a, n, ph in (line.split() for line in """
6 社会建设 mzj,wjj,ybj 养老服务 完善社区居家养老服务体系|推进医养结合养老服务发展|加强养老机构服务质量监管|扩大长者饭堂覆盖面
5 经济建设 fgj,scj,zsj,sws 营商环境 持续优化营商环境|打造市场化法治化国际化营商环境|以数字政务助力营商环境提升
3 经济建设 gsl,mzj,scj 行业协会 充分发挥行业协会作用，为中山经济高质量发展贡献力量|推动行业协会商会规范健康发展|发挥异地商会和行业协会桥梁纽带作用
2 经济建设 jrj,gxj,czj 中小企业融资 缓解中小企业融资难融资贵问题|拓宽中小企业融资渠道|完善政府性融资担保体系
4 经济建设 nyj,zrj,czj 乡村振兴 全面推进乡村振兴|以特色产业带动乡村振兴|加强乡村振兴人才队伍建设
4 经济建设 gxj,kjj,fgj 制造业数字化转型 推动传统制造业数字化智能化转型|加快工业互联网平台建设
3 社会建设 zjj,zrj 老旧小区改造 加快推进老旧小区改造|推进老旧小区加装电梯
3 文化建设 jtj,rsj 职业教育 推动职业教育与产业深度融合|加强技能人才培养
2 社会建设 wjj,jtj,fl 托育服务 发展普惠托育服务|完善婴幼儿照护服务体系
2 文化建设 jtj,wjj 心理健康教育 加强中小学生心理健康教育|完善学生心理危机干预机制
3 文化建设 wgl,sws 文旅融合 推动文化和旅游深度融合|擦亮香山文化品牌
2 文化建设 zrj,wgl,zjj 历史文化街区保护 加强历史文化街区保护与活化利用|推动岐江两岸历史建筑活化
3 生态文明建设 swj,sthj 河涌治理 加强城乡河涌综合整治|巩固水环境治理成效
2 生态文明建设 cgj,sthj 垃圾分类 深入推进生活垃圾分类|完善再生资源回收体系
3 社会建设 jtysj 公共交通 优化城市公共交通线网|推动公交与轨道交通接驳
2 社会建设 gaj,jtysj,cgj 停车难 破解老城区停车难问题|规划建设公共停车设施
3 经济建设 rsj,tcj,kjj 人才引进 完善高层次人才引进和服务保障|吸引青年人才来中山创新创业
3 经济建设 tcj,sws 招商引资 提升招商引资质效|加强产业链精准招商
2 经济建设 nyj,scj,sws 预制菜产业 推动预制菜产业高质量发展|打造预制菜区域公用品牌
2 社会建设 wjj,ybj 家庭医生签约 做实家庭医生签约服务|推动优质医疗资源下沉基层
2 社会建设 scj,jtj 食品安全 加强校园及周边食品安全监管|提升食品安全治理能力
3 经济建设 fgj,jtysj,sws 湾区融合 借力深中通道加快融入粤港澳大湾区|深化与港澳规则衔接机制对接
2 经济建设 gxj,fgj,jtysj 新能源汽车 完善新能源汽车充电基础设施|培育新能源汽车产业链
2 经济建设 sws 跨境电商 支持跨境电商发展|推动外贸企业开拓国际市场
3 政治建设 mzj,sfj 社区治理 提升基层社区治理效能|推动网格化服务管理提质增效
2 政治建设 sfj,zsj 法治政府建设 深化法治政府建设|规范涉企行政执法行为
2 社会建设 yjj,qxj 应急管理 提升城市应急管理能力|加强防汛防台风能力建设
3 社会建设 rsj,tsw 就业创业 做好高校毕业生就业创业工作|加强灵活就业人员权益保障
1 社会建设 cl,mzj 残疾人服务 完善残疾人托养和康复服务|推进无障碍环境建设
1 社会建设 tyjr 退役军人服务 加强退役军人就业安置服务
2 生态文明建设 lyj,zrj 绿美生态 推进绿美中山生态建设|加强森林公园和绿道建设
2 经济建设 zsj,gxj 智慧城市 加快数字政府和智慧城市建设|推动政务数据共享开放
3 经济建设 gsl,fgj,gxj 民营经济 促进民营经济发展壮大|构建亲清政商关系
3 经济建设 kjj,gxj,kx 科技创新 提升企业自主创新能力|加快科技成果转化
2 社会建设 zjj,gjj 住房保障 完善住房保障体系|扩大保障性租赁住房供给
1 文化建设 jtj,zgh 全民健身 推动全民健身公共服务提升|加快社区体育设施建设
2 经济建设 xlz,gzz,tzz,sxz,hpz 镇街产业升级 支持镇街特色产业集群发展|推动镇村工业园升级改造
1 其他 tsw,mzj 志愿服务 推动志愿服务制度化常态化
""".split("\n") if line.strip())
]

SUFFIXES = ["", "", "", "，助力中山高质量发展", "，增进民生福祉", "，推动中山在湾区中崛起"]
CONCERNS = ["群众切身利益", "全市高质量发展大局", "城市发展质量和民生福祉", "营商环境和城市竞争力",
            "社会和谐稳定"]
ACHIEVEMENTS = ["市委、市政府高度重视，出台了一系列政策措施", "各有关部门协同发力，工作机制逐步健全",
                "财政投入持续加大，基础设施不断完善", "试点示范有序推进，形成了一批可复制的经验"]
PROBLEMS = ["政策落实不够到位", "部门协同联动不足", "资金投入相对不足", "专业人才短缺",
            "服务供给不平衡不充分", "信息化水平不高", "监管机制有待完善", "社会力量参与度不高",
            "区域发展不均衡", "宣传引导不够"]
GAPS = ["群众反映较为集中", "短板弱项较为明显", "与先进城市相比还有较大差距", "相关政策衔接还不够顺畅"]
REC_TITLES = ["加大{k}财政投入力度", "建立健全{k}部门协调联动机制", "完善{k}政策支持体系",
              "强化{k}专业人才队伍建设", "优化{k}审批服务流程", "推动{k}数字化智能化发展",
              "加强{k}工作的监督考核", "拓宽{k}资金筹措渠道", "发挥社会力量在{k}中的作用",
              "开展{k}试点示范", "加强{k}宣传引导", "做好{k}统计监测和成效评估"]
REC_BODIES = ["由市有关部门牵头，制定具体工作方案，明确时间表和路线图",
              "对标先进城市经验，分步实施、逐年推进", "将相关工作纳入年度绩效考核，压实各方责任",
              "整合现有资源，避免重复建设，提高资金使用效益", "听取企业和群众意见，及时调整完善政策措施"]
MEASURES = ["今年以来已出台配套工作方案，明确了责任分工和完成时限。",
            "已将相关工作纳入年度重点任务，安排专项资金予以保障。",
            "已会同有关部门开展专题调研，摸清了底数和主要问题。", "已在部分镇街先行试点，取得了初步成效。"]
PLANS = ["下一步，将认真吸收提案意见，持续跟踪落实。", "下一步，将加强统筹协调，确保各项措施落地见效。",
         "下一步，将适时总结经验，逐步在全市推广。",
         "受财力和政策所限，目前暂不具备全面实施条件，将在今后工作中统筹研究。"]
SURNAMES = "陈李黄张梁刘林吴何郑杨罗周谢冯郭孙徐朱胡萧邓卢麦叶曾苏蔡余彭潘许赖钟严高"
GIVEN = "伟明华国志文建军晓丽敏静婷嘉颖欣诗雅子俊杰振宇浩然家豪海燕慧玲美琪少荣永强秀英锦辉"


def member_names(count: int, *, salt: str = "members") -> list[str]:
    """``count`` different personal names, the same ones every time for the same salt."""
    rng = random.Random(f"names:{salt}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _i in range(rng.choice([1, 2, 2])))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def proposal_texts(topic: dict, recommendations: int, rng: random.Random) -> dict:
    """A proposal's title, body and recommendations, and a writer of its sections' texts."""
    related = [t for t in TOPICS if t["category"] == topic["category"] and t is not topic] or TOPICS
    other = rng.choices(related, [t["weight"] for t in related])[0]
    titles = [t.format(k=topic["name"]) for t in rng.sample(REC_TITLES, recommendations)]
    problems = rng.sample(PROBLEMS, 2)
    body = "\n".join([
        f"{topic['name']}事关{rng.choice(CONCERNS)}。近年来，{rng.choice(ACHIEVEMENTS)}，"
        f"我市{topic['name']}工作取得了积极成效。",
        f"但对照群众期盼和高质量发展要求，{topic['name']}仍存在{problems[0]}、{problems[1]}等问题，"
        f"特别是在{other['name']}方面，{rng.choice(GAPS)}。",
        "为此，建议：" + "".join(f"{chinese_ordinal(i)}、{t}。" for i, t in enumerate(titles, start=1)),
    ])

    def section(agency: str, title: str, adoption: str) -> str:
        return (f"{agency}高度重视关于{title}的建议，经研究，采纳情况为“{adoption}”。"
                f"{rng.choice(MEASURES)}{rng.choice(PLANS)}")

    return {
        "title": f"关于{rng.choice(topic['phrases'])}{rng.choice(SUFFIXES)}的建议",
        "body": body,
        "recommendations": [(t, f"建议{rng.choice(REC_BODIES)}。") for t in titles],
        "section": section,
    }


def letter_texts(agency, session, number: str, title: str, lead, co_names: list[str]) -> dict:
    """A letter's wording, as a new letter starts from (see ``default_letter_fields``)."""
    you = "您" if lead.kind == Proposer.Kind.MEMBER else "你们"
    combined = f"经综合{'、'.join(co_names)}意见，" if co_names else ""
    return {
        "title": f"{agency.title_name}关于{session.name}第{number}号提案答复的函",
        "addressee": lead.salutation,
        "opening": f"{you}提出的《{title}》（提案第{number}号）收悉，{combined}现答复如下：",
        "closing": "专此答复。",
        "signatory": agency.name,
        "note": f"联系人及电话：{agency.contact}" if agency.contact else "",
        "cc": ["市政协提案委", "市政府办公室", *co_names],
        "issued_by": agency.name,
    }
