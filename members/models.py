"""The proposer side: accounts of proposers, and the proposals they write online.

A proposer account (提案者账号) is a user who acts for one proposer record — a member,
or an organisation with one or more people acting for it. An online proposal (网上提案)
is written and saved as a draft, co-signers are invited (联名), and once submitted it
becomes a proposal 待审查 in the liaison staff's list; the draft keeps a link to it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import LONG_TEXT
from core.workflow import Move, Workflow
from proposals.models import Category, Proposal, Proposer, Session

mobile_validator = RegexValidator(r"^1[3-9][0-9]{9}$", _("手机号码应为11位数字，以1开头，例如13800138000。"))


class ProposerAccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)


class ProposerAccount(models.Model):
    """A person signing in for a proposer: a member themself, or someone acting for an
    organisation (民主党派、工商联, a special committee, a sector group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="proposer_account", verbose_name=_("用户"))
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="accounts",
                                 verbose_name=_("提案者"))
    sector = models.CharField(_("界别"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ProposerAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("提案者账号")
        verbose_name_plural = _("提案者账号")
        ordering = ["proposer__kind", "proposer__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.proposer}）"


class OnlineProposalQuerySet(models.QuerySet):
    def of(self, proposer):
        """The online proposals ``proposer`` writes as lead, or is invited to co-sign and has
        not declined: one who declined reads no later change."""
        if proposer is None:
            return self.none()
        invited = Invitation.objects.filter(online=models.OuterRef("pk"), proposer=proposer).exclude(
            state=Invitation.State.DECLINED)
        return self.filter(models.Q(lead=proposer) | models.Exists(invited))


class OnlineProposal(Workflow, models.Model):
    """网上提案: a proposal written by its lead proposer, a draft until submitted."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    MOVES = {
        "submit": Move([State.DRAFT], State.SUBMITTED, _("提交提案")),
    }
    STATE_RULES = {
        "edit": ([State.DRAFT], _("提案已提交，不能再修改；如需更正请联系提案委。")),
    }

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="online_proposals",
                                verbose_name=_("届次会议"))
    lead = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="online_proposals",
                             verbose_name=_("领衔提案者"))
    title = models.CharField(_("案由"), max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("类别"))
    body = models.TextField(_("提案内容"), blank=True, max_length=LONG_TEXT)
    # The recommendations as the proposer typed or pasted them; split on submission by the
    # same rules as the liaison staff's form (proposals.splitting).
    recommendations = models.JSONField(_("建议"), default=list, blank=True)
    cosign_deadline = models.DateField(_("联名截止日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT,
                             db_index=True)
    proposal = models.OneToOneField(Proposal, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="online", verbose_name=_("提案"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("撰写人"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OnlineProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("网上提案")
        verbose_name_plural = _("网上提案")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title or str(_("（未命名草稿）"))


class Invitation(Workflow, models.Model):
    """联名邀请: the lead asks another proposer to co-sign; they confirm or decline."""

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认联名")
        DECLINED = "declined", _("已谢绝")

    MOVES = {
        "confirm": Move([State.PENDING], State.CONFIRMED, _("确认联名")),
        "decline": Move([State.PENDING], State.DECLINED, _("谢绝联名")),
    }

    online = models.ForeignKey(OnlineProposal, on_delete=models.CASCADE, related_name="invitations",
                               verbose_name=_("网上提案"))
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="invitations",
                                 verbose_name=_("受邀提案者"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联名邀请")
        verbose_name_plural = _("联名邀请")
        ordering = ["online", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["online", "proposer"], name="invitation_unique_proposer"),
        ]

    def __str__(self) -> str:
        return f"{self.proposer} · {self.get_state_display()}"


def _draft_upload_to(instance, filename: str) -> str:
    return f"attachments/online/{instance.online_id}/{uuid.uuid4().hex}.{filename.rpartition('.')[2]}"


class DraftAttachment(models.Model):
    """A file the proposer attaches to an online proposal; it goes with it on submission."""

    online = models.ForeignKey(OnlineProposal, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("网上提案"))
    file = models.FileField(_("文件"), upload_to=_draft_upload_to, max_length=200)
    name = models.CharField(_("文件名"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网上提案附件")
        verbose_name_plural = _("网上提案附件")
        ordering = ["online", "created_at", "id"]

    def __str__(self) -> str:
        return self.name
