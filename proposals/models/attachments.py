"""附件: the materials a proposal came with (PDF, images, Word documents)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposal import Proposal


def _upload_to(instance, filename: str) -> str:
    # The stored name says nothing of the uploaded one (kept in ``name``).
    return f"attachments/proposals/{instance.proposal_id}/{uuid.uuid4().hex}.{filename.rpartition('.')[2]}"


class ProposalAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Read by whoever may read the proposal."""
        return self.filter(proposal__in=Proposal.objects.visible_to(user))


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments",
                                 verbose_name=_("提案"))
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    name = models.CharField(_("文件名"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ProposalAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("提案附件")
        verbose_name_plural = _("提案附件")
        ordering = ["proposal", "created_at", "id"]

    def __str__(self) -> str:
        return self.name
