"""Reading commitments: the follow-up list, a proposal's, the dashboard's counts, reminders."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q

from .models import Commitment, Progress


def followup_list(user, *, today: datetime.date, session=None, agency=None, state: str = "open"):
    """The commitments ``user`` may read, made (section approved), filtered; soonest due first."""
    rows = Commitment.objects.visible_to(user).made().select_related(
        "agency", "proposal__session", "section__recommendation", "section__adoption")
    if session is not None:
        rows = rows.filter(proposal__session=session)
    if agency is not None:
        rows = rows.filter(agency=agency)
    if state == "open":
        rows = rows.exclude(status=Progress.KEPT)
    elif state == "overdue":
        rows = rows.exclude(status=Progress.KEPT).filter(due_on__lt=today)
    elif state == "kept":
        rows = rows.filter(status=Progress.KEPT)
    return rows.order_by("agency__code", "due_on", "pk")


def _with_reports(rows, proposal) -> list[Commitment]:
    return list(rows.made().filter(proposal=proposal).select_related(
        "agency", "section__recommendation", "section__adoption").prefetch_related("reports")
        .order_by("section__recommendation__ordinal", "agency__code", "pk"))


def visible_of_proposal(user, proposal) -> list[Commitment]:
    """The commitments made on ``proposal`` that ``user`` may read, with their reports."""
    return _with_reports(Commitment.objects.visible_to(user), proposal)


def of_proposal(proposal, agencies=None) -> list[Commitment]:
    """The commitments made on ``proposal`` (by ``agencies`` only, a set of ids, if given),
    with their reports, newest first."""
    rows = Commitment.objects.all()
    if agencies is not None:
        rows = rows.filter(agency_id__in=agencies)
    return _with_reports(rows, proposal)


def counts_by_agency(session, today: datetime.date) -> dict[int, dict[str, int]]:
    """Per agency id: commitments made, kept, partly kept and overdue on ``session``'s proposals."""
    rows = Commitment.objects.made().filter(proposal__session=session).values("agency_id").annotate(
        made=Count("pk"),
        kept=Count("pk", filter=Q(status=Progress.KEPT)),
        partly=Count("pk", filter=Q(status=Progress.PARTLY)),
        overdue=Count("pk", filter=~Q(status=Progress.KEPT) & Q(due_on__lt=today)),
    ).order_by()
    return {row["agency_id"]: {key: row[key] for key in ("made", "kept", "partly", "overdue")} for row in rows}


def due_by_agency(today: datetime.date, soon_days: int = 7) -> dict[int, list[Commitment]]:
    """Per agency id: open commitments due within ``soon_days`` or overdue, soonest first."""
    found = defaultdict(list)
    rows = Commitment.objects.open().filter(due_on__lte=today + datetime.timedelta(days=soon_days)).select_related(
        "agency", "proposal").order_by("agency__code", "due_on", "pk")
    for commitment in rows:
        found[commitment.agency_id].append(commitment)
    return dict(found)
