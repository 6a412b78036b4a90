"""统计: the numbers a session is reported by, counted in the database.

:func:`session_statistics` runs a fixed handful of aggregate queries, whatever the
number of proposals, letters or agencies. The definitions:

提案总数 ``proposals``
    every proposal logged in the session (收到提案).
立案 ``registered``
    proposals that passed review: registered, assigned, replied, reopened or closed.
``submitted`` / ``converted`` / ``withdrawn``
    proposals waiting for review / converted to an opinion (转为意见建议) / withdrawn.
交办 ``assigned``
    proposals handed to agencies: assigned, replied, reopened or closed.
办复 ``replied``
    proposals every answering agency (主办、分办) has answered with a signed letter:
    the states replied and closed, and reopened (a proposal is reopened only after it
    was replied, so it counts with its earlier reply).
按期办复 ``replied_on_time``
    replied proposals where each answering agency's first signed (or issued) letter is
    dated (成文日期) on or before that agency's due date (办理期限, extensions included).
办结 ``closed``
    closed proposals.
逾期 ``overdue``
    proposals with at least one assignment overdue now: being handled, not answered
    this round, due date passed (``Assignment.objects.overdue``).
办复率 ``reply_rate`` = replied / assigned; 按期办复率 ``on_time_rate`` =
    replied_on_time / assigned; percentages with one decimal, None when nothing was
    assigned.
分类 ``classes``
    current signed letters by class: for each proposal and agency the signed or
    issued letter of its latest round (a voided letter does not count);
    ``class_percent`` gives each class's share of them.
采纳情况 ``adoption``
    approved sections (办理意见) by adoption status code: how the recommendations
    were taken up, every status listed even at zero.
满意度 ``satisfaction``
    each proposal's latest feedback, counted on the handling (办理工作) and on the
    result (办理结果); ``satisfaction_rate`` (满意率) is satisfied plus basically
    satisfied over the proposals with feedback, for each count; ``feedback`` is that
    number of proposals.
``by_agency``
    one row per agency with assignments in the session. ``assigned`` counts its
    assignments; a lead or separate handler has replied when it has a signed (or
    issued) letter for the proposal, on time when the first one is dated on or before
    its due date; a co-handler (会办) has replied when it has an approved section on the
    proposal, on time when a section of it was approved on or before its due date.
    ``overdue`` counts its overdue assignments and ``max_days_overdue`` is how late
    the oldest of them is; ``feedback`` / ``satisfied`` count the latest feedback on its
    proposals and those 满意 or 基本满意 on the result, ``satisfaction_rate`` their share.
    Rows come sorted with the most overdue first, then the lowest reply rate.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from replies.models import AdoptionStatus, ReplyLetter, Section

from .models import (
    Assignment,
    Feedback,
    Proposal,
    Satisfaction,
    Session,
    StateChange,
    assignment_answered,
)

State = Proposal.State
REGISTERED_STATES = [State.REGISTERED, State.ASSIGNED, State.REPLIED, State.REOPENED, State.CLOSED]
ASSIGNED_STATES = [State.ASSIGNED, State.REPLIED, State.REOPENED, State.CLOSED]
REPLIED_STATES = [State.REPLIED, State.REOPENED, State.CLOSED]
HANDLING_STATES = [State.ASSIGNED, State.REOPENED]
ANSWERING_ROLES = [Assignment.Role.LEAD, Assignment.Role.SEPARATE]
SATISFIED = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
SATISFACTION_KEYS = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED]


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


# ---------------------------------------------------------------- building blocks


def _final_letters(**filters):
    return ReplyLetter.objects.final().filter(**filters)


def _answered_on_time() -> Q:
    """On an Assignment queryset: the agency answered on or before its due date."""
    letter_in_time = _final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), signed_on__lte=OuterRef("due_on"),
    )
    approval_in_time = StateChange.objects.filter(
        content_type__app_label="replies", content_type__model="section", object_id=OuterRef("pk"),
        action="approve", at__date__lte=OuterRef(OuterRef("due_on")),
    )
    section_in_time = Section.objects.filter(
        recommendation__proposal=OuterRef("proposal"), agency=OuterRef("agency"),
        state=Section.State.APPROVED,
    ).filter(Exists(approval_in_time))
    return (
        (Q(role__in=ANSWERING_ROLES) & Exists(letter_in_time))
        | (Q(role=Assignment.Role.CO) & Exists(section_in_time))
    )


def _answered_ever() -> Q:
    """On an Assignment queryset: the agency has answered in some round."""
    letter = _final_letters(proposal=OuterRef("proposal"), agency=OuterRef("agency"))
    section = Section.objects.filter(
        recommendation__proposal=OuterRef("proposal"), agency=OuterRef("agency"),
        state=Section.State.APPROVED,
    )
    return (Q(role__in=ANSWERING_ROLES) & Exists(letter)) | (Q(role=Assignment.Role.CO) & Exists(section))


def _latest_feedback(field: str, proposal_ref: str) -> Subquery:
    """The ``field`` of the latest feedback on the proposal at ``proposal_ref``."""
    return Subquery(
        Feedback.objects.filter(proposal=OuterRef(proposal_ref))
        .order_by("-received_on", "-id").values(field)[:1]
    )


# ---------------------------------------------------------------- the statistics


def _proposal_counts(session: Session, today: datetime.date) -> dict:
    late_answer = Assignment.objects.filter(
        proposal=OuterRef("pk"), role__in=ANSWERING_ROLES,
    ).exclude(Exists(_final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), signed_on__lte=OuterRef("due_on"),
    )))
    answering = Assignment.objects.filter(proposal=OuterRef("pk"), role__in=ANSWERING_ROLES)
    overdue = Assignment.objects.overdue(today).filter(proposal=OuterRef("pk"))
    replied = Q(state__in=REPLIED_STATES)
    return (
        Proposal.objects.filter(session=session)
        .alias(
            has_overdue=Exists(overdue), has_answering=Exists(answering), has_late=Exists(late_answer),
        )
        .aggregate(
            proposals=Count("pk"),
            submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
            registered=Count("pk", filter=Q(state__in=REGISTERED_STATES)),
            converted=Count("pk", filter=Q(state=State.CONVERTED)),
            withdrawn=Count("pk", filter=Q(state=State.WITHDRAWN)),
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


def _classes(session: Session) -> tuple[dict, dict]:
    later = _final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), round__gt=OuterRef("round"),
    )
    rows = (
        _final_letters(proposal__session=session).exclude(Exists(later))
        .values("klass").annotate(n=Count("pk")).order_by()
    )
    found = {row["klass"]: row["n"] for row in rows}
    classes = {klass: found.get(klass, 0) for klass in settings.LETTER_CLASSES}
    total = sum(classes.values())
    return classes, {klass: percent(n, total) for klass, n in classes.items()}


def _adoption(session: Session) -> tuple[dict, dict]:
    statuses = AdoptionStatus.objects.annotate(n=Count("sections", filter=Q(
        sections__state=Section.State.APPROVED,
        sections__recommendation__proposal__session=session,
    ))).order_by("position", "code")
    counts, labels = {}, {}
    for status in statuses:
        if status.is_active or status.n:
            counts[status.code] = status.n
            labels[status.code] = status.label
    return counts, labels


def _satisfaction(session: Session) -> dict:
    latest = Feedback.objects.filter(proposal=OuterRef("proposal")).order_by("-received_on", "-id")
    feedback = Feedback.objects.filter(proposal__session=session).filter(
        pk=Subquery(latest.values("pk")[:1])
    )
    counts = {"feedback": Count("pk")}
    for field in ("handling", "result"):
        for value in SATISFACTION_KEYS:
            counts[f"{field}_{value}"] = Count("pk", filter=Q(**{field: value}))
    totals = feedback.aggregate(**counts)
    return totals


def _by_agency(session: Session, today: datetime.date) -> list[dict]:
    overdue = Q(proposal__state__in=HANDLING_STATES, due_on__lt=today) & ~assignment_answered()
    rows = (
        Assignment.objects.filter(proposal__session=session)
        .alias(
            answered=_answered_ever(), in_time=_answered_on_time(),
            latest_result=_latest_feedback("result", "proposal"),
        )
        .values("agency_id", "agency__code", "agency__name", "agency__short_name")
        .annotate(
            assigned=Count("pk"),
            lead=Count("pk", filter=Q(role=Assignment.Role.LEAD)),
            replied=Count("pk", filter=Q(answered=True)),
            replied_on_time=Count("pk", filter=Q(in_time=True)),
            overdue=Count("pk", filter=overdue),
            oldest_due=Min("due_on", filter=overdue),
            feedback=Count("pk", filter=Q(latest_result__isnull=False)),
            satisfied=Count("pk", filter=Q(latest_result__in=SATISFIED)),
        )
        .order_by("agency__code")
    )
    agencies = []
    for row in rows:
        agencies.append({
            "code": row["agency__code"],
            "name": row["agency__name"],
            "short_name": row["agency__short_name"],
            "assigned": row["assigned"],
            "lead": row["lead"],
            "replied": row["replied"],
            "replied_on_time": row["replied_on_time"],
            "overdue": row["overdue"],
            "max_days_overdue": (today - row["oldest_due"]).days if row["oldest_due"] else 0,
            "reply_rate": percent(row["replied"], row["assigned"]),
            "on_time_rate": percent(row["replied_on_time"], row["assigned"]),
            "feedback": row["feedback"],
            "satisfied": row["satisfied"],
            "satisfaction_rate": percent(row["satisfied"], row["feedback"]),
        })
    agencies.sort(key=lambda a: (
        -a["overdue"], -a["max_days_overdue"],
        a["reply_rate"] if a["reply_rate"] is not None else 101.0, a["code"],
    ))
    return agencies


def session_statistics(session: Session, today: datetime.date | None = None) -> dict:
    """The session's statistics (see the module's docstring for each number)."""
    today = today or timezone.localdate()
    stats = _proposal_counts(session, today)
    stats["reply_rate"] = percent(stats["replied"], stats["assigned"])
    stats["on_time_rate"] = percent(stats["replied_on_time"], stats["assigned"])
    stats["classes"], stats["class_percent"] = _classes(session)
    stats["adoption"], stats["adoption_labels"] = _adoption(session)
    feedback = _satisfaction(session)
    stats["feedback"] = feedback["feedback"]
    stats["satisfaction"] = {
        field: {value: feedback[f"{field}_{value}"] for value in SATISFACTION_KEYS}
        for field in ("handling", "result")
    }
    stats["satisfaction_rate"] = {
        field: percent(
            sum(stats["satisfaction"][field][value] for value in SATISFIED), feedback["feedback"]
        )
        for field in ("handling", "result")
    }
    stats["by_agency"] = _by_agency(session, today)
    stats["agencies"] = len(stats["by_agency"])
    stats["session"] = {"code": session.code, "name": session.name}
    stats["today"] = today.isoformat()
    return stats


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def summary_text(stats: dict) -> str:
    """The session's statistics in the words a work report uses, for staff to copy."""
    parts = [
        _("%(session)s共收到提案%(proposals)d件，经审查立案%(registered)d件") % {
            "session": stats["session"]["name"], "proposals": stats["proposals"],
            "registered": stats["registered"],
        },
    ]
    if stats["converted"]:
        parts.append(_("转为意见建议%(n)d件") % {"n": stats["converted"]})
    if stats["withdrawn"]:
        parts.append(_("撤案%(n)d件") % {"n": stats["withdrawn"]})
    text = "，".join(parts) + "。"
    text += _(
        "已交办提案%(assigned)d件，交由%(agencies)d个单位承办。已办复%(replied)d件，办复率%(reply_rate)s；"
        "其中按期办复%(on_time)d件，按期办复率%(on_time_rate)s；已办结%(closed)d件。"
    ) % {
        "assigned": stats["assigned"], "agencies": stats["agencies"], "replied": stats["replied"],
        "reply_rate": _pct(stats["reply_rate"]), "on_time": stats["replied_on_time"],
        "on_time_rate": _pct(stats["on_time_rate"]), "closed": stats["closed"],
    }
    classes = [
        _("%(klass)s类%(n)d件，占%(share)s") % {
            "klass": klass, "n": n, "share": _pct(stats["class_percent"][klass]),
        }
        for klass, n in stats["classes"].items()
    ]
    if sum(stats["classes"].values()):
        text += _("答复函中，") + "；".join(classes) + "。"
    if stats["feedback"]:
        text += _(
            "收到提案者反馈%(n)d件，对办理工作的满意率%(handling)s，对办理结果的满意率%(result)s。"
        ) % {
            "n": stats["feedback"], "handling": _pct(stats["satisfaction_rate"]["handling"]),
            "result": _pct(stats["satisfaction_rate"]["result"]),
        }
    if stats["overdue"]:
        text += _("目前尚有%(n)d件提案逾期未办复。") % {"n": stats["overdue"]}
    return text
