"""Admin of the history: read-only, each row as far as its reader may see it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_tools import NoBulkDeleteMixin, ReadOnlyInlineMixin, ReadOnlyMixin, RoleAccessMixin

from .models import StateChange


class HistoryInline(ReadOnlyInlineMixin, admin.TabularInline):
    """办理记录: every move on the proposal, its sections and letters; read-only."""

    model = StateChange
    scoped = True
    verbose_name = _("办理记录")
    verbose_name_plural = _("办理记录")
    fields = ("at", "subject", "action_name", "states", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "content_type")

    @admin.display(description=_("对象"))
    def subject(self, obj):
        return f"{obj.subject_label} #{obj.object_id}"

    @admin.display(description=_("操作"))
    def action_name(self, obj):
        return obj.action_label

    @admin.display(description=_("状态变化"))
    def states(self, obj):
        if not obj.source and not obj.target:
            return "—"
        return f"{obj.source_label or '—'} → {obj.target_label or '—'}"


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyMixin, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """办理记录: read-only."""

    member_view = True
    list_display = ("at", "proposal", "subject", "action_name", "states", "actor", "reason")
    list_filter = ("action", "content_type", "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "actor__username", "reason", "action")
    ordering = ("-at", "-id")
    list_select_related = ("proposal", "actor", "content_type")
    date_hierarchy = "at"
    fields = ("at", "proposal", "content_type", "object_id", "action", "source", "target",
              "actor", "reason", "data")
    readonly_fields = fields

    subject = HistoryInline.subject
    action_name = HistoryInline.action_name
    states = HistoryInline.states
