"""Background work on notifications: event e-mails and the daily reminders.

Each task takes JSON arguments (ids, an ISO date), loads what it needs (a row
deleted meanwhile is logged and skipped) and calls a service. Database and mail
errors are retried with exponential backoff; both services are safe to run again.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import services
from .models import Notification

logger = logging.getLogger(__name__)


class RemindersFailed(Exception):
    """Some reminders of the day could not be sent; a retry sends just those."""


RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="notifications.send_notification_email", **RETRY)
def send_notification_email(notification_id: int) -> bool | None:
    """E-mail one notification; returns whether a mail was sent."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        logger.warning("notification %s no longer exists; nothing to e-mail", notification_id)
        return None
    return services.email_notification(notification=notification)


def _backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 1, 2, 4 … minutes, at most 30."""
    return min(60 * 2**retries, 1800)


@shared_task(bind=True, name="notifications.send_daily_reminders", max_retries=6)
def send_daily_reminders(self, day: str | None = None) -> dict:
    """The daily job (run by Celery beat). ``day`` is an ISO date; default: today.

    A retry keeps the day of the first run, also when it falls after midnight, and
    sends only what that run could not.
    """
    day = day or timezone.localdate().isoformat()
    try:
        report = services.send_daily_reminders(today=datetime.date.fromisoformat(day))
    except (DatabaseError, OSError) as error:
        raise self.retry(args=[day], exc=error, countdown=_backoff(self.request.retries)) from error
    if report.failed:
        names = ", ".join(entry.username for entry, _error in report.failed)
        failure = RemindersFailed(f"reminders of {day} not sent to: {names}")
        raise self.retry(args=[day], exc=failure, countdown=_backoff(self.request.retries))
    return {"day": day, "sent": len(report.sent), "already": len(report.already)}


@shared_task(name="notifications.send_notification_sms", autoretry_for=(DatabaseError,), retry_backoff=30,
             max_retries=3)
def send_notification_sms(notification_id: int) -> bool:
    """Text one proposer's notification to their mobile (recorded whatever the outcome)."""
    from . import sms

    notification = Notification.objects.select_related("recipient__proposer_account").filter(
        pk=notification_id).first()
    if notification is None:
        logger.info("notification %s is gone; no SMS", notification_id)
        return False
    account = getattr(notification.recipient, "proposer_account", None)
    if account is None or not account.mobile or not notification.recipient.is_active:
        return False
    record = sms.send(mobile=account.mobile, text=notification.text or notification.title,
                      purpose=notification.kind, user=notification.recipient)
    return record is not None and record.state == record.State.SENT
