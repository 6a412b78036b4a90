"""通知: what the system tells people, in the application and by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        """The notifications addressed to ``user``; nobody reads anyone else's."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person: an event that concerns them, or a daily reminder."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("新交办")
        SECTION_SUBMITTED = "section_submitted", _("办理意见待审核")
        SECTION_RETURNED = "section_returned", _("办理意见被退回")
        LETTER_SUBMITTED = "letter_submitted", _("答复函待签发")
        LETTER_RETURNED = "letter_returned", _("答复函被退回")
        LETTER_SIGNED = "letter_signed", _("答复函已签发")
        FEEDBACK_RECORDED = "feedback_recorded", _("已登记反馈")
        REOPENED = "reopened", _("重新办理")
        EXTENSION_REQUESTED = "extension_requested", _("延期申请待审批")
        EXTENSION_DECIDED = "extension_decided", _("延期申请已审批")
        RELEASE_REQUESTED = "release_requested", _("退办申请待审批")
        RELEASE_DECIDED = "release_decided", _("退办申请已审批")
        DUE_REMINDER = "due_reminder", _("办理期限提醒")
        DUE_RECALCULATED = "due_recalculated", _("办理期限已按新日历调整")
        COMMITMENT_REPORTED = "commitment_reported", _("承诺落实进展")
        OVERDUE_DIGEST = "overdue_digest", _("逾期汇总")
        # to proposers
        PROPOSAL_REVIEWED = "proposal_reviewed", _("提案已审查")
        PROPOSAL_ASSIGNED = "proposal_assigned", _("提案已交办")
        PROPOSAL_ANSWERED = "proposal_answered", _("提案已答复")
        PROPOSAL_REOPENED = "proposal_reopened", _("提案重新办理")
        COSIGN_INVITED = "cosign_invited", _("联名邀请")
        RATING_DISSATISFIED = "rating_dissatisfied", _("提案者不满意")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    link = models.CharField(
        _("链接"), max_length=500, blank=True, help_text=_("站内路径，例如 /inbox/。")
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("提案"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReminderDelivery(models.Model):
    """A daily reminder claimed for one person: at most one per kind and day.

    The daily job inserts this row in the transaction that sends the reminder; the
    unique constraint makes a second run, or two runs at once, find it and send nothing.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Notification.Kind.choices)
    day = models.DateField(_("日期"))
    notification = models.OneToOneField(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("通知"),
    )
    emailed_to = models.CharField(_("邮件地址"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        ordering = ["-day", "recipient_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.recipient} {self.get_kind_display()}"


class SmsMessage(models.Model):
    """短信: one text message to one person's mobile, as the SMS backend reported it."""

    class State(models.TextChoices):
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CAPPED = "capped", _("超过每日上限，未发送")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("接收人"),
    )
    mobile = models.CharField(_("手机号码"), max_length=20)
    purpose = models.CharField(_("用途"), max_length=20)  # a notification kind, or "login"
    text = models.CharField(_("内容"), max_length=500)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    backend = models.CharField(_("发送通道"), max_length=50)
    provider_id = models.CharField(_("通道回执编号"), max_length=100, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["mobile", "created_at"], name="sms_mobile_day")]

    def __str__(self) -> str:
        return f"{self.mobile} · {self.get_state_display()}"
