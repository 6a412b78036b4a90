"""Admin of the handling: assignments (交办), feedback and extension requests, each change
through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard
from core.admin_tools import (
    NoBulkDeleteMixin,
    ReadOnlyMixin,
    RoleAccessMixin,
    ServiceAdminMixin,
    ServiceForm,
)

from .. import refusals, services
from ..models import (
    Assignment,
    Contact,
    ExtensionRequest,
    Feedback,
    ProposalAttachment,
    ReleaseRequest,
)

# ---------------------------------------------------------------- assignments


class AssignmentAddForm(ServiceForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=refusals.REASON_FOR_ADDED_AGENCY)

    class Meta:
        model = Assignment
        fields = ("proposal", "agency", "role", "assigned_on", "due_on")

    def perform(self):
        data = self.cleaned_data
        return services.assignment_add(
            proposal=data["proposal"], agency=data["agency"], role=data["role"],
            assigned_on=data["assigned_on"], due_on=data["due_on"], reason=data["reason"],
            actor=self.actor,
        )


class AssignmentDueForm(ServiceForm):
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, help_text=_("修改办理期限时必填，记入办理记录。"))

    class Meta:
        model = Assignment
        fields = ("due_on",)

    def perform(self):
        if "due_on" not in self.changed_data:
            return self.instance
        return services.assignment_change_due(
            assignment=self.instance, due_on=self.cleaned_data["due_on"],
            reason=self.cleaned_data.get("reason", ""), actor=self.actor,
        )


@admin.register(Assignment)
class AssignmentAdmin(ConcurrentEditGuard, RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin,
                      admin.ModelAdmin):
    """交办: a further agency is added here, and due dates are changed with a reason.

    The first assignment of a registered proposal is made on the proposal's page.
    """

    visible_through = "proposal"
    member_view = True
    list_display = ("proposal", "agency", "role", "assigned_on", "due_on")
    list_filter = ("role", "agency", "proposal__session", "proposal__state", "due_on")
    search_fields = ("proposal__number", "proposal__title", "agency__name", "agency__short_name")
    ordering = ("due_on", "proposal__number")
    list_select_related = ("proposal", "agency")
    autocomplete_fields = ("proposal", "agency")
    date_hierarchy = "due_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AssignmentDueForm if obj is not None else AssignmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("proposal", "agency", "role", "assigned_on", "due_on", "reason")
        reason = ("reason",) if self.has_change_permission(request, obj) else ()
        return ("proposal", "agency", "role", "assigned_on", "due_on", *reason, "created_at",
                "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("proposal", "agency", "role", "assigned_on", "created_at", "updated_at")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.proposal.can("change_due"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- feedback and history


class FeedbackForm(ServiceForm):
    class Meta:
        model = Feedback
        fields = ("proposal", "received_on", "handling", "result", "comment")

    def perform(self):
        data = self.cleaned_data
        return services.feedback_record(
            proposal=data["proposal"], handling=data["handling"], result=data["result"],
            received_on=data["received_on"], comment=data.get("comment", ""), actor=self.actor,
        )


@admin.register(Feedback)
class FeedbackAdmin(RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """征询意见表: recorded once through the service, then kept as it was."""

    form = FeedbackForm
    visible_through = "proposal"
    member_view = True
    list_display = ("proposal", "round", "received_on", "handling", "result", "recorded_by")
    list_filter = ("handling", "result", "round", "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "comment")
    ordering = ("-received_on", "-id")
    list_select_related = ("proposal", "recorded_by")
    autocomplete_fields = ("proposal",)
    readonly_fields = ("round", "recorded_by", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("proposal", "received_on", "handling", "result", "comment")
        return ("proposal", "round", "received_on", "handling", "result", "comment",
                "recorded_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """延期申请: read-only here; agencies ask and liaison staff decide on the site's pages."""

    member_view = True
    liaison_view = True
    list_display = ("created_at", "assignment", "current_due_on", "requested_due_on", "state",
                    "decided_by")
    list_filter = ("state", "assignment__agency", "assignment__proposal__session")
    search_fields = ("assignment__proposal__number", "assignment__proposal__title", "reason")
    ordering = ("-created_at", "-id")
    list_select_related = ("assignment__proposal", "assignment__agency", "decided_by")
    fields = ("assignment", "state", "current_due_on", "requested_due_on", "approved_due_on",
              "reason", "requested_by", "created_at", "decided_by", "decided_at", "decision_note")
    readonly_fields = fields


@admin.register(ReleaseRequest)
class ReleaseRequestAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """退办申请: read-only here; agencies ask and liaison staff decide on the site's pages."""

    member_view = True
    liaison_view = True
    list_display = ("created_at", "proposal", "agency", "role", "suggested_agency", "state",
                    "reassigned_to", "decided_by")
    list_filter = ("state", "agency", "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "reason")
    ordering = ("-created_at", "-id")
    list_select_related = ("proposal", "agency", "suggested_agency", "reassigned_to", "decided_by")
    fields = ("proposal", "agency", "role", "assigned_on", "state", "reason", "suggested_agency",
              "requested_by", "created_at", "decided_by", "decided_at", "decision_note", "reassigned_to")
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """沟通记录: read-only here; agencies record them on their handling page."""

    member_view = True
    liaison_view = True
    list_display = ("contacted_on", "proposal", "agency", "way", "participants", "round")
    list_filter = ("way", "agency", "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "participants", "note")
    ordering = ("-contacted_on", "-id")
    list_select_related = ("proposal", "agency")
    fields = ("proposal", "agency", "round", "contacted_on", "way", "participants", "note",
              "recorded_by", "created_at")
    readonly_fields = fields


@admin.register(ProposalAttachment)
class ProposalAttachmentAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """提案附件: read-only here; liaison staff add and remove them on the proposal's page."""

    member_view = True
    liaison_view = True
    list_display = ("proposal", "name", "kind", "size", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "proposal__number", "proposal__title")
    ordering = ("-created_at", "-id")
    list_select_related = ("proposal",)
    fields = ("proposal", "file", "name", "kind", "content_type", "size", "sha256", "uploaded_by", "created_at")
    readonly_fields = fields
