"""检索: one row per searchable thing — a proposal, a recommendation, a section, a letter."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TermsField(models.TextField):
    """The document's terms in tsvector text form (see :mod:`search.analysis`).

    A ``tsvector`` column on PostgreSQL, indexed with GIN; plain text elsewhere, where
    the search scans the folded text instead.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "tsvector"
        return super().db_type(connection)

    def get_placeholder(self, value, compiler, connection):
        if connection.vendor == "postgresql":
            return "%s::tsvector"
        return "%s"


class SearchEntry(models.Model):
    """What the search box finds: a document's text, folded text and terms, and where it
    belongs (its proposal and session). Written only by :mod:`search.services`."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("提案")
        RECOMMENDATION = "recommendation", _("建议")
        SECTION = "section", _("办理意见")
        LETTER = "letter", _("答复函")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="search_entries",
        verbose_name=_("提案"),
    )
    session = models.ForeignKey(
        "proposals.Session", on_delete=models.CASCADE, related_name="+", verbose_name=_("届次会议"),
    )
    title = models.CharField(_("标题"), max_length=400)
    keywords = models.CharField(
        _("关键信息"), max_length=500, blank=True,
        help_text=_("检索时一并查找但不计入相似度的信息，如提案号和提案者。"),
    )
    text = models.TextField(_("正文"), blank=True)
    folded = models.TextField(
        _("规范化文本"), blank=True, help_text=_("标题、关键信息和正文的规范化形式，供逐字查找。")
    )
    terms = TermsField(_("检索词"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}: {self.title}"


class SubjectProfile(models.Model):
    """What a proposal is about, as similar proposals are compared: the subject bigrams of
    its title and of its whole text with their counts (``term:count`` separated by spaces)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
                                    related_name="+", verbose_name=_("提案"))
    title = models.TextField(_("案由的词"), blank=True)
    terms = models.TextField(_("全文的词"), blank=True)

    class Meta:
        verbose_name = _("提案主题词")
        verbose_name_plural = _("提案主题词")

    def __str__(self) -> str:
        return str(self.proposal_id)


class TermCount(models.Model):
    """In how many proposals' profiles a term occurs: what makes a shared term telling."""

    term = models.CharField(_("词"), max_length=64, primary_key=True)
    proposals = models.PositiveIntegerField(_("提案数"), default=0)

    class Meta:
        verbose_name = _("主题词频次")
        verbose_name_plural = _("主题词频次")

    def __str__(self) -> str:
        return f"{self.term} {self.proposals}"
