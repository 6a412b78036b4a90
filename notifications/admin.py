"""Admin for notifications: read-only, for answering "did they get told?"."""

from django.contrib import admin

from .models import Notification


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
