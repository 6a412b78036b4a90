"""Who hears about each workflow event, and what they are told.

The proposal and reply services call one of these functions, inside their
transaction, once a move has been made. Each decides who is concerned, writes their
in-app notifications in that same transaction (so a move that is rolled back leaves
no notification behind) and leaves the e-mails for after the commit
(:func:`notifications.services.notify`). The person who made the move is not told
about it.

Texts are written in the site's language, whatever language the person making the
move reads the site in.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from .models import Notification
from .recipients import agency_staff, approvers, liaison_staff, officers
from .services import notify

Kind = Notification.Kind


def _in_site_language(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- wording


def day(value) -> str:
    return dateformat.format(value, _("Y年n月j日")) if value else ""


def _proposal_words(proposal) -> dict:
    return {"number": proposal.number, "title": proposal.title}


def _handling_link(proposal) -> str:
    return reverse("replies:handling", args=[proposal.pk])


def _letter_link(letter) -> str:
    return reverse("replies:letter_detail", args=[letter.pk])


# ---------------------------------------------------------------- assignment (交办)


def _announce_assignment(assignment, *, actor, exclude=()) -> list[Notification]:
    proposal = assignment.proposal
    words = {
        **_proposal_words(proposal), "agency": assignment.agency.short_name,
        "role": assignment.get_role_display(), "due": day(assignment.due_on),
    }
    return notify(
        recipients=agency_staff([assignment.agency_id]),
        kind=Kind.ASSIGNED,
        title=_("新交办：第%(number)s号提案") % words,
        text=_("第%(number)s号提案《%(title)s》已交%(agency)s办理（%(role)s），办理期限为%(due)s。")
        % words,
        link=_handling_link(proposal),
        proposal=proposal,
        actor=actor,
        exclude=exclude,
    )


@_in_site_language
def proposal_assigned(*, proposal, actor=None) -> list[Notification]:
    """交办: each assigned agency's officers and approvers."""
    sent: list[Notification] = []
    for assignment in proposal.assignments.select_related("agency").order_by("role", "agency__code"):
        assignment.proposal = proposal
        sent += _announce_assignment(assignment, actor=actor, exclude={n.recipient_id for n in sent})
    return sent


@_in_site_language
def assignment_added(*, assignment, actor=None) -> list[Notification]:
    """An agency added to a proposal being handled: its officers and approvers."""
    return _announce_assignment(assignment, actor=actor)


# ---------------------------------------------------------------- sections (办理意见)


def _section_words(section) -> dict:
    recommendation = section.recommendation
    return {
        **_proposal_words(recommendation.proposal), "ordinal": recommendation.ordinal,
        "agency": section.agency.short_name,
    }


@_in_site_language
def section_submitted(*, section, actor=None) -> list[Notification]:
    """A section sent for approval: the agency's approvers."""
    words = _section_words(section)
    proposal = section.recommendation.proposal
    return notify(
        recipients=approvers(section.agency),
        kind=Kind.SECTION_SUBMITTED,
        title=_("办理意见待审核：第%(number)s号提案第%(ordinal)s条建议") % words,
        text=_("%(agency)s对第%(number)s号提案《%(title)s》第%(ordinal)s条建议的办理意见已提交，请审核。")
        % words,
        link=_handling_link(proposal),
        proposal=proposal,
        actor=actor,
    )


@_in_site_language
def section_returned(*, section, actor=None, reason: str = "") -> list[Notification]:
    """A section sent back to draft: whoever wrote it and the agency's officers."""
    words = {**_section_words(section), "reason": reason}
    proposal = section.recommendation.proposal
    author = [section.created_by] if section.created_by_id else []
    return notify(
        recipients=[*author, *officers(section.agency)],
        kind=Kind.SECTION_RETURNED,
        title=_("办理意见被退回：第%(number)s号提案第%(ordinal)s条建议") % words,
        text=_("%(agency)s对第%(number)s号提案《%(title)s》第%(ordinal)s条建议的办理意见被退回修改。理由：%(reason)s")
        % words,
        link=_handling_link(proposal),
        proposal=proposal,
        actor=actor,
    )


# ---------------------------------------------------------------- reply letters (答复函)


def _letter_words(letter) -> dict:
    return {**_proposal_words(letter.proposal), "agency": letter.agency.short_name,
            "document": letter.number}


@_in_site_language
def letter_submitted(*, letter, actor=None) -> list[Notification]:
    """A letter sent for signing (送签): the agency's approvers."""
    words = _letter_words(letter)
    return notify(
        recipients=approvers(letter.agency),
        kind=Kind.LETTER_SUBMITTED,
        title=_("答复函待签发：第%(number)s号提案") % words,
        text=_("%(agency)s对第%(number)s号提案《%(title)s》的答复函已送签，请审核签发。") % words,
        link=_letter_link(letter),
        proposal=letter.proposal,
        actor=actor,
    )


@_in_site_language
def letter_returned(*, letter, actor=None, reason: str = "") -> list[Notification]:
    """A letter sent back by the approver: the agency's officers."""
    words = {**_letter_words(letter), "reason": reason}
    return notify(
        recipients=officers(letter.agency),
        kind=Kind.LETTER_RETURNED,
        title=_("答复函被退回：第%(number)s号提案") % words,
        text=_("%(agency)s对第%(number)s号提案《%(title)s》的答复函被退回修改。理由：%(reason)s") % words,
        link=_letter_link(letter),
        proposal=letter.proposal,
        actor=actor,
    )


@_in_site_language
def letter_signed(*, letter, actor=None) -> list[Notification]:
    """签发: liaison staff, to record the feedback, and the agency's officers."""
    words = _letter_words(letter)
    title = _("答复函已签发：%(document)s") % words
    text = _("%(agency)s对第%(number)s号提案《%(title)s》的答复函已签发，发文字号为%(document)s。") % words
    sent = notify(
        recipients=liaison_staff(), kind=Kind.LETTER_SIGNED, title=title, text=text,
        link=reverse("proposals:detail", args=[letter.proposal_id]), proposal=letter.proposal,
        actor=actor,
    )
    return sent + notify(
        recipients=officers(letter.agency), kind=Kind.LETTER_SIGNED, title=title, text=text,
        link=_letter_link(letter), proposal=letter.proposal, actor=actor,
        exclude={n.recipient_id for n in sent},
    )


# ---------------------------------------------------------------- feedback (征询意见)


@_in_site_language
def feedback_recorded(*, feedback, actor=None) -> list[Notification]:
    """The proposer's view recorded: every agency assigned to the proposal."""
    proposal = feedback.proposal
    words = {
        **_proposal_words(proposal), "handling": feedback.get_handling_display(),
        "result": feedback.get_result_display(),
    }
    text = _("提案者对第%(number)s号提案《%(title)s》办理工作的评价为“%(handling)s”，对办理结果的评价为“%(result)s”。") % words
    if feedback.is_dissatisfied:
        text += _("提案者表示不满意，提案可能重新办理。")
    agencies = proposal.assignments.values_list("agency_id", flat=True)
    return notify(
        recipients=agency_staff(agencies),
        kind=Kind.FEEDBACK_RECORDED,
        title=_("已登记反馈：第%(number)s号提案") % words,
        text=text,
        link=_handling_link(proposal),
        proposal=proposal,
        actor=actor,
    )


@_in_site_language
def proposal_reopened(*, proposal, actor=None, reason: str = "") -> list[Notification]:
    """重新办理: every assigned agency, with its new deadline."""
    sent: list[Notification] = []
    for assignment in proposal.assignments.select_related("agency").order_by("role", "agency__code"):
        words = {**_proposal_words(proposal), "due": day(assignment.due_on), "reason": reason}
        text = _("第%(number)s号提案《%(title)s》需重新办理，请于%(due)s前再次答复。") % words
        if reason:
            text += _("理由：%(reason)s") % words
        sent += notify(
            recipients=agency_staff([assignment.agency_id]), kind=Kind.REOPENED,
            title=_("重新办理：第%(number)s号提案") % words, text=text,
            link=_handling_link(proposal), proposal=proposal, actor=actor,
            exclude={n.recipient_id for n in sent},
        )
    return sent


# ---------------------------------------------------------------- extensions (延期申请)


def _extension_words(request) -> dict:
    assignment = request.assignment
    return {**_proposal_words(assignment.proposal), "agency": assignment.agency.short_name,
            "current": day(request.current_due_on), "requested": day(request.requested_due_on),
            "approved": day(request.approved_due_on), "reason": request.reason,
            "note": request.decision_note}


@_in_site_language
def extension_requested(*, request, actor=None) -> list[Notification]:
    """An agency asks for more time: the liaison staff, who decide."""
    words = _extension_words(request)
    return notify(
        recipients=liaison_staff(), kind=Kind.EXTENSION_REQUESTED,
        title=_("延期申请待审批：第%(number)s号提案") % words,
        text=_("%(agency)s申请将第%(number)s号提案《%(title)s》的办理期限由%(current)s延至%(requested)s。理由：%(reason)s")
        % words,
        link=reverse("proposals:extension_decide", args=[request.pk]),
        proposal=request.assignment.proposal, actor=actor,
    )


@_in_site_language
def extension_decided(*, request, actor=None) -> list[Notification]:
    """Approved or refused: the agency's officers and approvers."""
    words = _extension_words(request)
    if request.state == request.State.APPROVED:
        title = _("延期申请已批准：第%(number)s号提案") % words
        text = _("第%(number)s号提案《%(title)s》的办理期限已延至%(approved)s。") % words
    else:
        title = _("延期申请未获批准：第%(number)s号提案") % words
        text = _("第%(number)s号提案《%(title)s》的办理期限仍为%(current)s。审批意见：%(note)s") % words
    return notify(
        recipients=agency_staff([request.assignment.agency_id]), kind=Kind.EXTENSION_DECIDED,
        title=title, text=text, link=_handling_link(request.assignment.proposal),
        proposal=request.assignment.proposal, actor=actor,
    )


@_in_site_language
def due_recalculated(*, assignment, old, reason: str, actor=None) -> list[Notification]:
    """The working calendar changed and with it a due date: the agency's officers and approvers."""
    proposal = assignment.proposal
    words = {**_proposal_words(proposal), "agency": assignment.agency.short_name,
             "old": day(old), "new": day(assignment.due_on), "reason": reason}
    return notify(
        recipients=agency_staff([assignment.agency_id]), kind=Kind.DUE_RECALCULATED,
        title=_("办理期限已调整：第%(number)s号提案") % words,
        text=_("因%(reason)s，%(agency)s办理第%(number)s号提案《%(title)s》的期限由%(old)s调整为%(new)s。")
        % words,
        link=_handling_link(proposal), proposal=proposal, actor=actor,
    )


@_in_site_language
def commitment_reported(*, commitment, report, actor=None) -> list[Notification]:
    """An agency reported a commitment's progress: the liaison staff, who follow it up."""
    proposal = commitment.proposal
    words = {**_proposal_words(proposal), "agency": commitment.agency.short_name,
             "status": report.get_status_display(), "what": commitment.what[:60]}
    return notify(
        recipients=liaison_staff(), kind=Kind.COMMITMENT_REPORTED,
        title=_("承诺落实进展：第%(number)s号提案（%(status)s）") % words,
        text=_("%(agency)s报告第%(number)s号提案《%(title)s》的承诺事项“%(what)s”：%(status)s。") % words,
        link=reverse("followup:detail", args=[commitment.pk]), proposal=proposal, actor=actor,
    )


# ---------------------------------------------------------------- releases (退办申请)


def _release_words(request) -> dict:
    return {**_proposal_words(request.proposal), "agency": request.agency.short_name,
            "role": request.get_role_display(), "reason": request.reason,
            "suggested": request.suggested_agency.short_name if request.suggested_agency else "",
            "to": request.reassigned_to.short_name if request.reassigned_to else "",
            "note": request.decision_note}


@_in_site_language
def release_requested(*, request, actor=None) -> list[Notification]:
    """An agency asks to be released from an assignment: the liaison staff, who decide."""
    words = _release_words(request)
    text = _("%(agency)s申请退办第%(number)s号提案《%(title)s》（%(role)s）。理由：%(reason)s") % words
    if words["suggested"]:
        text += _("建议改由%(suggested)s办理。") % words
    return notify(
        recipients=liaison_staff(), kind=Kind.RELEASE_REQUESTED,
        title=_("退办申请待审批：第%(number)s号提案") % words, text=text,
        link=reverse("proposals:release_decide", args=[request.pk]),
        proposal=request.proposal, actor=actor,
    )


@_in_site_language
def release_decided(*, request, actor=None) -> list[Notification]:
    """Released or refused: the requesting agency's officers and approvers. (The agency a
    proposal is reassigned to hears of its new assignment as of any other.)"""
    words = _release_words(request)
    if request.state == request.State.APPROVED:
        title = _("退办申请已同意：第%(number)s号提案") % words
        text = _("第%(number)s号提案《%(title)s》已不再由%(agency)s办理。") % words
        if words["to"]:
            text += _("已改由%(to)s办理。") % words
        link = reverse("replies:inbox")
    else:
        title = _("退办申请未获同意：第%(number)s号提案") % words
        text = _("第%(number)s号提案《%(title)s》仍由%(agency)s办理。审批意见：%(note)s") % words
        link = _handling_link(request.proposal)
    return notify(
        recipients=agency_staff([request.agency_id]), kind=Kind.RELEASE_DECIDED,
        title=title, text=text, link=link, proposal=request.proposal, actor=actor,
    )
