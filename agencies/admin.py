"""Admin for agencies (承办单位) and their staff (经办人 / 签发人)."""

import datetime
import os

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard
from core.roles import is_liaison

from .certificates import (
    EXPIRY_WARNING_DAYS,
    PKCS12_MAX_BYTES,
    CertificateError,
    describe,
    encrypt_password,
    read_pkcs12,
)
from .models import Agency, Membership, SigningCertificate


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
        (_("发文"), {"fields": ("doc_prefix", "letter_style", "printing", "seal", "contact")}),
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


class SigningCertificateForm(forms.ModelForm):
    """Upload a PKCS#12 file; its password is either typed here (kept encrypted) or named as
    an environment variable (not kept at all). The file is read before it is saved."""

    upload = forms.FileField(
        label=_("证书文件（PKCS#12：.p12 / .pfx）"), required=False,
        help_text=_("更换证书时上传新文件；不上传则保留现有证书。"),
    )
    password = forms.CharField(
        label=_("证书密码"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("加密后保存，不会以明文保存或显示。填写了“证书密码环境变量”时不要填写。"),
    )

    class Meta:
        model = SigningCertificate
        fields = ("agency", "password_env")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["upload"].help_text = ""

    def clean_agency(self):
        agency = self.cleaned_data["agency"]
        taken = SigningCertificate.objects.filter(agency=agency).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(
                _("%(agency)s 已有签名证书。要更换，请在签名证书列表中打开它，上传新的证书文件。")
                % {"agency": agency.name})
        return agency

    def clean(self):
        cleaned = super().clean()
        upload, password, env_name = cleaned.get("upload"), cleaned.get("password") or "", cleaned.get("password_env")
        if self.errors:
            return cleaned
        if password and env_name:
            raise forms.ValidationError(_("证书密码和密码环境变量只填一项。"))
        if upload is None:
            if not self.instance.pk:
                raise forms.ValidationError(_("请上传证书文件（PKCS#12，扩展名 .p12 或 .pfx）。"))
            if not password and not env_name and self.instance.password_env and not self.instance.password_encrypted:
                raise forms.ValidationError(_("请填写证书密码或密码环境变量。"))
            data = bytes(self.instance.pkcs12)
            if not password and not env_name:
                return cleaned  # nothing about the certificate changes
        else:
            if upload.size > PKCS12_MAX_BYTES:
                raise forms.ValidationError(_("证书文件过大（最大64KB），请确认上传的是 PKCS#12 证书文件。"))
            data = upload.read()
        if env_name:
            if env_name not in os.environ:
                raise forms.ValidationError(
                    _("环境变量 %(name)s 在本服务器上没有设置，无法读取证书密码。") % {"name": env_name})
            password = os.environ[env_name]
        try:
            identity = read_pkcs12(data, password)
        except CertificateError as error:
            self.add_error("upload" if upload is not None else "password", error.message)
            return cleaned
        facts = describe(identity)
        if facts["not_after"] <= timezone.now():
            raise forms.ValidationError(_("这张证书已于%(date)s过期，不能用于签名。") % {
                "date": timezone.localtime(facts["not_after"]).date()})
        self._certificate = (data, "" if env_name else password, facts)
        return cleaned

    def save(self, commit=True):
        certificate = super().save(commit=False)
        if getattr(self, "_certificate", None):
            data, password, facts = self._certificate
            certificate.pkcs12 = data
            certificate.password_encrypted = encrypt_password(password) if password else ""
            for name, value in facts.items():
                setattr(certificate, name, value)
        if commit:
            certificate.save()
        return certificate


@admin.register(SigningCertificate)
class SigningCertificateAdmin(ConcurrentEditGuard, admin.ModelAdmin):
    form = SigningCertificateForm
    list_display = ("agency", "subject", "issuer", "not_after", "expiry")
    list_select_related = ("agency",)
    search_fields = ("agency__name", "subject")
    ordering = ("not_after",)
    readonly_fields = ("subject", "issuer", "serial", "fingerprint", "not_before", "not_after", "uploaded_at")
    fields = ("agency", "upload", "password", "password_env", *readonly_fields)

    @admin.display(description=_("状态"))
    def expiry(self, obj):
        days = obj.days_left
        if days < 0:
            return _("已过期")
        if obj.expires_soon:
            return _("%(days)d天后到期，请更换") % {"days": days}
        return _("有效")

    def changelist_view(self, request, extra_context=None):
        soon = SigningCertificate.objects.filter(
            not_after__lt=timezone.now() + datetime.timedelta(days=EXPIRY_WARNING_DAYS))
        for certificate in soon.select_related("agency"):
            messages.warning(request, _("%(agency)s 的签名证书将于%(date)s到期（或已过期），请及时更换。") % {
                "agency": certificate.agency.name, "date": timezone.localtime(certificate.not_after).date()})
        return super().changelist_view(request, extra_context)
