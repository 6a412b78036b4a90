"""承诺事项 and their follow-up (回头看).

A section answered 正在落实 or 列入计划 carries a :class:`Commitment`: what the agency will
do and by when, stated when it drafts the section. Once the section is approved the
commitment is made; before its date the agency reports progress (:class:`ProgressReport`:
落实, 部分落实 or 未落实, with text), and the latest report is the commitment's status.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import REPORT_MAX, WHAT_MAX


class Progress(models.TextChoices):
    KEPT = "kept", _("落实")
    PARTLY = "partly", _("部分落实")
    NOT_KEPT = "not_kept", _("未落实")


class CommitmentQuerySet(models.QuerySet):
    def made(self):
        """Promises the agency has made: its section was approved (once is enough — a section
        taken back to draft to be revised keeps its commitment followed up)."""
        return self.filter(made_at__isnull=False)

    def open(self):
        return self.made().exclude(status=Progress.KEPT)

    def overdue(self, today: datetime.date):
        return self.open().filter(due_on__lt=today)

    def visible_to(self, user):
        """Liaison staff read every commitment; agency staff their agencies'."""
        from core.roles import agency_ids, is_liaison

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        return self.filter(agency_id__in=agency_ids(user))


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("未报告")
        KEPT = Progress.KEPT.value, Progress.KEPT.label
        PARTLY = Progress.PARTLY.value, Progress.PARTLY.label
        NOT_KEPT = Progress.NOT_KEPT.value, Progress.NOT_KEPT.label

    section = models.OneToOneField("replies.Section", on_delete=models.CASCADE, related_name="commitment",
                                   verbose_name=_("办理意见"))
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="commitments",
                                 verbose_name=_("提案"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="commitments",
                               verbose_name=_("承办单位"))
    what = models.TextField(_("承诺事项"), max_length=WHAT_MAX)
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(_("落实情况"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reported_on = models.DateField(_("最近报告日期"), null=True, blank=True)
    made_at = models.DateTimeField(_("作出时间"), null=True, blank=True,
                                   help_text=_("办理意见首次审核通过的时间：承诺自此作出，此后一直跟踪。"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # The history shows a report's move from one status to another by these labels.
    State = Status

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["agency", "due_on"]), models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:40]

    def days_overdue(self, today: datetime.date) -> int:
        if self.status == self.Status.KEPT or self.due_on >= today:
            return 0
        return (today - self.due_on).days


class ProgressReport(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reports",
                                   verbose_name=_("承诺事项"))
    status = models.CharField(_("落实情况"), max_length=10, choices=Progress.choices)
    text = models.TextField(_("进展情况"), max_length=REPORT_MAX)
    reported_on = models.DateField(_("报告日期"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("报告人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.reported_on}"
