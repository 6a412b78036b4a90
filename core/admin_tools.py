"""What every app's admin shares: service-backed forms and actions, trial runs that turn
a service's refusal into a form error, and the mixins that scope the admin's rows by the
site's own ``visible_to`` rules."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import agency_ids, is_liaison, is_office
from .workflow import DomainError

# ---------------------------------------------------------------- shared helpers

REFUSALS = (DomainError, PermissionDenied)


def refusal_message(error: Exception) -> str:
    """The user-facing text of a refusal from a service."""
    if isinstance(error, DomainError):
        return error.message
    return str(error) or gettext("您没有权限进行此操作。")


class _Rollback(Exception):
    """Raised to undo a trial run of a service."""


def trial_run(call) -> Exception | None:
    """Run ``call`` in a savepoint that is always rolled back; return its refusal, if any.

    Forms use this in ``clean()`` so that everything a service would refuse shows up
    as a form error, before the admin saves anything for real.
    """
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return None
    except REFUSALS as error:
        return error


def adopt(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` stand for ``saved``, the row a service wrote."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceForm(forms.ModelForm):
    """A model form whose save is one service call, tried out during validation.

    Subclasses implement ``perform()``: call the service with ``self.actor`` and the
    cleaned data, and return the saved object.
    """

    actor = None

    def perform(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            error = trial_run(self.perform)
            if error is not None:
                field = getattr(error, "field", None)
                self.add_error(field if field in self.fields else None, refusal_message(error))
        return cleaned


class VersionedServiceForm(ServiceForm):
    """A service form that remembers the version it was loaded at, to refuse stale saves."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.version


class ServiceAdminMixin:
    """Saves through ``form.perform()`` and hands the form the acting user."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        adopt(obj, form.perform())


class MoveActionForm(helpers.ActionForm):
    """The action bar, with the reason and the date some moves need."""

    reason = forms.CharField(
        label=_("理由"), required=False,
        widget=forms.TextInput(attrs={"size": 24, "placeholder": _("退回、撤案等须填写")}),
    )
    on_date = forms.CharField(
        label=_("日期"), required=False,
        widget=forms.TextInput(attrs={"size": 10, "placeholder": "2023-07-07"}),
    )


def action_reason(request) -> str:
    return (request.POST.get("reason") or "").strip()


def action_date(request):
    """The date typed in the action bar, None when empty; DomainError when unreadable."""
    raw = (request.POST.get("on_date") or "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise DomainError(gettext("日期“%(raw)s”格式不对，应为 2023-07-07 这样的格式。") % {"raw": raw})
    return value


def run_move(modeladmin, request, queryset, move, done_label) -> None:
    """Apply ``move(obj)`` to each selected object; report each refusal, never crash."""
    done = 0
    for obj in queryset:
        try:
            move(obj)
        except REFUSALS as error:
            modeladmin.message_user(
                request, gettext("%(obj)s：%(error)s") % {"obj": obj, "error": refusal_message(error)},
                messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, gettext("已%(label)s %(n)s 项。") % {"label": done_label, "n": done},
            messages.SUCCESS,
        )


def move_action(service, subject: str, label, description=None, *, reason=False, date=None):
    """An admin action that applies a workflow service to each selected object.

    ``subject`` is the service's keyword for the object (``proposal``, ``section``,
    ``letter``); ``reason`` passes the action bar's reason, ``date`` names the
    keyword that takes its date (today when left empty).
    """

    def action(modeladmin, request, queryset):
        def move(obj):
            kwargs = {subject: obj, "actor": request.user}
            if reason:
                kwargs["reason"] = action_reason(request)
            if date:
                kwargs[date] = action_date(request) or timezone.localdate()
            return service(**kwargs)

        run_move(modeladmin, request, queryset, move, str(label))

    return admin.action(description=description or label)(action)


def sees_everything(user) -> bool:
    return user.is_superuser or is_liaison(user) or is_office(user)


def is_agency_staff(user) -> bool:
    return user.is_active and user.is_staff and bool(agency_ids(user))


def visible_rows(queryset, user, through: str | None = None):
    """The rows of ``queryset`` that ``user`` may read, by the same rule as the site's pages.

    The model's own ``visible_to`` (``Proposal``, ``Section``, ``ReplyLetter``, …), or with
    ``through`` the lookup to a model that has one: an assignment is read by whoever may
    read its proposal (``through="proposal"``).
    """
    if through is None:
        return queryset.visible_to(user)
    model = queryset.model
    for name in through.split("__"):
        model = model._meta.get_field(name).related_model
    return queryset.filter(**{f"{through}__in": model._default_manager.visible_to(user).values("pk")})


class RoleAccessMixin:
    """Model permissions, plus what the product's roles imply; rows as the site shows them.

    Agency staff hold no model permissions: their role in an agency lets them into the
    models marked ``member_view`` or ``member_edit`` (writing through the services, which
    check the rest). Liaison and office staff may be given sight of models their group has
    no permission on. Whoever gets in reads only the rows the site lets them read
    (:func:`visible_rows`, through ``visible_through``; ``scoped = False`` for records
    with no such rule, such as the document counters), whatever their model permissions.
    """

    scoped = True
    visible_through: str | None = None
    member_view = False
    member_edit = False
    liaison_view = False
    office_view = False

    def _role_view(self, request) -> bool:
        user = request.user
        return (
            ((self.member_view or self.member_edit) and is_agency_staff(user))
            or (self.liaison_view and user.is_staff and is_liaison(user))
            or (self.office_view and user.is_staff and is_office(user))
        )

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._role_view(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._role_view(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) or (
            self.member_edit and is_agency_staff(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or (
            self.member_edit and is_agency_staff(request.user)
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.scoped:
            return queryset
        return visible_rows(queryset, request.user, self.visible_through)


class ReadOnlyInlineMixin:
    """An inline shown to whoever may see the parent, never edited in place; of its rows,
    those the user may read (``scoped``: by the model's ``visible_to``, as on the site)."""

    extra = 0
    can_delete = False
    scoped = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(request.user) if self.scoped else queryset

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return super().has_view_permission(request, obj) or bool(
            parent and parent.has_view_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    """Records the admin only shows: they are written on the site's pages, through the
    services, and never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoBulkDeleteMixin:
    """Workflow records are not deleted in bulk: the per-object rules would be skipped."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
