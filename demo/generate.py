"""Generated data: sessions, agencies and proposals in every state, in bulk.

:func:`generate` builds a data set for trying the system at scale (``manage.py
generate_data``). It first plans every proposal's course from the seed alone —
session, topic, state, agencies, dates, letters, feedback — then writes the rows a
thousand proposals at a time, all in one transaction, as plain rows (see
:class:`demo.tables.Table`): model instances and ``bulk_create`` would take many times longer
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
import random
import time
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency, Membership
from core.roles import LIAISON_GROUP, OFFICE_GROUP
from history.models import StateChange
from proposals import answers
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
from replies.composition import recommendation_heading, suggest_class
from replies.models import AdoptionStatus, DocumentCounter, ReplyLetter, Section

from .planning import (
    BATCH,
    HOURS,
    LAST_DAY,
    D,
    GenerationRefused,
    Planner,
    Report,
    _Plan,
)
from .tables import WRITTEN, Table, _Rec
from .words import (
    AGENCIES,
    SESSIONS,
    TOPICS,
    agency_row,
    letter_texts,
    member_names,
    proposal_texts,
    session_row,
)


class Generator(Planner):
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
            self.tables = {model: Table(model, ids=ids) for model, ids in WRITTEN.items()}
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


def generate(*, proposals: int = 1000, sessions: int = 3, agencies: int = 40, seed: int = 1,
             append: bool = False, log=None) -> Report:
    """Generate the data set; raise :class:`GenerationRefused` when it cannot be done."""
    return Generator(proposals=proposals, sessions=sessions, agencies=agencies, seed=seed,
                     append=append, log=log).run()
