"""Every write of the notifications app.

- :func:`notify`: in-app notifications for an event, and one e-mail each after the
  commit, sent by a task (:mod:`notifications.events` decides who and what).
- :func:`email_notification`: send one notification's e-mail, once.
- :func:`mark_read`, :func:`mark_all_read`: a person reads their own notifications.
- :func:`send_daily_reminders`: the daily job. Each officer and approver gets one
  reminder listing their agencies' assignments due soon or overdue, and each liaison
  staff member one digest of the overdue assignments by agency. A reminder is claimed
  by inserting a :class:`~notifications.models.ReminderDelivery` row, unique per
  person, kind and day, in the transaction that sends it: a second run the same day,
  or a run at the same time, finds the row and sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.queue import enqueue
from core.transactions import after_commit

from .models import Notification, ReminderDelivery
from .reminders import LiaisonDigest, OfficerReminder, liaison_digest, officer_reminders

logger = logging.getLogger(__name__)

Kind = Notification.Kind


def site_url(path: str = "/") -> str:
    """The absolute address of ``path`` on this site, for e-mails (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + (path or "/")


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------- events


def notify(*, recipients, kind: str, title: str, text: str = "", link: str = "", proposal=None,
           actor=None, exclude=()) -> list[Notification]:
    """Tell each of ``recipients`` about something: one in-app notification each, and
    once the current transaction commits, one e-mail each to those with an address.

    Each person is told once however often they are listed. Inactive users, ``actor``
    (who caused it) and the users whose ids are in ``exclude`` are not told.
    """
    skip = set(exclude)
    if actor is not None and actor.is_authenticated:
        skip.add(actor.pk)
    chosen: dict[int, object] = {}
    for user in recipients:
        if user.pk not in skip and user.pk not in chosen and user.is_active:
            chosen[user.pk] = user
    if not chosen:
        return []
    created = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, title=title[:200], text=text, link=link,
                     proposal=proposal)
        for user in chosen.values()
    )
    to_mail = [notification.pk for notification in created if chosen[notification.recipient_id].email]
    if to_mail:
        # The move stands whatever happens to the mail; a failed enqueue is logged.
        after_commit(_enqueue_emails, to_mail)
    return created


def _enqueue_emails(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue("notifications.send_notification_email", notification_id)


@transaction.atomic
def email_notification(*, notification: Notification) -> bool:
    """E-mail one notification to its recipient, unless it has been e-mailed already.

    Returns whether a mail was sent. Someone without an address, or no longer
    active, gets none. The row stays locked while the mail is sent, so a retried
    task does not send it twice.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",)).select_related("recipient")
        .get(pk=notification.pk)
    )
    recipient = notification.recipient
    if notification.emailed_at is not None or not recipient.email or not recipient.is_active:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【政协提案办理】%(title)s") % {"title": notification.title}
        body = render_to_string("notifications/email/event.txt", {
            "name": display_name(recipient), "notification": notification,
            "url": site_url(notification.link),
        })
    send_mail(subject, body, None, [recipient.email])
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


# ---------------------------------------------------------------- reading


def mark_read(*, user, notification: Notification) -> bool:
    """Mark one of ``user``'s own notifications read; returns whether it was unread."""
    updated = Notification.objects.of(user).unread().filter(pk=notification.pk).update(
        read_at=timezone.now()
    )
    return bool(updated)


def mark_all_read(*, user) -> int:
    """Mark all of ``user``'s notifications read; returns how many were unread."""
    return Notification.objects.of(user).unread().update(read_at=timezone.now())


# ---------------------------------------------------------------- the daily reminders


@dataclass
class Delivered:
    username: str
    kind: str
    email: str  # empty: in the application only
    items: int


@dataclass
class ReminderReport:
    """What one run of the daily job did."""

    day: datetime.date
    sent: list[Delivered] = field(default_factory=list)
    already: list[Delivered] = field(default_factory=list)  # reminded earlier that day
    failed: list[tuple[Delivered, str]] = field(default_factory=list)


@dataclass
class _Message:
    subject: str
    text: str  # the in-app summary
    body: str  # the e-mail
    link: str


def _officer_message(reminder: OfficerReminder, today: datetime.date) -> _Message:
    count = reminder.count
    subject = ngettext(
        "办理期限提醒：%(count)s件交办即将到期或已逾期",
        "办理期限提醒：%(count)s件交办即将到期或已逾期",
        count,
    ) % {"count": count}
    text = "\n".join(
        _("%(agency)s：已逾期 %(overdue)s 件，即将到期 %(soon)s 件。")
        % {"agency": group.agency.short_name, "overdue": len(group.overdue),
           "soon": len(group.due_soon)}
        + (_("承诺事项待落实 %(count)s 项（逾期 %(late)s 项）。") % {
            "count": len(group.commitments), "late": sum(1 for c in group.commitments if c.overdue)}
           if group.commitments else "")
        for group in reminder.agencies
    )
    link = reverse("replies:inbox")
    body = render_to_string("notifications/email/due_reminder.txt", {
        "name": display_name(reminder.user), "today": today, "count": count,
        "agencies": reminder.agencies, "url": site_url(link),
    })
    return _Message(subject, text, body, link)


def _digest_message(user, digest: LiaisonDigest, today: datetime.date) -> _Message:
    count = digest.count
    subject = ngettext(
        "逾期汇总：%(count)s件交办已逾期", "逾期汇总：%(count)s件交办已逾期", count
    ) % {"count": count}
    text = "\n".join(
        ngettext(
            "%(agency)s：逾期 %(count)s 件，最长逾期 %(worst)s 天。",
            "%(agency)s：逾期 %(count)s 件，最长逾期 %(worst)s 天。",
            group.worst_days_overdue,
        ) % {"agency": group.agency.short_name, "count": group.count,
             "worst": group.worst_days_overdue}
        for group in digest.agencies
    )
    link = reverse("proposals:list") + "?overdue=1"
    body = render_to_string("notifications/email/overdue_digest.txt", {
        "name": display_name(user), "today": today, "count": count,
        "agencies": digest.agencies, "url": site_url(link),
    })
    return _Message(subject, text, body, link)


def _claim(user, kind: str, day: datetime.date) -> ReminderDelivery | None:
    """Insert the delivery row, or return None when someone already has (that day)."""
    try:
        with transaction.atomic():
            return ReminderDelivery.objects.create(
                recipient=user, kind=kind, day=day, emailed_to=user.email
            )
    except IntegrityError:
        return None


def _deliver(report: ReminderReport, *, user, kind: str, items: int, message) -> None:
    """Claim, record and send one person's reminder in one transaction.

    A mail that cannot be sent rolls the claim back, so the next run sends it.
    """
    entry = Delivered(user.get_username(), kind, user.email, items)
    try:
        with transaction.atomic():
            delivery = _claim(user, kind, report.day)
            if delivery is None:
                report.already.append(entry)
                return
            built: _Message = message()
            notification = Notification.objects.create(
                recipient=user, kind=kind, title=built.subject[:200], text=built.text,
                link=built.link,
            )
            delivery.notification = notification
            delivery.save(update_fields=["notification"])
            if user.email:
                send_mail(built.subject, built.body, None, [user.email])
                notification.emailed_at = timezone.now()
                notification.save(update_fields=["emailed_at"])
    except (OSError, DatabaseError) as error:
        logger.exception("the %s of %s for %s could not be sent", kind, entry.username, report.day)
        report.failed.append((entry, str(error) or error.__class__.__name__))
        return
    report.sent.append(entry)


def send_daily_reminders(*, today: datetime.date | None = None) -> ReminderReport:
    """The daily job: each officer's reminder and each liaison staff member's digest.

    No one with nothing due is sent anything; someone without an e-mail address gets
    the in-app notification only. Running it again the same day sends nothing more;
    a person whose mail failed is tried again by the next run.
    """
    today = today or timezone.localdate()
    report = ReminderReport(today)
    with translation.override(settings.LANGUAGE_CODE):
        for reminder in officer_reminders(today):
            _deliver(report, user=reminder.user, kind=Kind.DUE_REMINDER, items=reminder.count,
                     message=partial(_officer_message, reminder, today))
        digest = liaison_digest(today)
        if digest.agencies:
            for user in digest.recipients:
                _deliver(report, user=user, kind=Kind.OVERDUE_DIGEST, items=digest.count,
                         message=partial(_digest_message, user, digest, today))
    logger.info("daily reminders for %s: %s sent, %s already sent, %s failed", today,
                len(report.sent), len(report.already), len(report.failed))
    return report
