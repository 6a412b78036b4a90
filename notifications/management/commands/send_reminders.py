"""manage.py send_reminders [--date YYYY-MM-DD]: the daily reminders, run by hand.

The same job Celery beat runs each morning; running it again the same day sends
nothing more.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import send_daily_reminders


def _kind(value: str) -> str:
    return str(Notification.Kind(value).label)


class Command(BaseCommand):
    help = (
        "Send the daily reminders: each agency officer's and approver's list of assignments "
        "due soon or overdue, and the liaison staff's digest of overdue assignments. Running "
        "it again the same day sends nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", metavar="YYYY-MM-DD",
            help="the day to remind for (default: today); due soon and overdue count from it",
        )

    def handle(self, *args, date=None, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        report = send_daily_reminders(today=day)
        self.stdout.write(_("%(day)s 的每日提醒：") % {"day": report.day.isoformat()})
        for entry in report.sent:
            self.stdout.write("  " + _("已发送%(kind)s → %(user)s（%(to)s），%(items)s件") % {
                "kind": _kind(entry.kind), "user": entry.username,
                "to": entry.email or _("仅站内通知"), "items": entry.items,
            })
        for entry in report.already:
            self.stdout.write("  " + _("当天已发送过%(kind)s → %(user)s，未重复发送") % {
                "kind": _kind(entry.kind), "user": entry.username,
            })
        for entry, error in report.failed:
            self.stderr.write("  " + _("发送失败：%(kind)s → %(user)s：%(error)s") % {
                "kind": _kind(entry.kind), "user": entry.username, "error": error,
            })
        if not (report.sent or report.already or report.failed):
            self.stdout.write("  " + _("没有即将到期或已逾期的交办，未发送提醒。"))
        self.stdout.write(_("发送 %(sent)s 份，此前已发送 %(already)s 份，失败 %(failed)s 份。") % {
            "sent": len(report.sent), "already": len(report.already), "failed": len(report.failed),
        })
        if report.failed:
            raise CommandError(f"{len(report.failed)} reminder(s) could not be sent; run it again to retry")
