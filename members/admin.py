"""Admin for the proposer side: read-only. Liaison staff open and disable accounts on the
site's page (提案者账号), and proposers write their proposals on their own pages."""

from django.contrib import admin

from core.admin_tools import NoBulkDeleteMixin, ReadOnlyMixin, RoleAccessMixin

from .models import DraftAttachment, Invitation, OnlineProposal, ProposerAccount


class _LiaisonReadOnly(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    liaison_view = True
    scoped = False  # the proposer side's records: liaison staff and administrators only


@admin.register(ProposerAccount)
class ProposerAccountAdmin(_LiaisonReadOnly):
    list_display = ("proposer", "user", "sector", "mobile", "created_at")
    list_filter = ("proposer__kind",)
    search_fields = ("proposer__name", "user__username", "sector", "mobile")
    list_select_related = ("proposer", "user")
    fields = ("user", "proposer", "sector", "mobile", "created_at")
    readonly_fields = fields
    ordering = ("proposer__name",)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("proposer", "state", "answered_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OnlineProposal)
class OnlineProposalAdmin(_LiaisonReadOnly):
    list_display = ("title", "lead", "session", "state", "cosign_deadline", "updated_at")
    list_filter = ("state", "session")
    search_fields = ("title", "lead__name")
    list_select_related = ("lead", "session")
    fields = ("session", "lead", "title", "category", "body", "recommendations", "cosign_deadline", "state",
              "proposal", "created_by", "submitted_at", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [InvitationInline]
    ordering = ("-updated_at",)


@admin.register(Invitation)
class InvitationAdmin(_LiaisonReadOnly):
    list_display = ("online", "proposer", "state", "answered_at")
    list_filter = ("state",)
    search_fields = ("online__title", "proposer__name")
    list_select_related = ("online", "proposer")
    fields = ("online", "proposer", "state", "answered_by", "answered_at", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)


@admin.register(DraftAttachment)
class DraftAttachmentAdmin(_LiaisonReadOnly):
    list_display = ("online", "name", "kind", "size", "created_at")
    search_fields = ("name", "online__title")
    list_select_related = ("online",)
    fields = ("online", "file", "name", "kind", "content_type", "size", "sha256", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)
