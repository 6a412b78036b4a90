"""The inbox (待办) of an agency's officers and approvers, and a proposal's handling page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import excel
from core.roles import agency_ids
from followup.rules import COMMITMENT_ADOPTIONS
from history.models import StateChange
from proposals import answers, releases
from proposals.models import (
    Assignment,
    ExtensionRequest,
    Proposal,
    ReleaseRequest,
)

from .. import selectors
from ..composition import recommendation_heading
from ..filters import InboxFilter
from ..models import ReplyLetter, Section
from .agency import may_sign, may_write, return_reasons, visible_proposals

INBOX_PER_PAGE = 25


# ---------------------------------------------------------------- the inbox (待办)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def inbox(request):
    """待办: the recommendations assigned to the user's agencies, most urgent first;
    for approvers also the sections to approve and the letters to sign."""
    user = request.user
    today = timezone.localdate()
    found = InboxFilter(request.GET or None, queryset=selectors.inbox_assignments(user), user=user,
                        today=today)
    if excel.wants_xlsx(request) and found.is_valid():  # else the page shows what is wrong
        return _export_inbox(selectors.inbox(user, today=today, assignments=found.qs))
    page = Paginator(found.qs, INBOX_PER_PAGE).get_page(request.GET.get("page"))
    entries = selectors.inbox(user, today=today, assignments=page.object_list)
    return render(request, "replies/agency/inbox.html", {
        "entries": entries,
        "filter": found,
        "page_obj": page,
        "query": _query_without_page(request),
        "total": page.paginator.count,
        "several_agencies": len(agency_ids(user)) > 1,
        "sections_to_approve": list(selectors.sections_to_approve(user)),
        "letters_to_sign": list(selectors.letters_to_sign(user)),
        "today": today,
    })


def _export_inbox(entries: list[selectors.InboxEntry]):
    """Every assignment of the filtered inbox (not only one page) as an Excel workbook."""
    count, date = excel.INTEGER, excel.DATE
    columns = [
        excel.Column(_("提案号")), excel.Column(_("案由"), width=50, wrap=True), excel.Column(_("届次会议")),
        excel.Column(_("承办单位")), excel.Column(_("承办方式")), excel.Column(_("交办日期"), date),
        excel.Column(_("办理期限"), date), excel.Column(_("剩余天数"), count),
        excel.Column(_("逾期天数"), count), excel.Column(_("提案状态")), excel.Column(_("答复函")),
        excel.Column(_("建议（条）"), count), excel.Column(_("已审核（条）"), count),
        excel.Column(_("未撰写（条）"), count),
    ]
    rows = []
    for entry in entries:
        assignment, proposal = entry.assignment, entry.assignment.proposal
        if not entry.answers:
            letter = ""
        else:
            letter = entry.letter.get_state_display() if entry.letter else _("未起草")
        rows.append([
            proposal.number, proposal.title, proposal.session.name, assignment.agency.short_name,
            assignment.get_role_display(), assignment.assigned_on, assignment.due_on,
            entry.days_left if entry.days_left >= 0 else None, entry.overdue_days or None,
            proposal.get_state_display(), letter, len(entry.rows),
            sum(1 for _rec, sections in entry.rows if any(s.state == Section.State.APPROVED for s in sections)),
            sum(1 for _rec, sections in entry.rows if not sections),
        ])
    filename = _("待办提案%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("待办"), columns, rows)], filename=filename,
                               fallback=f"inbox-{excel.today_stamp()}.xlsx")


# ---------------------------------------------------------------- a proposal's handling page


@login_required
@require_GET
def handling(request, pk: int):
    """办理: a proposal's recommendations with the sections the user may see, and the letters."""
    user = request.user
    proposal = get_object_or_404(
        visible_proposals(user).select_related("session", "category"), pk=pk
    )
    assignments = sorted(
        proposal.assignments.select_related("agency"),
        key=Assignment.display_order,
    )
    today = timezone.localdate()
    for assignment in assignments:
        assignment.days_left = selectors.days_left(assignment.due_on, today)
    mine = [a for a in assignments if may_write(user, a.agency)]
    pending = {
        item.assignment_id: item for item in ExtensionRequest.objects.filter(
            assignment__in=[a.pk for a in mine], state=ExtensionRequest.State.PENDING)
    } if mine else {}
    releasing = {
        item.assignment_id: item for item in ReleaseRequest.objects.filter(
            assignment__in=[a.pk for a in mine], state=ReleaseRequest.State.PENDING)
    } if mine else {}
    for assignment in assignments:
        assignment.pending_extension = pending.get(assignment.pk)
        assignment.pending_release = releasing.get(assignment.pk)
        assignment.may_ask_release = (
            assignment in mine and assignment.pending_release is None
            and releases.release_refusal(assignment) is None)
    reasons = return_reasons(proposal)
    recommendations = list(selectors.proposal_recommendations(proposal, user))
    for recommendation in recommendations:
        recommendation.heading = recommendation_heading(recommendation)
        recommendation.has_own = False
        for section in recommendation.visible_sections:
            section.may_write = may_write(user, section.agency)
            recommendation.has_own = recommendation.has_own or section.may_write
            section.may_sign = may_sign(user, section.agency)
            section.last_return = reasons.get(section.pk) if section.state == Section.State.DRAFT else None
    reopening = _reopening(proposal)
    if reopening is not None:
        for recommendation in recommendations:
            for section in recommendation.visible_sections:
                section.earlier_round = section.updated_at < reopening["at"]
    letters = list(selectors.proposal_letters(proposal, user))
    awaiting = answers.is_awaiting(proposal)
    answering = []
    for assignment in mine:
        if assignment.role == Assignment.Role.CO:
            continue
        current = next(
            (x for x in letters if x.agency_id == assignment.agency_id and x.round == proposal.round
             and x.state != ReplyLetter.State.VOIDED),
            None,
        )
        answering.append({"assignment": assignment, "letter": current,
                          "may_create": current is None and awaiting})
    shown = {item["letter"].pk for item in answering if item["letter"]}
    mine_ids = {a.agency_id for a in mine}
    contacts = list(proposal.contacts.select_related("agency"))
    for contact in contacts:
        contact.may_delete = awaiting and contact.agency_id in mine_ids
    return render(request, "replies/agency/handling.html", {
        "proposal": proposal,
        "commitment_adoptions": COMMITMENT_ADOPTIONS,
        "assignments": assignments,
        "mine": mine,
        "recommendations": recommendations,
        "letters": [x for x in letters if x.pk not in shown],
        "answering": answering,
        "awaiting": awaiting,
        "reopening": reopening,
        "contacts": contacts,
        "attachments": list(proposal.attachments.all()),
        "may_record_contact": bool(mine) and awaiting,
    })


def _reopening(proposal: Proposal) -> dict | None:
    """Why a reopened proposal (重新办理) is handled again: the reason the liaison staff gave,
    when, and the proposer's feedback of the round before; None in the first round."""
    if proposal.round <= 1:
        return None
    reopened = StateChange.objects.filter(
        proposal=proposal, content_type=ContentType.objects.get_for_model(Proposal), action="reopen",
    ).select_related("actor").order_by("-at", "-id").first()
    if reopened is None:  # imported from an earlier system without its history
        return None
    feedback = list(proposal.feedback.filter(round=proposal.round - 1).order_by("-received_on", "-id"))
    return {"at": reopened.at, "reason": reopened.reason, "actor": reopened.actor, "feedback": feedback,
            "round": proposal.round - 1}
