"""Admin of the vocabularies: sessions (届次会议), categories and proposers."""

from __future__ import annotations

from django.contrib import admin

from core.admin_site import ConcurrentEditGuard

from ..models import (
    Category,
    Proposer,
    Session,
)

# ---------------------------------------------------------------- vocabularies


@admin.register(Session)
class SessionAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    list_display = ("name", "code", "committee", "term", "meeting", "year", "last_serial")
    list_filter = ("year", "committee")
    search_fields = ("name", "code", "committee")
    ordering = ("-year", "-term", "-meeting")
    readonly_fields = ("last_serial", "created_at")


@admin.register(Category)
class CategoryAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("position", "name")


@admin.register(Proposer)
class ProposerAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    list_display = ("name", "kind", "contact")
    list_filter = ("kind",)
    search_fields = ("name", "contact")
    ordering = ("kind", "name")
