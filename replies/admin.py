"""Admin for adoption statuses, sections, reply letters and document counters.

Sections and letters are written through :mod:`replies.services`: a form's save is
one service call, tried out while the form is validated so that a refusal shows as
a form error. Only drafts can be edited; a letter that is in review, signed, issued
or voided is shown read-only, so a signed letter's text never changes here. The
moves (送审, 审核通过, 退回, 签发, 印发, 作废) are admin actions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.admin_site import ConcurrentEditGuard
from core.admin_tools import (
    MoveActionForm,
    NoBulkDeleteMixin,
    ReadOnlyMixin,
    RoleAccessMixin,
    ServiceAdminMixin,
    ServiceForm,
    VersionedServiceForm,
    move_action,
    sees_everything,
)
from core.roles import agency_ids
from core.text import CC_TEXT
from proposals.models import Proposal, Recommendation

from . import services
from .composition import build_parts, letter_paragraphs
from .models import (
    AdoptionStatus,
    DocumentCounter,
    LetterAttachment,
    PrintJob,
    ReplyLetter,
    Section,
    letter_class_choices,
)

# ---------------------------------------------------------------- adoption statuses


class AdoptionStatusForm(forms.ModelForm):
    class Meta:
        model = AdoptionStatus
        fields = ("code", "label", "phrase", "suggests_class", "position", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "suggests_class" in self.fields:
            field = self.fields["suggests_class"]
            self.fields["suggests_class"] = forms.ChoiceField(
                label=field.label, choices=letter_class_choices(), help_text=field.help_text
            )


@admin.register(AdoptionStatus)
class AdoptionStatusAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    form = AdoptionStatusForm
    list_display = ("label", "code", "phrase", "suggests_class", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("suggests_class", "is_active")
    search_fields = ("label", "code", "phrase")
    ordering = ("position", "code")


# ---------------------------------------------------------------- sections


def _limit_agencies(request, field):
    """Agency staff pick only among their own agencies."""
    if not sees_everything(request.user):
        field.queryset = Agency.objects.filter(pk__in=agency_ids(request.user))
    return field


class SectionAddForm(ServiceForm):
    """A new section: which proposal, which of its recommendations, which agency."""

    proposal = forms.ModelChoiceField(
        label=_("提案"), queryset=Proposal.objects.all(),
        widget=AutocompleteSelect(Recommendation._meta.get_field("proposal"), admin.site),
    )
    ordinal = forms.IntegerField(label=_("建议序号"), min_value=1, max_value=99,
                                 help_text=_("提案中的第几条建议。"))

    class Meta:
        model = Section
        fields = ("agency", "adoption", "body")

    recommendation = None

    def clean(self):
        proposal, ordinal = self.cleaned_data.get("proposal"), self.cleaned_data.get("ordinal")
        if proposal is not None and ordinal is not None:
            self.recommendation = proposal.recommendations.filter(ordinal=ordinal).first()
            if self.recommendation is None:
                self.add_error("ordinal", gettext("第%(number)s号提案没有第%(n)s条建议。")
                               % {"number": proposal.number, "n": ordinal})
        return super().clean()

    def perform(self):
        data = self.cleaned_data
        return services.section_create(
            recommendation=self.recommendation, agency=data["agency"], adoption=data.get("adoption"),
            body=data.get("body", ""), actor=self.actor,
        )


class SectionForm(VersionedServiceForm):
    class Meta:
        model = Section
        fields = ("adoption", "body", "position")

    def perform(self):
        changes = {
            name: self.cleaned_data[name]
            for name in ("adoption", "body", "position")
            if name in self.changed_data
        }
        if not changes:
            return self.instance
        return services.section_update(
            section=self.instance, actor=self.actor,
            expected_version=self.cleaned_data.get("loaded_version"), **changes,
        )


@admin.register(Section)
class SectionAdmin(RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """办理意见: drafted by an agency officer, approved or returned by its approver."""

    member_edit = True
    liaison_view = True
    action_form = MoveActionForm
    list_display = ("proposal_number", "recommendation_display", "agency", "adoption", "state",
                    "position", "version", "updated_at")
    list_display_links = ("proposal_number", "recommendation_display")
    list_filter = ("state", "agency", "adoption", "recommendation__proposal__session")
    search_fields = ("recommendation__proposal__number", "recommendation__proposal__title",
                     "recommendation__title", "body")
    ordering = ("recommendation__proposal__number", "recommendation__ordinal", "position")
    list_select_related = ("recommendation__proposal", "agency", "adoption")
    actions = ("submit", "approve", "return_", "revise")

    @admin.display(description=_("提案号"), ordering="recommendation__proposal__number")
    def proposal_number(self, obj):
        return obj.recommendation.proposal.number

    @admin.display(description=_("建议"), ordering="recommendation__ordinal")
    def recommendation_display(self, obj):
        return obj.recommendation

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = SectionForm if obj is not None else SectionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("proposal", "ordinal", "agency", "adoption", "body")
        version = ("loaded_version",) if self.has_change_permission(request, obj) else ()
        return ("recommendation", "agency", "state", "adoption", "body", "position", *version,
                "version", "created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("recommendation", "agency", "state", "version", "created_by", "created_at",
                "updated_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "agency" and field is not None:
            _limit_agencies(request, field)
        if db_field.name == "adoption" and field is not None:
            field.queryset = AdoptionStatus.objects.filter(is_active=True)
        return field

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state != Section.State.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != Section.State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    submit = move_action(services.section_submit, "section", _("提交审核"))
    approve = move_action(services.section_approve, "section", _("审核通过"))
    return_ = move_action(services.section_return, "section", _("退回"),
                          _("退回修改（须填写理由）"), reason=True)
    revise = move_action(services.section_revise, "section", _("重新打开"),
                         _("重新修改已审核的意见（须填写理由）"), reason=True)


# ---------------------------------------------------------------- reply letters


class LetterAddForm(ServiceForm):
    class Meta:
        model = ReplyLetter
        fields = ("proposal", "agency")

    def perform(self):
        return services.letter_create(
            proposal=self.cleaned_data["proposal"], agency=self.cleaned_data["agency"],
            actor=self.actor,
        )


class LetterForm(VersionedServiceForm):
    """A draft letter's wording and class; the services refuse anything else."""

    cc = forms.CharField(
        label=_("抄送"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=CC_TEXT,
        help_text=_("用顿号“、”分隔，例如：市政协提案委、市政府办公室"),
    )

    class Meta:
        model = ReplyLetter
        fields = (*services.EDITABLE_LETTER_FIELDS, "klass", "class_reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "klass" in self.fields:
            self.fields["klass"] = forms.ChoiceField(
                label=_("分类"), choices=[("", "—"), *letter_class_choices()], required=False,
                help_text=_("与建议分类不同时须填写分类理由。"),
            )
        if self.instance.pk:
            self.initial["cc"] = "、".join(self.instance.cc or [])

    def clean_cc(self):
        text = self.cleaned_data.get("cc") or ""
        for separator in ("，", ",", "\n", "；", ";"):
            text = text.replace(separator, "、")
        return [name.strip(" 。") for name in text.split("、") if name.strip(" 。")]

    def perform(self):
        data = self.cleaned_data
        letter = self.instance
        wording = {
            name: data[name] for name in services.EDITABLE_LETTER_FIELDS if name in self.changed_data
        }
        if wording:
            letter = services.letter_update(
                letter=letter, actor=self.actor, expected_version=data.get("loaded_version"),
                **wording,
            )
        if {"klass", "class_reason"} & set(self.changed_data):
            letter = services.letter_set_class(
                letter=letter, klass=data.get("klass") or "", reason=data.get("class_reason", ""),
                actor=self.actor,
            )
        return letter


@admin.register(ReplyLetter)
class ReplyLetterAdmin(RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """答复函: drafts are edited here; from 送签 on the letter is read-only."""

    member_edit = True
    liaison_view = True
    office_view = True
    action_form = MoveActionForm
    list_display = ("display_number", "title", "proposal", "agency", "round", "state", "klass",
                    "signed_on", "issued_on")
    list_display_links = ("display_number", "title")
    list_filter = ("state", "klass", "agency", "doc_year", "disclosure", "round")
    search_fields = ("number", "title", "addressee", "proposal__number", "proposal__title")
    ordering = ("-created_at",)
    list_select_related = ("proposal", "agency")
    autocomplete_fields = ("proposal",)
    date_hierarchy = "signed_on"
    actions = ("submit", "return_", "sign", "issue", "void")

    READONLY = ("proposal", "agency", "round", "state", "number", "body_view", "signed_on",
                "issued_on", "signed_by", "signed_at", "void_reason", "version", "created_at",
                "updated_at", "cc_text")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = LetterForm if obj is not None else LetterAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("proposal", "agency"),
                            "description": _("新建后再填写答复函的各项内容。")})]
        editable = self.has_change_permission(request, obj)
        version = ("loaded_version",) if editable else ()
        return [
            (None, {"fields": ("proposal", "agency", "round", "state", "number", *version)}),
            (_("分类"), {"fields": ("klass", "class_reason")}),
            (_("正文"), {"fields": ("title", "addressee", "opening", "body_view", "closing",
                                   "signatory", "signed_on", "note", "disclosure")}),
            (_("版记"), {"fields": ("cc" if editable else "cc_text", "issued_by", "issued_on")}),
            (_("签发"), {"fields": ("signed_by", "signed_at", "void_reason", "version",
                                   "created_at", "updated_at")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.READONLY

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "agency" and field is not None:
            _limit_agencies(request, field)
        return field

    def has_change_permission(self, request, obj=None):
        # In review, signed, issued or voided: read-only. Only a draft's wording changes.
        if obj is not None and obj.state != ReplyLetter.State.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != ReplyLetter.State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("发文字号"), ordering="number")
    def display_number(self, obj):
        return obj.number or "—"

    @admin.display(description=_("抄送"))
    def cc_text(self, obj):
        return "、".join(obj.cc or []) or "—"

    @admin.display(description=_("正文各部分"))
    def body_view(self, obj):
        """The parts as stored at signing, or as they would be assembled now for a draft."""
        parts = obj.parts if obj.is_final else build_parts(obj)
        if not parts:
            return "—"
        return format_html_join(
            "", "<p><strong>{}</strong></p>{}",
            (
                (part["heading"],
                 format_html_join("", "<p>{}</p>", ((p,) for p in letter_paragraphs(part))))
                for part in parts
            ),
        )

    submit = move_action(services.letter_submit, "letter", _("送签"))
    return_ = move_action(services.letter_return, "letter", _("退回"),
                          _("退回修改（须填写理由）"), reason=True)
    sign = move_action(services.letter_sign, "letter", _("签发"),
                       _("签发（日期留空为今天）"), date="signed_on")
    issue = move_action(services.letter_issue, "letter", _("印发"),
                        _("印发（日期留空为今天）"), date="issued_on")
    void = move_action(services.letter_void, "letter", _("作废"),
                       _("作废（须填写理由）"), reason=True)


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """发文字号计数: moved only by signing (and imports); read-only here."""

    scoped = False  # the numbers used so far are no secret of anyone's
    liaison_view = True
    office_view = True
    list_display = ("prefix", "year", "last_serial")
    list_filter = ("year",)
    search_fields = ("prefix",)
    ordering = ("prefix", "-year")
    readonly_fields = ("prefix", "year", "last_serial")


@admin.register(PrintJob)
class PrintJobAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """批量打印任务: started on the printing page and built by a task; read-only here."""

    liaison_view = True
    office_view = True
    list_display = ("created_at", "session", "agency", "format", "seal", "state", "done", "total",
                    "requested_by")
    list_filter = ("state", "format", "session")
    search_fields = ("session__name", "agency__name", "agency__short_name", "requested_by__username")
    list_select_related = ("session", "agency", "requested_by")
    ordering = ("-created_at", "-id")
    fields = ("session", "agency", "format", "seal", "state", "done", "total", "file", "error",
              "requested_by", "created_at", "finished_at")
    readonly_fields = fields


@admin.register(LetterAttachment)
class LetterAttachmentAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """答复函附件: read-only here; the letter's agency adds and removes them on the letter's page."""

    member_view = True
    liaison_view = True
    office_view = True
    list_display = ("letter", "position", "title", "name", "kind", "size", "pages", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "name", "letter__number", "letter__proposal__number")
    ordering = ("-created_at", "-id")
    list_select_related = ("letter",)
    fields = ("letter", "position", "title", "file", "name", "kind", "content_type", "size", "pages", "sha256",
              "uploaded_by", "created_at")
    readonly_fields = fields
