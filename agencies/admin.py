"""Admin for agencies (承办单位) and their staff (经办人 / 签发人)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard
from core.roles import is_liaison

from .models import Agency, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_liaison(request.user)


@admin.register(Agency)
class AgencyAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "title_name", "doc_prefix", "letter_style",
                    "contact", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("letter_style", "is_active")
    search_fields = ("code", "name", "short_name", "title_name", "letterhead", "doc_prefix")
    ordering = ("code",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "is_active")}),
        (_("名称"), {"fields": ("name", "title_name", "short_name", "letterhead")}),
        (_("发文"), {"fields": ("doc_prefix", "letter_style", "seal", "contact")}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    list_display = ("user", "user_name", "agency", "role")
    list_filter = ("role", "agency")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name",
                     "agency__short_name")
    ordering = ("agency__code", "role", "user__username")
    list_select_related = ("user", "agency")
    autocomplete_fields = ("user", "agency")

    @admin.display(description=_("姓名"), ordering="user__first_name")
    def user_name(self, obj):
        return obj.user.get_full_name() or "—"

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_liaison(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_liaison(request.user)
