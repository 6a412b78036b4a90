"""What proposers are told, and what the liaison staff hear from the proposer side.

A proposer (each account acting for a proposer signing the proposal: the lead and the
co-signers) is told when their proposal is reviewed (立案, 转为意见建议, 并案, 撤案),
assigned, answered and reopened — in the site, by e-mail, and by SMS to the account's
mobile. These follow the proposal's moves: :func:`announce_moves` runs at the end of
every action (``core.actions.on_finish``) over the proposals it moved, so no service
has to remember to call it.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.queue import enqueue
from core.transactions import after_commit

from .events import day
from .models import Notification
from .recipients import liaison_staff
from .services import notify

Kind = Notification.Kind


def _in_site_language(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def proposer_users(proposers):
    """The active accounts acting for any of ``proposers``."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, proposer_account__proposer__in=proposers).order_by("pk")


def _texted(notifications: list[Notification]) -> None:
    """After the commit, one SMS per notification to a recipient with a mobile."""
    from . import sms

    if not sms.enabled():
        return
    ids = [n.pk for n in notifications]
    if ids:
        after_commit(lambda: [enqueue("notifications.send_notification_sms", pk) for pk in ids])


def _tell_proposers(proposal, *, kind, title, text, actor=None) -> list[Notification]:
    proposers = [s.proposer_id for s in proposal.signatures.all()]
    created = notify(recipients=proposer_users(proposers), kind=kind, title=title, text=text,
                     link=reverse("members:proposal", args=[proposal.pk]), proposal=proposal, actor=actor)
    _texted(created)
    return created


REVIEW_WORDS = {
    "register": lambda: _("已立案"),
    "convert": lambda: _("转为意见建议"),
    "merge": lambda: _("已并案办理"),
    "withdraw": lambda: _("已撤案"),
}


@_in_site_language
def proposal_moved(proposal, move: str) -> list[Notification]:
    words = {"number": proposal.number, "title": proposal.title}
    if move in REVIEW_WORDS:
        words["result"] = REVIEW_WORDS[move]()
        return _tell_proposers(
            proposal, kind=Kind.PROPOSAL_REVIEWED, title=_("提案审查结果：%(result)s") % words,
            text=_("您的第%(number)s号提案《%(title)s》经审查%(result)s，详情请登录查看。") % words)
    if move == "assign":
        agencies = "、".join(a.agency.short_name for a in proposal.assignments.select_related("agency")
                            .filter(role__in=("lead", "separate")))
        words["agencies"] = agencies or _("承办单位")
        return _tell_proposers(
            proposal, kind=Kind.PROPOSAL_ASSIGNED, title=_("提案已交办：第%(number)s号") % words,
            text=_("您的第%(number)s号提案《%(title)s》已交%(agencies)s办理。") % words)
    if move == "reply":
        return _tell_proposers(
            proposal, kind=Kind.PROPOSAL_ANSWERED, title=_("提案已答复：第%(number)s号") % words,
            text=_("您的第%(number)s号提案《%(title)s》已收到答复函，请登录阅读并评价办理情况。") % words)
    if move == "reopen":
        return _tell_proposers(
            proposal, kind=Kind.PROPOSAL_REOPENED, title=_("提案重新办理：第%(number)s号") % words,
            text=_("您的第%(number)s号提案《%(title)s》已交承办单位重新办理。") % words)
    return []


ANNOUNCED = ("register", "convert", "merge", "withdraw", "assign", "reply", "reopen")


def announce_moves(touched) -> None:
    """Tell proposers about the moves of the proposals an action made."""
    from proposals.models import Proposal

    moved = {pk: done for pk, done in touched.actions_on("proposals.proposal").items()
             if done & set(ANNOUNCED)}
    if not moved:
        return
    for proposal in Proposal.objects.filter(pk__in=moved).prefetch_related("signatures"):
        for move in ANNOUNCED:
            if move in moved[proposal.pk]:
                proposal_moved(proposal, move)


@_in_site_language
def cosign_invited(*, invitation, actor=None) -> list[Notification]:
    online = invitation.online
    words = {"lead": online.lead.name, "title": online.title or _("（未命名）"),
             "date": day(online.cosign_deadline)}
    created = notify(recipients=proposer_users([invitation.proposer_id]), kind=Kind.COSIGN_INVITED,
                     title=_("联名邀请：%(lead)s") % words,
                     text=_("%(lead)s邀请您联名提出《%(title)s》，请在%(date)s（含当日）之前登录确认或谢绝。") % words,
                     link=reverse("members:online", args=[online.pk]), actor=actor)
    _texted(created)
    return created


@_in_site_language
def cosign_answered(*, invitation, actor=None) -> list[Notification]:
    """The lead is told each answer to an invitation."""
    online = invitation.online
    words = {"name": invitation.proposer.name, "title": online.title or _("（未命名）"),
             "answer": invitation.get_state_display()}
    return notify(recipients=proposer_users([online.lead_id]), kind=Kind.COSIGN_INVITED,
                  title=_("联名答复：%(name)s%(answer)s") % words,
                  text=_("%(name)s对《%(title)s》的联名邀请：%(answer)s。") % words,
                  link=reverse("members:online", args=[online.pk]), actor=actor)


@_in_site_language
def online_submitted(*, proposal, actor=None) -> list[Notification]:
    words = {"number": proposal.number, "title": proposal.title}
    return notify(recipients=liaison_staff(), kind=Kind.PROPOSAL_REVIEWED,
                  title=_("网上提交：第%(number)s号提案待审查") % words,
                  text=_("提案者在网上提交了第%(number)s号提案《%(title)s》，请审查。") % words,
                  link=reverse("proposals:detail", args=[proposal.pk]), proposal=proposal, actor=actor)


@_in_site_language
def rated(*, feedback, actor=None) -> list[Notification]:
    if not feedback.is_dissatisfied:
        return []
    proposal = feedback.proposal
    words = {"number": proposal.number, "title": proposal.title, "name": feedback.proposer.name}
    return notify(recipients=liaison_staff(), kind=Kind.RATING_DISSATISFIED,
                  title=_("提案者不满意：第%(number)s号提案") % words,
                  text=_("%(name)s对第%(number)s号提案《%(title)s》的答复表示不满意，请决定是否重新办理。") % words,
                  link=reverse("proposals:detail", args=[proposal.pk]), proposal=proposal, actor=actor)
