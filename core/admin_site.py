"""The admin site: Django's, signing in and changing passwords behind the login throttle, and
change forms that refuse a save over someone else's (:class:`ConcurrentEditGuard`).

Installed through :class:`core.apps.AdminConfig` in place of ``django.contrib.admin``, so
``django.contrib.admin.site`` is this site and every app registers with it as usual.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import actions
from core.concurrency import fingerprint, guarded_fields
from core.login import ThrottledAdminAuthenticationForm, ThrottledAdminPasswordChangeForm


def _is_key(field, value) -> bool:
    """Whether ``value`` can be a value of the key ``field`` (an id in the database's range)."""
    try:
        python = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(python, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return True


class SafeAutocompleteMixin:
    """Django's autocomplete widget, showing a form sent back with a value that is no id
    (only a forged request sends one: 'abc', 10**30) without a server error: such a value
    simply matches no option, and the form says the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [v for v in value if v in ("", None) or _is_key(key, v)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, widgets.AutocompleteSelectMultiple):
    pass


SAFE_WIDGETS = {widgets.AutocompleteSelect: SafeAutocompleteSelect,
                widgets.AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple}


class SafeFormfieldsMixin:
    """Every model admin and inline of the site: autocomplete fields use the safe widgets, and
    a list asked for a year no calendar has (``?due_on__year=10**30``) is told its filter is
    invalid, as Django tells it of any other impossible date (its own check stops at
    ValueError; such a year overflows)."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def _safe(self, field):
        if field is not None and type(field.widget) in SAFE_WIDGETS:
            field.widget.__class__ = SAFE_WIDGETS[type(field.widget)]
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._safe(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._safe(super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, SafeFormfieldsMixin):
                inline.__class__ = _safe_class(type(inline))
        return inlines


@functools.cache
def _safe_class(inline_class):
    return type(inline_class.__name__, (SafeFormfieldsMixin, inline_class),
                {"__module__": inline_class.__module__})


class AutocompleteView(AutocompleteJsonView):
    """Django's autocomplete, refusing (403) a field that is no forward relation — a reverse
    one such as a group's users has no choices to limit, and used to answer 500."""

    def process_request(self, request):
        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, FieldDoesNotExist, ValueError):
            raise PermissionDenied from None
        if not field.is_relation or field.auto_created:
            raise PermissionDenied
        return super().process_request(request)


class AdminSite(admin.AdminSite):
    site_header = _("政协提案办理系统")
    site_title = _("政协提案办理系统")
    index_title = _("管理")
    login_form = ThrottledAdminAuthenticationForm

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin registered here gets :class:`SafeFormfieldsMixin`."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeFormfieldsMixin):
            admin_class = type(admin_class.__name__, (SafeFormfieldsMixin, admin_class),
                               {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        """Every admin page that writes (a POST) runs as one action (:mod:`core.actions`):
        what its saves touch is brought up to date as when a service writes."""
        protected = super().admin_view(view, cacheable)

        @functools.wraps(protected)
        def run(request, *args, **kwargs):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return protected(request, *args, **kwargs)
            return actions.action(protected)(request, *args, **kwargs)

        return run

    def autocomplete_view(self, request):
        return AutocompleteView.as_view(admin_site=self)(request)

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
