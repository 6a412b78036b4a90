"""Admin of proposals and their parts (proposers, recommendations): added through
``services.proposal_create``, edited while the proposal may change, moved by admin actions
that call the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard
from core.admin_tools import (
    MoveActionForm,
    NoBulkDeleteMixin,
    ReadOnlyInlineMixin,
    RoleAccessMixin,
    adopt,
    move_action,
    refusal_message,
    trial_run,
)
from core.roles import is_liaison
from history.admin import HistoryInline
from history.models import StateChange
from replies.models import Section

from .. import services
from ..models import (
    Assignment,
    Feedback,
    Proposal,
    Recommendation,
    Signature,
)


def can_edit_content(proposal: Proposal | None) -> bool:
    """A proposal's text, proposers and recommendations change only before assignment."""
    return proposal is None or proposal.can("edit")


# ---------------------------------------------------------------- proposal page


class SignatureFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if roles.count(Signature.Role.LEAD) != 1:
            raise ValidationError(gettext("一件提案须有且只有一位领衔提案者。"))


class ContentInlineMixin:
    """Signatures and recommendations: edited on the proposal page until it is assigned."""

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return super().has_view_permission(request, obj) or bool(
            parent and parent.has_view_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_delete_permission(request, obj)


class SignatureInline(ContentInlineMixin, admin.TabularInline):
    model = Signature
    formset = SignatureFormSet
    fields = ("proposer", "role", "position")
    autocomplete_fields = ("proposer",)
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposer")


class RecommendationInline(ContentInlineMixin, admin.StackedInline):
    model = Recommendation
    fields = ("ordinal", "title", "body")
    show_change_link = True
    extra = 0
    formfield_overrides = {
        Recommendation._meta.get_field("body").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}
    }

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class AssignmentFormSet(BaseInlineFormSet):
    """New rows on a registered proposal are one 交办, made by ``proposal_assign``."""

    actor = None

    def assignment_items(self) -> list[dict]:
        return [
            {key: form.cleaned_data[key] for key in ("agency", "role", "assigned_on", "due_on")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.instance.pk is None
        ]

    def assign(self):
        return services.proposal_assign(
            proposal=self.instance, assignments=self.assignment_items(), actor=self.actor
        )

    def clean(self):
        super().clean()
        if any(self.errors) or not self.assignment_items():
            return
        error = trial_run(self.assign)
        if error is not None:
            raise ValidationError(refusal_message(error))


class AssignmentInline(admin.TabularInline):
    """交办: filled in once, on a registered proposal; afterwards see 交办 in the menu."""

    model = Assignment
    formset = AssignmentFormSet
    fields = ("agency", "role", "assigned_on", "due_on")
    autocomplete_fields = ("agency",)
    can_delete = False
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if self.has_add_permission(request, obj) else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return super().has_view_permission(request, obj) or bool(
            parent and parent.has_view_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None and obj.state == Proposal.State.REGISTERED
            and is_liaison(request.user) and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FeedbackInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Feedback
    fields = ("round", "received_on", "handling", "result", "comment", "recorded_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


# Fields saved by the proposal form; the state and round only move through the services.
PROPOSAL_FORM_FIELDS = ("session", "number", "title", "category", "submitted_on", "is_key", "body")
PROPOSAL_CONTENT_FIELDS = ("title", "submitted_on", "body")


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = PROPOSAL_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "number" in self.fields:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("留空则由系统按届次自动编号。")


@admin.register(Proposal)
class ProposalAdmin(ConcurrentEditGuard, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    form = ProposalForm
    action_form = MoveActionForm
    member_view = True
    office_view = True

    list_display = ("number", "title", "lead", "session", "category", "state", "is_key", "round",
                    "submitted_on")
    list_display_links = ("number", "title")
    list_filter = ("session", "state", "is_key", "category", "assignments__agency")
    search_fields = ("number", "title", "body", "proposers__name")
    ordering = ("-session__year", "number")
    list_select_related = ("session", "category")
    date_hierarchy = "submitted_on"
    fields = (*PROPOSAL_FORM_FIELDS, "state", "round", "created_at", "updated_at")
    actions = ("register", "convert", "withdraw", "close", "reopen")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("proposer"))
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["state", "round", "created_at", "updated_at"]
        if obj is not None:
            readonly += ["session", "number"]
            if not can_edit_content(obj):
                readonly += PROPOSAL_CONTENT_FIELDS
        return readonly

    def get_inlines(self, request, obj):
        if obj is None:
            return [SignatureInline, RecommendationInline]
        return [SignatureInline, RecommendationInline, AssignmentInline, FeedbackInline,
                HistoryInline]

    def has_delete_permission(self, request, obj=None):
        # Only a proposal logged in error, before review, may be deleted.
        if obj is not None and obj.state != Proposal.State.SUBMITTED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("领衔提案者"))
    def lead(self, obj):
        return obj.lead_proposer or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            return  # created with its proposers and recommendations in save_related
        changed = [name for name in form.changed_data if name in PROPOSAL_FORM_FIELDS]
        if changed:
            obj.version += 1
            obj.save(update_fields=[*changed, "version", "updated_at"])

    def _create(self, request, form, formsets):
        """A proposal added here is logged by ``services.proposal_create``, as on the
        site: numbered, with its history line, its answer facts and its search entries."""
        def rows(model):
            formset = next(f for f in formsets if f.model is model)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return [f.cleaned_data for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")]

        signatures = sorted(rows(Signature), key=lambda row: row.get("position") or 0)
        recommendations = sorted(rows(Recommendation), key=lambda row: row.get("ordinal") or 0)
        obj = form.instance
        created = services.proposal_create(
            session=obj.session, number=obj.number, title=obj.title, category=obj.category,
            body=obj.body, submitted_on=obj.submitted_on, is_key=obj.is_key, actor=request.user,
            proposers=[{"name": row["proposer"].name, "kind": row["proposer"].kind, "role": row["role"]}
                       for row in signatures],
            recommendations=[{"title": row["title"], "body": row.get("body", "")}
                             for row in recommendations],
        )
        adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, AssignmentFormSet):
            if formset.assignment_items():
                formset.assign()
            formset.new_objects = list(form.instance.assignments.all())
            formset.changed_objects, formset.deleted_objects = [], []
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            self._create(request, form, formsets)
            return
        super().save_related(request, form, formsets, change)
        inlines = sorted(
            formset.model._meta.model_name for formset in formsets
            if not isinstance(formset, AssignmentFormSet) and formset.has_changed()
        )
        fields = sorted(name for name in form.changed_data if name in PROPOSAL_FORM_FIELDS)
        if inlines and not fields:
            # The proposers or recommendations changed: a page loaded before is out of date.
            Proposal.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)
        if fields or inlines:
            StateChange.record(form.instance, action="update", actor=request.user,
                               data={"fields": fields, "inlines": inlines})

    # ---- moves

    register = move_action(services.proposal_register, "proposal", _("立案"), reason=True)
    convert = move_action(services.proposal_convert, "proposal", _("转为意见建议"),
                          _("转为意见建议（须填写理由）"), reason=True)
    withdraw = move_action(services.proposal_withdraw, "proposal", _("撤案"),
                           _("撤案（须填写理由）"), reason=True)
    close = move_action(services.proposal_close, "proposal", _("办结"), reason=True)
    reopen = move_action(services.proposal_reopen, "proposal", _("重新办理"), reason=True)


# ---------------------------------------------------------------- parts of a proposal


class ProposalPartForm(forms.ModelForm):
    """A signature or recommendation added on its own page: only while the proposal is editable."""

    def clean(self):
        cleaned = super().clean()
        proposal = cleaned.get("proposal") or getattr(self.instance, "proposal", None)
        if proposal is not None and not can_edit_content(proposal):
            raise ValidationError(proposal.refusal("edit"))
        return cleaned


class ProposalPartAdmin(ConcurrentEditGuard, RoleAccessMixin, admin.ModelAdmin):
    form = ProposalPartForm
    visible_through = "proposal"
    member_view = True
    autocomplete_fields = ("proposal",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("proposal",)
        return ()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_edit_content(obj.proposal):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_edit_content(obj.proposal):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        StateChange.record(obj.proposal, action="update", actor=request.user,
                           data={"inlines": [obj._meta.model_name]})


@admin.register(Signature)
class SignatureAdmin(ProposalPartAdmin):
    list_display = ("proposal", "proposer", "role", "position")
    list_filter = ("role", "proposer__kind", "proposal__session")
    search_fields = ("proposer__name", "proposal__number", "proposal__title")
    ordering = ("proposal__number", "position")
    list_select_related = ("proposal", "proposer")
    autocomplete_fields = ("proposal", "proposer")


class SectionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Section
    scoped = True
    fields = ("agency", "position", "adoption", "state", "body")
    readonly_fields = fields
    show_change_link = True
    ordering = ("position", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "adoption")


@admin.register(Recommendation)
class RecommendationAdmin(ProposalPartAdmin):
    list_display = ("proposal", "ordinal", "title")
    list_display_links = ("ordinal", "title")
    list_filter = ("proposal__session", "proposal__state")
    search_fields = ("title", "body", "proposal__number", "proposal__title")
    ordering = ("proposal__number", "ordinal")
    list_select_related = ("proposal",)
    inlines = (SectionInline,)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.sections.exists():
            return False
        return super().has_delete_permission(request, obj)
