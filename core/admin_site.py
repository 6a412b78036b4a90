"""The admin site: Django's, signing in and changing passwords behind the login throttle, and
change forms that refuse a save over someone else's (:class:`ConcurrentEditGuard`).

Installed through :class:`core.apps.AdminConfig` in place of ``django.contrib.admin``, so
``django.contrib.admin.site`` is this site and every app registers with it as usual.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.concurrency import fingerprint, guarded_fields
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


LOADED_STATE = "_loaded_state"


class GuardedChangeForm:
    """A change form refused when the record changed after the page was loaded.

    The page carries a fingerprint of what the record held in the form's fields when it
    was loaded (``LOADED_STATE``, written by ``templates/admin/change_form.html``). Saving
    compares it, under the row's lock, with what the record holds now; when they differ the
    form is refused, naming each field whose saved value is not what this user typed, and
    carries the new fingerprint, so that saving once more overwrites knowingly.
    """

    def _guarded_names(self) -> list[str]:
        return list(self.fields)

    @property
    def loaded_state(self) -> str:
        if getattr(self, "_refused_state", None):
            return self._refused_state
        if self.is_bound:
            return self.data.get(LOADED_STATE, "")
        return fingerprint(self.instance, self._guarded_names())

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or not self.is_bound:
            return cleaned
        model = type(self.instance)
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return cleaned
        now = fingerprint(current, self._guarded_names())
        if self.data.get(LOADED_STATE) != now:
            self._refused_state = now
            raise ValidationError(self._conflict_message(current), code="concurrent_edit")
        return cleaned

    def _conflict_message(self, current) -> str:
        saved = []
        for field in guarded_fields(type(current), self._guarded_names()):
            if field.name not in self.fields:
                continue
            value = field.value_from_object(current)
            typed = self.cleaned_data.get(field.name, value)
            typed = getattr(typed, "pk", typed)
            if value != typed:
                shown = getattr(current, f"get_{field.name}_display", None)
                text = shown() if shown else formats.localize(getattr(current, field.name))
                saved.append(gettext("“%(field)s”现为：%(value)s") % {
                    "field": field.verbose_name, "value": text if text not in (None, "") else "—"})
        message = gettext("保存失败：在您编辑期间，%(what)s已被他人修改。") % {
            "what": current._meta.verbose_name}
        if saved:
            message += gettext("对方保存的内容：%(saved)s。") % {"saved": "；".join(str(s) for s in saved)}
        return message + gettext("您填写的内容仍在下面；核对后再次保存将以您填写的为准。")


class ConcurrentEditGuard:
    """ModelAdmin mixin: the change form is a :class:`GuardedChangeForm`."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        return type(form.__name__, (GuardedChangeForm, form), {})
