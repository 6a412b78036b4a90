"""The admin site: Django's, signing in and changing passwords behind the login throttle.

Installed through :class:`core.apps.AdminConfig` in place of ``django.contrib.admin``, so
``django.contrib.admin.site`` is this site and every app registers with it as usual.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.login import ThrottledAdminAuthenticationForm, ThrottledAdminPasswordChangeForm


class AdminSite(admin.AdminSite):
    site_header = _("政协提案办理系统")
    site_title = _("政协提案办理系统")
    index_title = _("管理")
    login_form = ThrottledAdminAuthenticationForm

    def password_change(self, request, extra_context=None):
        """Django's page, with the old password checked against the login throttle."""
        request.current_app = self.name
        view = PasswordChangeView.as_view(
            form_class=ThrottledAdminPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template}
               if self.password_change_template is not None else {}),
        )
        return view(request)
