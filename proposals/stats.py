"""统计: the numbers a session is reported by, counted in the database.

:func:`session_statistics` runs a fixed handful of aggregate queries, whatever the
number of proposals, letters or agencies. The definitions:

提案总数 ``proposals``
    every proposal logged in the session (收到提案), merged ones (已并案) included.
立案 ``registered``
    proposals that passed review: registered, assigned, replied, reopened or closed.
``submitted`` / ``converted`` / ``withdrawn`` / ``merged``
    proposals waiting for review / converted to an opinion (转为意见建议) / withdrawn /
    merged into another proposal (已并案: received, never registered).
交办 ``assigned``
    proposals handed to agencies: assigned, replied, reopened or closed.
办复 ``replied``
    proposals every answering agency (主办、分办) has answered with a signed letter:
    the states replied and closed, and reopened (a proposal is reopened only after it
    was replied, so it counts with its earlier reply).
按期办复 ``replied_on_time``
    replied proposals where each answering agency's first signed (or issued) letter is
    dated (成文日期) on or before that agency's due date (办理期限, extensions included)
    of the first round: the one in force before any reopening set a new one.
办结 ``closed``
    closed proposals.
逾期 ``overdue``
    proposals with at least one assignment overdue now: being handled, not answered
    this round, due date passed (``Assignment.objects.overdue``).
    ``overdue_assignments`` counts those assignments, ``max_days_overdue`` is how late
    the oldest of them is and ``avg_days_overdue`` their average lateness in days.
办复率 ``reply_rate`` = replied / assigned; 按期办复率 ``on_time_rate`` =
    replied_on_time / assigned; percentages with one decimal, None when nothing was
    assigned.
分类 ``classes``
    current signed letters by class: for each proposal and agency the signed or
    issued letter of its latest round (a voided letter does not count);
    ``class_percent`` gives each class's share of them.
采纳情况 ``adoption``
    approved sections (办理意见) by adoption status code: how the recommendations
    were taken up, every active status listed even at zero; ``adoption_percent`` each
    status's share.
满意度 ``satisfaction``
    each proposal's latest feedback, counted on the handling (办理工作) and on the
    result (办理结果); ``satisfaction_rate`` (满意率) is satisfied plus basically
    satisfied over the proposals with feedback, for each count; ``feedback`` is that
    number of proposals.
``by_agency``
    one row per agency with assignments in the session. ``assigned`` counts its
    assignments (``lead`` / ``co`` / ``separate`` by role); a lead or separate handler
    has replied when it has a signed (or issued) letter for the proposal, on time when
    the first one is dated on or before its due date; a co-handler (会办) has replied
    when it has an approved section on the proposal, on time when a section of it was
    approved on or before its due date. ``overdue`` counts its overdue assignments,
    ``max_days_overdue`` is how late the oldest of them is and ``avg_days_overdue``
    their average lateness (one decimal). ``classes`` / ``adoption`` are the mix of its
    own current letters and approved sections. ``feedback``, ``satisfaction`` and
    ``satisfaction_rate`` are as for the session, over the proposals it answered as
    lead or separate handler (the proposer rates the reply letters); ``satisfied``
    counts those 满意 or 基本满意 on the result. ``commitments`` counts the commitments its approved sections made
    (正在落实, 列入计划: ``made``), those reported 落实 (``kept``) or 部分落实 (``partly``), and those past their date
    and not kept (``overdue``). ``released`` counts its approved
    退办 requests (the assignments it gave back) and ``release_rate`` (退办率) is that
    over all it was given, kept or given back; an agency that gave back everything it
    was given has a row too. Rows come sorted with the most overdue
    first (see :data:`AGENCY_SORTS`).

Replied, on time and overdue per assignment are the facts each assignment keeps
(:mod:`proposals.answers`), so they are read from columns, not worked out per row.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy, pgettext

from followup.selectors import counts_by_agency as commitment_counts
from replies.models import AdoptionStatus, ReplyLetter, Section

from .models import (
    ANSWERING_ROLES,
    HANDLING_STATES,
    Assignment,
    Feedback,
    Proposal,
    ReleaseRequest,
    Satisfaction,
    Session,
    Signature,
    proposal_overdue,
)

State = Proposal.State
# Explicit lists, so that a state added later counts only where it is named.
MERGED = "merged"  # 已并案: received, then merged into another proposal
REGISTERED_STATES = [State.REGISTERED, State.ASSIGNED, State.REPLIED, State.REOPENED, State.CLOSED]
ASSIGNED_STATES = [State.ASSIGNED, State.REPLIED, State.REOPENED, State.CLOSED]
REPLIED_STATES = [State.REPLIED, State.REOPENED, State.CLOSED]
SATISFIED = [Satisfaction.SATISFIED.value, Satisfaction.BASICALLY_SATISFIED.value]
SATISFACTION_KEYS = [*SATISFIED, Satisfaction.DISSATISFIED.value]
SATISFACTION_FIELDS = ("handling", "result")


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def shares(counts: dict) -> dict:
    """Each count's percentage of their total (None each when the total is 0)."""
    total = sum(counts.values())
    return {key: percent(n, total) for key, n in counts.items()}


# ---------------------------------------------------------------- building blocks


def _final_letters(**filters):
    return ReplyLetter.objects.final().filter(**filters)


def _satisfaction_counts(prefix: str = "") -> dict:
    """Aggregates counting feedback by its answers (the fields ``handling`` and
    ``result``, reached through ``prefix``)."""
    counts = {}
    for field in SATISFACTION_FIELDS:
        column = f"{prefix}{field}"
        for value in SATISFACTION_KEYS:
            counts[f"{field}_{value}"] = Count("pk", filter=Q(**{column: value}))
    return counts


def _satisfaction_block(row: dict, feedback: int) -> tuple[dict, dict]:
    """(satisfaction, satisfaction_rate) from the aggregates of :func:`_satisfaction_counts`."""
    satisfaction = {
        field: {value: row[f"{field}_{value}"] for value in SATISFACTION_KEYS}
        for field in SATISFACTION_FIELDS
    }
    rate = {
        field: percent(sum(satisfaction[field][value] for value in SATISFIED), feedback)
        for field in SATISFACTION_FIELDS
    }
    return satisfaction, rate


# ---------------------------------------------------------------- the statistics


def _proposal_counts(session: Session, today: datetime.date) -> dict:
    late_answer = Assignment.objects.filter(
        proposal=OuterRef("pk"), role__in=ANSWERING_ROLES, answered_in_time=False,
    )
    answering = Assignment.objects.filter(proposal=OuterRef("pk"), role__in=ANSWERING_ROLES)
    replied = Q(state__in=REPLIED_STATES)
    return (
        Proposal.objects.filter(session=session)
        .alias(
            has_overdue=ExpressionWrapper(proposal_overdue(today), output_field=BooleanField()),
            has_answering=Exists(answering), has_late=Exists(late_answer),
        )
        .aggregate(
            proposals=Count("pk"),
            submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
            registered=Count("pk", filter=Q(state__in=REGISTERED_STATES)),
            converted=Count("pk", filter=Q(state=State.CONVERTED)),
            withdrawn=Count("pk", filter=Q(state=State.WITHDRAWN)),
            merged=Count("pk", filter=Q(state=MERGED)),
            assigned=Count("pk", filter=Q(state__in=ASSIGNED_STATES)),
            replied=Count("pk", filter=replied),
            replied_on_time=Count(
                "pk", filter=replied & Q(has_answering=True) & Q(has_late=False)
            ),
            reopened=Count("pk", filter=Q(state=State.REOPENED)),
            closed=Count("pk", filter=Q(state=State.CLOSED)),
            overdue=Count("pk", filter=Q(has_overdue=True)),
            key=Count("pk", filter=Q(is_key=True)),
        )
    )


def _classes(session: Session) -> dict[int | None, dict]:
    """Current final letters by class, per agency id (one query)."""
    later = _final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), round__gt=OuterRef("round"),
    )
    rows = (
        _final_letters(proposal__session=session).exclude(Exists(later))
        .values("agency_id", "klass").annotate(n=Count("pk")).order_by()
    )
    found: dict = defaultdict(lambda: dict.fromkeys(settings.LETTER_CLASSES, 0))
    for row in rows:
        if row["klass"] in settings.LETTER_CLASSES:
            found[row["agency_id"]][row["klass"]] += row["n"]
    return found


def _adoption(session: Session) -> tuple[dict, dict, dict]:
    """(the statuses shown, their labels, approved sections by status per agency id):
    two queries. Active statuses are shown even at zero, retired ones when used."""
    statuses = list(AdoptionStatus.objects.order_by("position", "code").values("pk", "code", "label", "is_active"))
    rows = (
        Section.objects.filter(
            state=Section.State.APPROVED, recommendation__proposal__session=session,
            adoption__isnull=False,
        )
        .values("agency_id", "adoption_id").annotate(n=Count("pk")).order_by()
    )
    by_pk = {status["pk"]: status["code"] for status in statuses}
    per_agency: dict = defaultdict(dict)
    used = set()
    for row in rows:
        code = by_pk.get(row["adoption_id"])
        if code is None:  # a status added between the two queries
            continue
        per_agency[row["agency_id"]][code] = per_agency[row["agency_id"]].get(code, 0) + row["n"]
        used.add(code)
    shown = [s for s in statuses if s["is_active"] or s["code"] in used]
    codes = [s["code"] for s in shown]
    labels = {s["code"]: s["label"] for s in shown}
    return codes, labels, {
        agency: {code: counts.get(code, 0) for code in codes} for agency, counts in per_agency.items()
    }


def _latest_feedback_pks(session: Session):
    """The pks of each proposal's latest feedback in the session."""
    # Several proposers may rate one proposal apart; the proposal counts once, by its lead
    # proposer's latest rating when the lead rated, else by the latest rating.
    by_lead = Signature.objects.filter(proposal=OuterRef("proposal"), proposer=OuterRef("proposer"),
                                       role=Signature.Role.LEAD)
    latest = (Feedback.objects.filter(proposal=OuterRef("proposal"))
              .annotate(by_lead=Exists(by_lead)).order_by("-by_lead", "-received_on", "-id"))
    return Feedback.objects.filter(proposal__session=session, pk=Subquery(latest.values("pk")[:1])).values("pk")


def _satisfaction(session: Session) -> dict:
    feedback = Feedback.objects.filter(pk__in=_latest_feedback_pks(session))
    return feedback.aggregate(feedback=Count("pk"), **_satisfaction_counts())


def _agency_feedback(session: Session) -> dict[int, dict]:
    """Latest feedback counted per agency over the proposals it answers as lead or
    separate handler, by agency id (one query)."""
    rows = (
        Assignment.objects.filter(
            proposal__session=session, role__in=ANSWERING_ROLES,
            proposal__feedback__in=_latest_feedback_pks(session),
        )
        .values("agency_id")
        .annotate(
            feedback=Count("pk"),
            satisfied=Count("pk", filter=Q(proposal__feedback__result__in=SATISFIED)),
            **_satisfaction_counts("proposal__feedback__"),
        )
        .order_by()
    )
    return {row.pop("agency_id"): row for row in rows}


def _days(value) -> int:
    """A sum of date differences as whole days (a timedelta, or 0 when nothing was summed)."""
    return value.days if isinstance(value, datetime.timedelta) else int(value or 0)


def _agency_rows(session: Session, today: datetime.date) -> list[dict]:
    overdue = Q(proposal__state__in=HANDLING_STATES, due_on__lt=today, answered=False)
    lateness = ExpressionWrapper(
        Value(today, output_field=DateField()) - F("due_on"), output_field=DurationField()
    )
    feedback = _agency_feedback(session)
    none = {"feedback": 0, "satisfied": 0, **dict.fromkeys(_satisfaction_counts(), 0)}
    rows = (
        Assignment.objects.filter(proposal__session=session)
        .values("agency_id", "agency__code", "agency__name", "agency__short_name")
        .annotate(
            assigned=Count("pk"),
            lead=Count("pk", filter=Q(role=Assignment.Role.LEAD)),
            co=Count("pk", filter=Q(role=Assignment.Role.CO)),
            separate=Count("pk", filter=Q(role=Assignment.Role.SEPARATE)),
            replied=Count("pk", filter=Q(answered_ever=True)),
            replied_on_time=Count("pk", filter=Q(answered_in_time=True)),
            overdue=Count("pk", filter=overdue),
            oldest_due=Min("due_on", filter=overdue),
            days_overdue=Sum(lateness, filter=overdue),
        )
        .order_by("agency__code")
    )
    rows = [{**row, **feedback.get(row["agency_id"], none)} for row in rows]
    released = {
        row["agency_id"]: row for row in ReleaseRequest.objects.filter(
            proposal__session=session, state=ReleaseRequest.State.APPROVED)
        .values("agency_id", "agency__code", "agency__name", "agency__short_name")
        .annotate(released=Count("pk")).order_by()
    }
    empty = dict.fromkeys(("assigned", "lead", "co", "separate", "replied", "replied_on_time",
                           "overdue", "days_overdue"), 0)
    seen = set()
    for row in rows:
        row["released"] = released.get(row["agency_id"], {}).get("released", 0)
        seen.add(row["agency_id"])
    rows += [{**empty, "oldest_due": None, **none, **row} for key, row in released.items() if key not in seen]
    return rows


def _by_agency(session: Session, today: datetime.date, classes: dict, adoption: dict,
               codes: list[str]) -> list[dict]:
    agencies = []
    promised = commitment_counts(session, today)
    for row in _agency_rows(session, today):
        days_overdue = _days(row["days_overdue"]) if row["overdue"] else 0
        agency_classes = dict(classes.get(row["agency_id"], dict.fromkeys(settings.LETTER_CLASSES, 0)))
        agency_adoption = adoption.get(row["agency_id"], dict.fromkeys(codes, 0))
        satisfaction, satisfaction_rate = _satisfaction_block(row, row["feedback"])
        agencies.append({
            "code": row["agency__code"],
            "name": row["agency__name"],
            "short_name": row["agency__short_name"],
            "assigned": row["assigned"],
            "lead": row["lead"],
            "co": row["co"],
            "separate": row["separate"],
            "replied": row["replied"],
            "replied_on_time": row["replied_on_time"],
            "reply_rate": percent(row["replied"], row["assigned"]),
            "on_time_rate": percent(row["replied_on_time"], row["assigned"]),
            "overdue": row["overdue"],
            "max_days_overdue": (today - row["oldest_due"]).days if row["oldest_due"] else 0,
            "days_overdue": days_overdue,
            "avg_days_overdue": round(days_overdue / row["overdue"], 1) if row["overdue"] else None,
            "letters": sum(agency_classes.values()),
            "classes": agency_classes,
            "class_percent": shares(agency_classes),
            "sections": sum(agency_adoption.values()),
            "adoption": agency_adoption,
            "feedback": row["feedback"],
            "satisfied": row["satisfied"],
            "satisfaction": satisfaction,
            "satisfaction_rate": satisfaction_rate,
            "released": row["released"],
            "release_rate": percent(row["released"], row["assigned"] + row["released"]),
            "commitments": promised.get(row["agency_id"], {"made": 0, "kept": 0, "partly": 0, "overdue": 0}),
        })
    return sort_agencies(agencies)


# ---------------------------------------------------------------- sorting the agencies


def _low_first(value: float | None) -> float:
    """Rates ascending, the agencies without a rate last."""
    return 101.0 if value is None else value


# ``?sort=`` of the dashboard: key → (label, sort key of a ``by_agency`` row).
AGENCY_SORTS = {
    "late": (gettext_lazy("逾期件数多的在前"), lambda a: (
        -a["overdue"], -a["max_days_overdue"], _low_first(a["reply_rate"]), a["code"])),
    "days": (gettext_lazy("最长逾期天数多的在前"), lambda a: (
        -a["max_days_overdue"], -a["overdue"], a["code"])),
    "avg_days": (gettext_lazy("平均逾期天数多的在前"), lambda a: (
        -(a["avg_days_overdue"] or 0), -a["overdue"], a["code"])),
    "reply_rate": (gettext_lazy("办复率低的在前"), lambda a: (
        _low_first(a["reply_rate"]), -a["overdue"], a["code"])),
    "on_time_rate": (gettext_lazy("按期办复率低的在前"), lambda a: (
        _low_first(a["on_time_rate"]), -a["overdue"], a["code"])),
    "satisfaction": (gettext_lazy("结果满意率低的在前"), lambda a: (
        _low_first(a["satisfaction_rate"]["result"]), a["code"])),
    "agency": (gettext_lazy("按单位代码"), lambda a: (a["code"],)),
}
DEFAULT_AGENCY_SORT = "late"


def sort_agencies(rows: list[dict], sort: str = DEFAULT_AGENCY_SORT) -> list[dict]:
    """``rows`` of ``by_agency`` in the order ``sort`` names (an unknown one: the default)."""
    _label, key = AGENCY_SORTS.get(sort, AGENCY_SORTS[DEFAULT_AGENCY_SORT])
    return sorted(rows, key=key)


def session_statistics(session: Session, today: datetime.date | None = None) -> dict:
    """The session's statistics (see the module's docstring for each number)."""
    today = today or timezone.localdate()
    stats = _proposal_counts(session, today)
    stats["reply_rate"] = percent(stats["replied"], stats["assigned"])
    stats["on_time_rate"] = percent(stats["replied_on_time"], stats["assigned"])
    classes = _classes(session)
    stats["classes"] = {
        klass: sum(counts[klass] for counts in classes.values()) for klass in settings.LETTER_CLASSES
    }
    stats["class_percent"] = shares(stats["classes"])
    codes, stats["adoption_labels"], adoption = _adoption(session)
    stats["adoption"] = {code: sum(counts[code] for counts in adoption.values()) for code in codes}
    stats["adoption_percent"] = shares(stats["adoption"])
    feedback = _satisfaction(session)
    stats["feedback"] = feedback["feedback"]
    stats["satisfaction"], stats["satisfaction_rate"] = _satisfaction_block(feedback, feedback["feedback"])
    stats["by_agency"] = _by_agency(session, today, classes, adoption, codes)
    stats["agencies"] = len(stats["by_agency"])
    stats["released"] = sum(row["released"] for row in stats["by_agency"])
    stats["commitments"] = {key: sum(row["commitments"][key] for row in stats["by_agency"])
                            for key in ("made", "kept", "partly", "overdue")}
    late = [row for row in stats["by_agency"] if row["overdue"]]
    stats["overdue_agencies"] = len(late)
    stats["overdue_assignments"] = sum(row["overdue"] for row in late)
    stats["max_days_overdue"] = max((row["max_days_overdue"] for row in late), default=0)
    total_days = sum(row["days_overdue"] for row in late)
    stats["avg_days_overdue"] = (
        round(total_days / stats["overdue_assignments"], 1) if stats["overdue_assignments"] else None
    )
    stats["session"] = {"code": session.code, "name": session.name}
    stats["today"] = today.isoformat()
    return stats


def format_percent(value: float | None) -> str:
    """80.0 → "80%", 66.7 → "66.7%", None → "—"."""
    if value is None:
        return pgettext("no value", "—")
    return pgettext("percentage", "%(value)s%%") % {"value": f"{value:g}"}



def cached_session_statistics(session: Session, *, refresh: bool = False) -> tuple[dict, datetime.datetime]:
    """The session's statistics and when they were computed, kept for STATS_CACHE_SECONDS.

    At national scale a session's numbers take seconds to compute; the dashboard shows
    them from the shared cache, with the time they were computed and a way to
    recompute at once (``refresh``). A new day always computes afresh. When the numbers
    are missing, one request computes them while the others wait for its result (up to
    STATS_WAIT_SECONDS), so that many people opening the dashboard together do not all
    compute the same numbers at once.
    """
    seconds = settings.STATS_CACHE_SECONDS
    if not seconds:
        return session_statistics(session), now()
    key = f"session-statistics:{session.pk}:{timezone.localdate().isoformat()}"
    if not refresh:
        found = cache.get(key)
        if found is not None:
            return found
        lock = f"{key}:computing"
        if not cache.add(lock, True, timeout=settings.STATS_WAIT_SECONDS):
            deadline = time.monotonic() + settings.STATS_WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.1)
                found = cache.get(key)
                if found is not None:
                    return found
    try:
        computed = (session_statistics(session), now())
        cache.set(key, computed, seconds)
    finally:
        if not refresh:
            cache.delete(f"{key}:computing")
    return computed
