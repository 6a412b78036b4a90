"""The read model of the proposal pages: the list (the proposals a user may see, with
what each row shows) and the proposal page (its assignments, letters, feedback and
history), scoped to the user."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from history.models import StateChange
from replies.models import ReplyLetter, Section
from replies.selectors import may_preview_draft

from .deadlines import UnknownCalendarYear
from .models import (
    HANDLING_STATES,
    Assignment,
    Feedback,
    Proposal,
    Recommendation,
    Satisfaction,
    Signature,
    is_overdue,
)


def visible_sections(user):
    """Sections ``user`` may read (one rule everywhere: ``Section.objects.visible_to``)."""
    return Section.objects.visible_to(user).select_related("agency", "adoption").order_by("position", "id")


def detail_queryset(user):
    return Proposal.objects.visible_to(user).select_related("session", "category").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("proposer")),
        Prefetch("recommendations", queryset=Recommendation.objects.order_by("ordinal").prefetch_related(
            Prefetch("sections", queryset=visible_sections(user))
        )),
        Prefetch("assignments", queryset=Assignment.objects.select_related("agency")
                 .annotate(role_order=Assignment.role_order())
                 .order_by("role_order", "agency__code")),
        Prefetch("letters", queryset=ReplyLetter.objects.visible_to(user).select_related("agency")
                 .order_by("round", "created_at", "id")),
        Prefetch("feedback", queryset=Feedback.objects.select_related("recorded_by", "proposer")
                 .order_by("round", "received_on", "id")),
        Prefetch("history", queryset=StateChange.objects.visible_to(user).select_related("actor", "content_type")
                 .order_by("at", "id")),
    )


def _due_computation(proposal: Proposal, assignment: Assignment, changes: dict, rehandled: dict) -> dict:
    """How an assignment's due date came about: the session's rule, and the last change
    (延期 or adjustment) with its reason when the date no longer follows the rule."""
    session = proposal.session
    change = changes.get(assignment.pk)
    rehandling = rehandled.get(assignment.pk)
    if rehandling is not None:
        # After 重新办理 the deadline runs from the day of reopening.
        kind, start = "rehandling", datetime.date.fromisoformat(rehandling.data["start"])
    else:
        kind, start = ("co" if assignment.role == "co" else "lead"), assignment.assigned_on
    try:
        rule = session.due_date(kind, start)
    except UnknownCalendarYear as error:
        rule, rule_error = None, str(error)
    else:
        rule_error = ""
    follows_rule = rule is not None and rule.date == assignment.due_on
    return {
        "rule": rule,
        "rule_text": session.rule_text(kind),
        "rehandling": kind == "rehandling",
        "rule_error": rule_error,
        "follows_rule": follows_rule,
        "change": None if follows_rule else change,
        "change_from": date_text((change.data or {}).get("from")) if change and not follows_rule else "",
    }


def assignment_rows(proposal: Proposal, today: datetime.date) -> list[dict]:
    rows = []
    handling = proposal.state in HANDLING_STATES
    soon = proposal.session.due_soon_days
    changes, rehandled = {}, {}
    for change in proposal.history.all():  # oldest first: the last one of each kind wins
        if change.content_type.model != "assignment":
            continue
        if change.action == "extend":
            changes[change.object_id] = change
        elif change.action == "rehandling_due":
            rehandled[change.object_id] = change
            changes.pop(change.object_id, None)
    for assignment in proposal.assignments.all():
        days = None if assignment.answered or not handling else days_to(assignment.due_on, today)
        rows.append({
            "assignment": assignment,
            "answered": assignment.answered,
            "days_left": days,
            "overdue_days": -days if days is not None and days < 0 else None,
            "due_soon": days is not None and 0 <= days <= soon,
            "due": _due_computation(proposal, assignment, changes, rehandled),
        })
    return rows


def feedback_due(proposal: Proposal, today: datetime.date) -> dict | None:
    """反馈期限: while an answered proposal waits for the proposer's view this round, the
    session's feedback period counted from the day the last letter made it 已答复."""
    if proposal.state != Proposal.State.REPLIED:
        return None
    if any(item.round == proposal.round for item in proposal.feedback.all()):
        return None
    replies = [change for change in proposal.history.all()
               if change.action == "reply" and change.content_type.model == "proposal"]
    if not replies:
        return None
    replied_on = timezone.localdate(replies[-1].at)
    try:
        due = proposal.session.due_date("feedback", replied_on)
    except UnknownCalendarYear as error:
        return {"error": str(error)}
    days = (due.date - today).days
    return {
        "due": due, "rule_text": proposal.session.rule_text("feedback"),
        "days_left": days, "overdue_days": -days if days < 0 else None,
    }


def letter_rows(user, proposal: Proposal) -> list[dict]:
    rows = []
    for letter in proposal.letters.all():
        if letter.is_final:
            url = reverse("replies:letter_pdf", args=[letter.pk])
        elif may_preview_draft(user, letter):
            url = reverse("replies:letter_draft_pdf", args=[letter.pk])
        else:
            url = ""
        rows.append({"letter": letter, "url": url, "current": letter.round == proposal.round})
    return rows


def date_text(value) -> str:
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "")
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _subjects(proposal: Proposal) -> dict[tuple[str, int], str]:
    """What a history row about a section or letter refers to, from what the page already read.

    Sections the user may not read are left out, so their rows say nothing more.
    """
    subjects = {}
    for recommendation in proposal.recommendations.all():
        for section in recommendation.sections.all():
            subjects[("section", section.pk)] = _("%(agency)s · 第%(n)s条建议") % {
                "agency": section.agency.short_name, "n": recommendation.ordinal}
    for letter in proposal.letters.all():
        subjects[("replyletter", letter.pk)] = letter.agency.short_name
    return subjects


def history_rows(proposal: Proposal, agencies: dict[str, str]) -> list[dict]:
    """History rows with a short line saying what each move was about."""
    roles = dict(Assignment.Role.choices)
    satisfaction = dict(Satisfaction.choices)
    subjects = _subjects(proposal)
    rows = []
    for change in proposal.history.all():
        data = change.data or {}
        detail = subjects.get((change.content_type.model, change.object_id), "")
        agency = agencies.get(data.get("agency"), data.get("agency", ""))
        if change.action == "extend":
            detail = _("%(agency)s：%(old)s → %(new)s") % {
                "agency": agency, "old": date_text(data.get("from")), "new": date_text(data.get("to")),
            }
        elif change.action in ("add_assignment", "remove_assignment"):
            detail = f"{agency}（{roles.get(data.get('role'), data.get('role', ''))}）"
        elif change.action == "assign":
            detail = "、".join(
                f"{agencies.get(item.get('agency'), item.get('agency'))}（{roles.get(item.get('role'), '')}）"
                for item in data.get("assignments", [])
            )
        elif change.action == "feedback":
            detail = _("办理工作：%(handling)s；办理结果：%(result)s") % {
                "handling": satisfaction.get(data.get("handling"), ""),
                "result": satisfaction.get(data.get("result"), ""),
            }
        elif change.action == "reopen" and data.get("round"):
            detail = _("第%(round)s轮办理") % {"round": data["round"]}
        rows.append({"change": change, "detail": detail})
    return rows


def history_agencies(proposal: Proposal) -> dict[str, str]:
    codes = set()
    for change in proposal.history.all():
        data = change.data or {}
        if data.get("agency"):
            codes.add(data["agency"])
        codes.update(item.get("agency") for item in data.get("assignments", []) if item.get("agency"))
    if not codes:
        return {}
    return dict(Agency.objects.filter(code__in=codes).values_list("code", "short_name"))


def days_to(due: datetime.date | None, today: datetime.date) -> int | None:
    return (due - today).days if due else None


# ---------------------------------------------------------------- the list


def proposal_list_queryset(user, today: datetime.date | None = None):
    """The proposals ``user`` may see, each with its session, category, ``lead_name`` and
    ``co_signer_count``; :func:`prepare_rows` adds the rest of what the list shows."""
    signed = Signature.objects.filter(proposal=OuterRef("pk"))
    co_signers = (signed.filter(role=Signature.Role.CO_SIGNER).order_by().values("proposal")
                  .annotate(n=Count("pk")).values("n"))
    return (
        Proposal.objects.visible_to(user)
        .select_related("session", "category")
        .defer("body")
        .annotate(
            lead_name=Coalesce(Subquery(signed.filter(role=Signature.Role.LEAD).values("proposer__name")[:1]),
                               Value("")),
            co_signer_count=Coalesce(Subquery(co_signers), 0),
        )
    )


class Handler(NamedTuple):
    """An agency handling a proposal, as the list shows it."""

    role: str
    name: str
    short_name: str


def prepare_rows(proposals, today: datetime.date | None = None) -> list:
    """Set on each of ``proposals`` (a page of the list, or all of an export) what the
    list shows beyond the proposal's own columns, in two queries of plain values (no
    model rows): ``handlers`` (lead first, then co- and separate handlers), ``classes``
    (of the current round's letters), ``is_overdue``, ``days_left`` and ``due_soon``."""
    today = today or timezone.localdate()
    proposals = list(proposals)
    ids = [proposal.pk for proposal in proposals]
    handlers = defaultdict(list)
    rows = (Assignment.objects.filter(proposal_id__in=ids).annotate(role_order=Assignment.role_order())
            .order_by("proposal_id", "role_order", "agency__code")
            .values_list("proposal_id", "role", "agency__name", "agency__short_name"))
    for proposal_id, *handler in rows if ids else ():
        handlers[proposal_id].append(Handler(*handler))
    classes = defaultdict(set)
    rows = ReplyLetter.objects.current().filter(proposal_id__in=ids).values_list("proposal_id", "round", "klass")
    for proposal_id, round_, klass in rows if ids else ():
        if klass:
            classes[proposal_id, round_].add(klass)
    for proposal in proposals:
        proposal.handlers = handlers[proposal.pk]
        proposal.classes = sorted(classes[proposal.pk, proposal.round])
        proposal.is_overdue = is_overdue(proposal, today)
        due = proposal.earliest_due_on
        proposal.days_left = (due - today).days if due and proposal.state in HANDLING_STATES else None
        proposal.due_soon = (
            proposal.days_left is not None and 0 <= proposal.days_left <= proposal.session.due_soon_days
        )
    return proposals


def rating_summary(proposal: Proposal) -> dict | None:
    """This round's ratings kept apart — each proposer's latest (and the latest paper form
    not naming one) — counted by value on both counts, from the prefetched feedback; None
    when fewer than two proposers rated."""
    seen, latest = set(), []
    for item in sorted(proposal.feedback.all(), key=lambda f: (f.received_on, f.id), reverse=True):
        if item.round == proposal.round and item.proposer_id not in seen:
            seen.add(item.proposer_id)
            latest.append(item)
    if len(latest) < 2:
        return None
    labels = dict(Satisfaction.choices)
    return {
        "count": len(latest),
        "handling": [(labels[v], sum(f.handling == v for f in latest)) for v in Satisfaction.values],
        "result": [(labels[v], sum(f.result == v for f in latest)) for v in Satisfaction.values],
    }
