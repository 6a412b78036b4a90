"""Admin for notifications: read-only, for answering "did they get told?"."""

from django.contrib import admin

from core.admin_tools import NoBulkDeleteMixin, ReadOnlyMixin, RoleAccessMixin

from .models import Notification, SmsMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "text", "recipient__username", "recipient__first_name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    readonly_fields = ("recipient", "kind", "title", "text", "link", "proposal", "created_at",
                       "read_at", "emailed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """短信记录: what was sent to whom, and what failed or was over the day's cap."""

    liaison_view = True
    scoped = False
    list_display = ("created_at", "mobile", "purpose", "state", "backend", "error")
    list_filter = ("state", "purpose", "backend")
    search_fields = ("mobile", "text", "error")
    date_hierarchy = "created_at"
    fields = ("created_at", "recipient", "mobile", "purpose", "text", "state", "backend", "provider_id", "error")
    readonly_fields = fields
    ordering = ("-created_at",)
