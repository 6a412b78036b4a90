"""Reporting a commitment's progress (落实进展)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actions import action
from core.concurrency import check_version
from core.roles import require_agency_member
from core.workflow import DomainError
from history.models import StateChange
from notifications import events as notify
from proposals.services.common import today

from .models import Commitment, Progress, ProgressReport
from .rules import REPORT_MAX


@action
def commitment_report(*, commitment: Commitment, status: str, text: str, actor=None,
                      expected_version: int | None = None) -> ProgressReport:
    """The agency reports how far its commitment is kept; the latest report is its status.

    ``expected_version``: the version the page was loaded at; a report made since (by a
    colleague, or this page sent twice) is refused with what it said.
    """
    require_agency_member(actor, commitment.agency)
    commitment = Commitment.objects.select_for_update().select_related(
        "section", "proposal", "agency").get(pk=commitment.pk)
    check_version(commitment, expected_version, ["status", "reported_on"])
    if commitment.section.state != "approved":
        raise DomainError(_("这项承诺所在的办理意见尚未审核通过，还不能报告落实进展。"))
    if status not in Progress.values:
        raise DomainError(_("请选择落实情况。"), field="status")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写进展情况。"), field="text")
    if len(text) > REPORT_MAX:
        raise DomainError(_("进展情况不能超过%(n)s字。") % {"n": REPORT_MAX}, field="text")
    day = today()
    report = ProgressReport.objects.create(
        commitment=commitment, status=status, text=text, reported_on=day,
        reported_by=actor if actor is not None and actor.is_authenticated else None)
    previous = commitment.status
    commitment.status = status
    commitment.reported_on = day
    commitment.version += 1
    commitment.save(update_fields=["status", "reported_on", "version", "updated_at"])
    StateChange.record(commitment, action="report_progress", source=previous, target=status, actor=actor,
                       proposal=commitment.proposal, reason=text,
                       data={"agency": commitment.agency.code, "due": commitment.due_on.isoformat()})
    notify.commitment_reported(commitment=commitment, report=report, actor=actor)
    return report
