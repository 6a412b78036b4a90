"""沟通: an agency's contact with the proposer before it answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import COMMENT_TEXT

from .proposal import Proposal


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts are read by whoever may read their proposal."""
        return self.filter(proposal__in=Proposal.objects.visible_to(user))


class Contact(models.Model):
    """One contact of an agency with the proposer: when, how, who took part, what was said."""

    class Way(models.TextChoices):
        MEETING = "meeting", _("面商")
        FORUM = "forum", _("座谈")
        PHONE = "phone", _("电话")
        WRITING = "writing", _("书面")
        VISIT = "visit", _("调研")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("提案"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("承办单位"),
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    contacted_on = models.DateField(_("沟通日期"))
    way = models.CharField(_("沟通方式"), max_length=10, choices=Way.choices)
    participants = models.CharField(_("参加人员"), max_length=200)
    note = models.TextField(_("沟通情况"), max_length=COMMENT_TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["proposal", "contacted_on", "id"]
        indexes = [models.Index(fields=["proposal", "agency"])]

    def __str__(self) -> str:
        return f"{self.proposal.number} {self.agency.short_name} {self.contacted_on} {self.get_way_display()}"
