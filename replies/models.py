"""办理答复: agencies' sections, reply letters and their document numbers."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.roles import agency_ids, is_liaison, is_office
from core.text import CC_TEXT, LONG_TEXT, REASON_TEXT
from core.workflow import Move, Workflow


def validate_letter_class(value: str) -> None:
    if value not in settings.LETTER_CLASSES:
        raise ValidationError(
            _("分类“%(value)s”无效，可选：%(allowed)s。"),
            params={"value": value, "allowed": "、".join(settings.LETTER_CLASSES)},
        )


def letter_class_choices():
    return [(c, f"{c}类") for c in settings.LETTER_CLASSES]


class AdoptionStatus(models.Model):
    """采纳情况: an editable vocabulary (吸收采纳, 正在落实 …).

    ``phrase`` is printed at the head of a recommendation's part of the letter
    (吸收采纳该项建议。) and ``suggests_class`` is the letter class it points to.
    """

    code = models.CharField(
        _("代码"), max_length=32, unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]{0,31}$", _("代码只能包含小写英文字母、数字和下划线。"))],
    )
    label = models.CharField(_("名称"), max_length=30, unique=True)
    phrase = models.CharField(_("答复函用语"), max_length=100)
    suggests_class = models.CharField(
        _("建议分类"), max_length=1, validators=[validate_letter_class]
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("采纳情况")
        verbose_name_plural = _("采纳情况")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class SectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sections ``user`` may read.

        Liaison staff (and superusers) see every section; office staff see the
        submitted and approved ones. Agency staff see, on the proposals assigned to
        one of their agencies, all of their own agency's sections and the other
        agencies' sections once those are submitted or approved: an agency's drafts
        stay within the agency. Anyone else sees none.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        shared = models.Q(state__in=[Section.State.SUBMITTED, Section.State.APPROVED])
        if is_office(user):
            return self.filter(shared)
        ids = agency_ids(user)
        if not ids:
            return self.none()
        from proposals.models import Assignment

        return self.filter(
            Exists(Assignment.objects.filter(
                proposal=OuterRef("recommendation__proposal"), agency_id__in=ids,
            )),
            models.Q(agency_id__in=ids) | shared,
        )


class Section(Workflow, models.Model):
    """办理意见: one agency's answer to one recommendation."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已审核")

    MOVES = {
        "submit": Move([State.DRAFT], State.SUBMITTED, _("提交审核")),
        "approve": Move([State.SUBMITTED], State.APPROVED, _("审核通过")),
        "return": Move([State.SUBMITTED], State.DRAFT, _("退回修改")),
        "revise": Move([State.APPROVED], State.DRAFT, _("重新修改")),
    }
    # Steps inside the agency (drafting; an approver's return or reopening, with the
    # reason): their history is read only there and by liaison staff. Submitting and
    # approving are the agency's answer, read by whoever may read the section.
    INTERNAL_ACTIONS = ("create", "update", "return", "revise")

    recommendation = models.ForeignKey(
        "proposals.Recommendation", on_delete=models.CASCADE, related_name="sections",
        verbose_name=_("建议"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="sections",
        verbose_name=_("承办单位"),
    )
    adoption = models.ForeignKey(
        AdoptionStatus, on_delete=models.PROTECT, null=True, blank=True, related_name="sections",
        verbose_name=_("采纳情况"),
    )
    body = models.TextField(_("办理意见"), blank=True, max_length=LONG_TEXT)
    position = models.PositiveSmallIntegerField(
        _("顺序"), default=1, help_text=_("同一条建议下各单位意见在答复函中的先后。")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("起草人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理意见")
        verbose_name_plural = _("办理意见")
        ordering = ["recommendation", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "agency", "position"], name="section_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.agency.short_name}"

    @property
    def proposal(self):
        return self.recommendation.proposal


DOCUMENT_NUMBER_RE = re.compile(r"^(?P<prefix>[^〔〕]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


class Disclosure(models.TextChoices):
    PUBLIC = "主动公开", _("主动公开")
    ON_REQUEST = "依申请公开", _("依申请公开")
    NOT_PUBLIC = "不予公开", _("不予公开")


class ReplyLetterQuerySet(models.QuerySet):
    def current(self):
        return self.exclude(state=ReplyLetter.State.VOIDED)

    def final(self):
        return self.filter(state__in=[ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED])

    def visible_to(self, user):
        """Letters ``user`` may read.

        Liaison staff read every letter. A letter being drafted stays inside its agency
        until it is signed; once signed (or issued, or voided) it is read by the office
        and by every agency assigned to the proposal.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        from proposals.models import Assignment

        ids = agency_ids(user)
        final = Q(state__in=[self.model.State.SIGNED, self.model.State.ISSUED, self.model.State.VOIDED])
        own = Q(agency_id__in=ids)
        if is_office(user):
            return self.filter(final | own)
        assigned = Exists(Assignment.objects.filter(proposal=OuterRef("proposal"), agency_id__in=ids))
        return self.filter(own | (final & assigned))

    def published(self):
        """Letters the public portal shows: signed or issued, disclosed 主动公开, not held back
        by the liaison staff. A voided letter, or one 依申请公开 or 不予公开, is never here."""
        return self.final().filter(disclosure=Disclosure.PUBLIC, held_reason="")

    def for_printing(self, *, session=None, agency=None):
        """Signed and issued letters, by agency, then document number."""
        letters = self.final().select_related("proposal__session", "agency")
        if session is not None:
            letters = letters.filter(proposal__session=session)
        if agency is not None:
            letters = letters.filter(agency=agency)
        return letters.order_by("agency__code", "doc_prefix", "doc_year", "doc_serial", "id")


def letter_pdf_path(letter, filename: str) -> str:
    """Stored letters sit under letters/<document year>/."""
    year = letter.doc_year or (letter.signed_on.year if letter.signed_on else "undated")
    return f"letters/{year}/{filename}"


class ReplyLetter(Workflow, models.Model):
    """答复函: the letter an answering agency sends for a proposal.

    Until it is signed the letter's parts come from the sections; signing stores
    them in ``parts`` and fixes every field of the text.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待签发")
        SIGNED = "signed", _("已签发")
        ISSUED = "issued", _("已印发")
        VOIDED = "voided", _("已作废")

    MOVES = {
        "submit": Move([State.DRAFT], State.IN_REVIEW, _("送签")),
        "return": Move([State.IN_REVIEW], State.DRAFT, _("退回修改")),
        "sign": Move([State.IN_REVIEW], State.SIGNED, _("签发")),
        "issue": Move([State.SIGNED], State.ISSUED, _("印发")),
        "void": Move([State.SIGNED, State.ISSUED], State.VOIDED, _("作废")),
    }
    # Everything before signing happens inside the answering agency (its history is read
    # only there and by liaison staff); signing, issuing and voiding are read by all who
    # may read the letter.
    INTERNAL_ACTIONS = ("create", "update", "set_class", "submit", "return")

    # Fields that make up the letter's text; frozen once signed.
    TEXT_FIELDS = (
        "klass", "title", "addressee", "opening", "closing", "signatory", "signed_on",
        "note", "disclosure", "cc", "issued_by",
    )

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="letters",
        verbose_name=_("提案"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="letters",
        verbose_name=_("答复单位"),
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    number = models.CharField(_("发文字号"), max_length=60, unique=True, null=True, blank=True)
    doc_prefix = models.CharField(_("字号前缀"), max_length=30, blank=True)
    doc_year = models.PositiveSmallIntegerField(_("字号年份"), null=True, blank=True)
    doc_serial = models.PositiveIntegerField(_("字号序号"), null=True, blank=True)
    klass = models.CharField(
        _("分类"), max_length=1, blank=True, validators=[validate_letter_class]
    )
    class_reason = models.TextField(_("分类理由"), blank=True, max_length=REASON_TEXT)
    title = models.CharField(_("标题"), max_length=200)
    addressee = models.CharField(_("主送"), max_length=200)
    opening = models.TextField(_("开头"), blank=True, max_length=LONG_TEXT)
    closing = models.CharField(_("结语"), max_length=100, default="专此答复。", blank=True)
    signatory = models.CharField(_("署名"), max_length=100)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    note = models.CharField(_("附注"), max_length=300, blank=True)
    disclosure = models.CharField(
        _("公开方式"), max_length=10, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    cc = models.JSONField(_("抄送"), default=list, blank=True)
    issued_by = models.CharField(_("印发机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    parts = models.JSONField(_("正文（签发时固定）"), default=list, blank=True)
    # The letter's own wording of parts, by the recommendation's ordinal (as text):
    # {"paragraphs": [{"text": …, "sources": [section ids]}], "saved_at": ISO time}. A part
    # not here prints its sections' text (see replies.composition and services.wording).
    wording = models.JSONField(_("各部分措辞"), default=dict, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    void_reason = models.TextField(_("作废理由"), blank=True, max_length=REASON_TEXT)
    pdf = models.FileField(
        _("签发稿PDF"), upload_to=letter_pdf_path, blank=True, editable=False,
        help_text=_("签发时生成并存档，此后每次下载都是同一份文件。"),
    )
    pdf_sha256 = models.CharField(_("PDF校验值（SHA-256）"), max_length=64, blank=True, editable=False)
    # /verify/ finds the letter by this code (printed on its last page). The digital signature
    # (PAdES) of the stored PDF: its level and certificate (the agency's may be replaced later).
    verify_code = models.CharField(_("验证码"), max_length=8, blank=True, editable=False)
    signature_level = models.CharField(_("数字签名级别"), max_length=8, blank=True, editable=False)
    signature_subject = models.CharField(_("签名证书主体"), max_length=500, blank=True, editable=False)
    signature_fingerprint = models.CharField(_("签名证书指纹"), max_length=64, blank=True, editable=False)
    # 暂不公开: the liaison staff hold a 主动公开 letter back from the public portal, with why.
    held_reason = models.TextField(_("暂不公开理由"), blank=True, max_length=REASON_TEXT)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("暂不公开决定人"),
    )
    held_at = models.DateTimeField(_("暂不公开时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ReplyLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复函")
        verbose_name_plural = _("答复函")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_prefix", "doc_year", "doc_serial"],
                condition=models.Q(doc_serial__isnull=False),
                name="letter_unique_document_number",
            ),
            models.UniqueConstraint(
                fields=["proposal", "agency", "round"],
                condition=~models.Q(state="voided"),
                name="letter_one_current_per_round",
            ),
            models.UniqueConstraint(
                fields=["verify_code"], condition=~models.Q(verify_code=""),
                name="letter_unique_verify_code",
            ),
        ]
        indexes = [
            models.Index(fields=["klass", "proposal"], name="letter_class"),  # the list's filter
            models.Index(fields=["pdf_sha256"], name="letter_pdf_sha256"),  # /verify/ by upload
        ]

    def __str__(self) -> str:
        return self.number or f"{self.title}（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        """The letter's PDF: the stored final letter once signed, the draft preview before."""
        return reverse("replies:letter_pdf", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.SIGNED, self.State.ISSUED, self.State.VOIDED)

    def clean(self):
        super().clean()
        text = "、".join(str(name) for name in self.cc or [])
        if len(text) > CC_TEXT:
            raise ValidationError({"cc": _("抄送过长：最多%(most)s个字，现有%(now)s个字（版记须排在末页）。")
                                   % {"most": CC_TEXT, "now": len(text)}})


class DocumentCounter(models.Model):
    """The last serial used for a document-number prefix in a year."""

    prefix = models.CharField(_("字号前缀"), max_length=30)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_serial = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        ordering = ["prefix", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕 {self.last_serial}"


class PrintJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs ``user`` may read: every job for office and liaison staff, who print; anyone
        else only the jobs they asked for."""
        if user is None or not user.is_authenticated:
            return self.none()
        if is_office(user) or is_liaison(user):
            return self
        return self.filter(requested_by=user)


class PrintJob(models.Model):
    """批量打印: one session's signed letters (of one agency, or all) in one file.

    Built by a task; ``done`` counts the letters collected so far, so the page that
    follows the job can show its progress while it runs. A job of more than
    ``PRINT_JOB_PART_SIZE`` letters is built in ``parts`` by as many tasks, which may run
    on different workers at once (see :mod:`replies.printing`); ``run`` counts the
    times the job was started, so that a part left over from an earlier run does nothing.
    """

    class Format(models.TextChoices):
        PDF = "pdf", _("合并为一个PDF文件")
        ZIP = "zip", _("ZIP压缩包（每份答复函一个PDF）")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    session = models.ForeignKey(
        "proposals.Session", on_delete=models.CASCADE, related_name="print_jobs",
        verbose_name=_("届次会议"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True,
        related_name="print_jobs", verbose_name=_("答复单位"), help_text=_("留空为全部单位。"),
    )
    format = models.CharField(_("文件格式"), max_length=3, choices=Format.choices, default=Format.PDF)
    seal = models.BooleanField(_("加盖印章"), default=True)
    unprinted_only = models.BooleanField(_("仅未印发的"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(_("答复函总数"), default=0)
    done = models.PositiveIntegerField(_("已完成数"), default=0)
    file = models.FileField(_("文件"), upload_to="print-jobs/", blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Fixed when a run starts, so that letters signed meanwhile do not shift the parts.
    letter_ids = models.JSONField(_("答复函（按打印顺序）"), default=list, blank=True, editable=False)
    run = models.PositiveIntegerField(_("生成次数"), default=0, editable=False)
    parts = models.PositiveIntegerField(_("分段数"), default=0, editable=False)
    parts_done = models.PositiveIntegerField(_("已完成分段数"), default=0, editable=False)
    # The stored file of each finished part, by part index ("0", "1", …), until assembled.
    part_files = models.JSONField(_("分段文件"), default=dict, blank=True, editable=False)
    # The job's last sign of life: its creation, each run's start, each letter printed. A
    # job silent for PRINT_JOB_STALL_SECONDS lost its worker (replies.printing.watch).
    heartbeat_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True, editable=False)
    resumes = models.PositiveSmallIntegerField(_("中断后续做次数"), default=0, editable=False)
    # When the file was removed, PRINT_JOB_KEEP_DAYS after the job finished.
    file_deleted_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True, editable=False)

    objects = PrintJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("批量打印任务")
        verbose_name_plural = _("批量打印任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        scope = self.agency.short_name if self.agency_id else _("全部单位")
        return f"{self.session} · {scope} · {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("replies:print_job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def may_run_again(self) -> bool:
        """A failed job, or a done one whose file was removed, can be built again."""
        return self.state == self.State.FAILED or (self.state == self.State.DONE and not self.file)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.is_finished else 0)

    def letters(self):
        """The letters this job prints: the signed ones not yet printed (已签发), or with
        ``unprinted_only`` off the issued ones too."""
        letters = ReplyLetter.objects.for_printing(session=self.session, agency=self.agency)
        if self.unprinted_only:
            letters = letters.filter(state=ReplyLetter.State.SIGNED)
        return letters


def _letter_attachment_path(instance, filename: str) -> str:
    return f"attachments/letters/{instance.letter_id}/{uuid.uuid4().hex}.{filename.rpartition('.')[2]}"


class LetterAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Read by whoever may read the letter."""
        return self.filter(letter__in=ReplyLetter.objects.visible_to(user))


class LetterAttachment(models.Model):
    """附件 of a reply letter: a PDF or an image printed after it, each starting on a new
    page marked 附件1, 附件2 …, listed in the letter's 附件说明 by ``title``."""

    letter = models.ForeignKey(ReplyLetter, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("答复函"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("附件名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=_letter_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    pages = models.PositiveSmallIntegerField(_("页数"), default=1)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = LetterAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复函附件")
        verbose_name_plural = _("答复函附件")
        ordering = ["letter", "position", "id"]

    def __str__(self) -> str:
        return self.title
