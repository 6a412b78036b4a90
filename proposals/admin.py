"""Admin for sessions, proposals and everything logged with them.

The admin never moves a proposal by saving it: ``state``, ``round`` and the history
are read-only, and the moves (立案, 转为意见建议, 撤案, 办结, 重新办理) are admin
actions that call :mod:`proposals.services` with the signed-in user as actor.
Assigning (交办) a registered proposal, adding an agency, changing a due date and
recording feedback also go through the services. The helpers at the top are shared
with the other apps' admins.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_site import ConcurrentEditGuard
from core.roles import agency_ids, is_liaison, is_office
from core.workflow import DomainError
from history.models import StateChange
from replies.models import Section

from . import services
from .models import (
    Assignment,
    Category,
    ExtensionRequest,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)

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


class NoBulkDeleteMixin:
    """Workflow records are not deleted in bulk: the per-object rules would be skipped."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def can_edit_content(proposal: Proposal | None) -> bool:
    """A proposal's text, proposers and recommendations change only before assignment."""
    return proposal is None or proposal.can("edit")


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


# ---------------------------------------------------------------- proposal page


class SignatureFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if roles.count(Signature.Role.LEAD) != 1:
            raise ValidationError(gettext("一件提案须有且只有一位领衔提案者。"))


class ContentInlineMixin:
    """Signatures and recommendations: edited on the proposal page until it is assigned."""

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return super().has_view_permission(request, obj) or bool(
            parent and parent.has_view_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_edit_content(obj) and super().has_delete_permission(request, obj)


class SignatureInline(ContentInlineMixin, admin.TabularInline):
    model = Signature
    formset = SignatureFormSet
    fields = ("proposer", "role", "position")
    autocomplete_fields = ("proposer",)
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposer")


class RecommendationInline(ContentInlineMixin, admin.StackedInline):
    model = Recommendation
    fields = ("ordinal", "title", "body")
    show_change_link = True
    extra = 0
    formfield_overrides = {
        Recommendation._meta.get_field("body").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}
    }

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class AssignmentFormSet(BaseInlineFormSet):
    """New rows on a registered proposal are one 交办, made by ``proposal_assign``."""

    actor = None

    def assignment_items(self) -> list[dict]:
        return [
            {key: form.cleaned_data[key] for key in ("agency", "role", "assigned_on", "due_on")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.instance.pk is None
        ]

    def assign(self):
        return services.proposal_assign(
            proposal=self.instance, assignments=self.assignment_items(), actor=self.actor
        )

    def clean(self):
        super().clean()
        if any(self.errors) or not self.assignment_items():
            return
        error = trial_run(self.assign)
        if error is not None:
            raise ValidationError(refusal_message(error))


class AssignmentInline(admin.TabularInline):
    """交办: filled in once, on a registered proposal; afterwards see 交办 in the menu."""

    model = Assignment
    formset = AssignmentFormSet
    fields = ("agency", "role", "assigned_on", "due_on")
    autocomplete_fields = ("agency",)
    can_delete = False
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if self.has_add_permission(request, obj) else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return super().has_view_permission(request, obj) or bool(
            parent and parent.has_view_permission(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None and obj.state == Proposal.State.REGISTERED
            and is_liaison(request.user) and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FeedbackInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Feedback
    fields = ("round", "received_on", "handling", "result", "comment", "recorded_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


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


# Fields saved by the proposal form; the state and round only move through the services.
PROPOSAL_FORM_FIELDS = ("session", "number", "title", "category", "submitted_on", "is_key", "body")
PROPOSAL_CONTENT_FIELDS = ("title", "submitted_on", "body")


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = PROPOSAL_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "number" in self.fields:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("留空则由系统按届次自动编号。")


@admin.register(Proposal)
class ProposalAdmin(ConcurrentEditGuard, RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    form = ProposalForm
    action_form = MoveActionForm
    member_view = True
    office_view = True

    list_display = ("number", "title", "lead", "session", "category", "state", "is_key", "round",
                    "submitted_on")
    list_display_links = ("number", "title")
    list_filter = ("session", "state", "is_key", "category", "assignments__agency")
    search_fields = ("number", "title", "body", "proposers__name")
    ordering = ("-session__year", "number")
    list_select_related = ("session", "category")
    date_hierarchy = "submitted_on"
    fields = (*PROPOSAL_FORM_FIELDS, "state", "round", "created_at", "updated_at")
    actions = ("register", "convert", "withdraw", "close", "reopen")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("proposer"))
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["state", "round", "created_at", "updated_at"]
        if obj is not None:
            readonly += ["session", "number"]
            if not can_edit_content(obj):
                readonly += PROPOSAL_CONTENT_FIELDS
        return readonly

    def get_inlines(self, request, obj):
        if obj is None:
            return [SignatureInline, RecommendationInline]
        return [SignatureInline, RecommendationInline, AssignmentInline, FeedbackInline,
                HistoryInline]

    def has_delete_permission(self, request, obj=None):
        # Only a proposal logged in error, before review, may be deleted.
        if obj is not None and obj.state != Proposal.State.SUBMITTED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("领衔提案者"))
    def lead(self, obj):
        return obj.lead_proposer or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            return  # created with its proposers and recommendations in save_related
        changed = [name for name in form.changed_data if name in PROPOSAL_FORM_FIELDS]
        if changed:
            obj.version += 1
            obj.save(update_fields=[*changed, "version", "updated_at"])

    def _create(self, request, form, formsets):
        """A proposal added here is logged by ``services.proposal_create``, as on the
        site: numbered, with its history line, its answer facts and its search entries."""
        def rows(model):
            formset = next(f for f in formsets if f.model is model)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return [f.cleaned_data for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")]

        signatures = sorted(rows(Signature), key=lambda row: row.get("position") or 0)
        recommendations = sorted(rows(Recommendation), key=lambda row: row.get("ordinal") or 0)
        obj = form.instance
        created = services.proposal_create(
            session=obj.session, number=obj.number, title=obj.title, category=obj.category,
            body=obj.body, submitted_on=obj.submitted_on, is_key=obj.is_key, actor=request.user,
            proposers=[{"name": row["proposer"].name, "kind": row["proposer"].kind, "role": row["role"]}
                       for row in signatures],
            recommendations=[{"title": row["title"], "body": row.get("body", "")}
                             for row in recommendations],
        )
        adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, AssignmentFormSet):
            if formset.assignment_items():
                formset.assign()
            formset.new_objects = list(form.instance.assignments.all())
            formset.changed_objects, formset.deleted_objects = [], []
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            self._create(request, form, formsets)
            return
        super().save_related(request, form, formsets, change)
        inlines = sorted(
            formset.model._meta.model_name for formset in formsets
            if not isinstance(formset, AssignmentFormSet) and formset.has_changed()
        )
        fields = sorted(name for name in form.changed_data if name in PROPOSAL_FORM_FIELDS)
        if inlines and not fields:
            # The proposers or recommendations changed: a page loaded before is out of date.
            Proposal.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)
        if fields or inlines:
            StateChange.record(form.instance, action="update", actor=request.user,
                               data={"fields": fields, "inlines": inlines})

    # ---- moves

    register = move_action(services.proposal_register, "proposal", _("立案"), reason=True)
    convert = move_action(services.proposal_convert, "proposal", _("转为意见建议"),
                          _("转为意见建议（须填写理由）"), reason=True)
    withdraw = move_action(services.proposal_withdraw, "proposal", _("撤案"),
                           _("撤案（须填写理由）"), reason=True)
    close = move_action(services.proposal_close, "proposal", _("办结"), reason=True)
    reopen = move_action(services.proposal_reopen, "proposal", _("重新办理"), reason=True)


# ---------------------------------------------------------------- parts of a proposal


class ProposalPartForm(forms.ModelForm):
    """A signature or recommendation added on its own page: only while the proposal is editable."""

    def clean(self):
        cleaned = super().clean()
        proposal = cleaned.get("proposal") or getattr(self.instance, "proposal", None)
        if proposal is not None and not can_edit_content(proposal):
            raise ValidationError(proposal.refusal("edit"))
        return cleaned


class ProposalPartAdmin(ConcurrentEditGuard, RoleAccessMixin, admin.ModelAdmin):
    form = ProposalPartForm
    visible_through = "proposal"
    member_view = True
    autocomplete_fields = ("proposal",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("proposal",)
        return ()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_edit_content(obj.proposal):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_edit_content(obj.proposal):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        StateChange.record(obj.proposal, action="update", actor=request.user,
                           data={"inlines": [obj._meta.model_name]})


@admin.register(Signature)
class SignatureAdmin(ProposalPartAdmin):
    list_display = ("proposal", "proposer", "role", "position")
    list_filter = ("role", "proposer__kind", "proposal__session")
    search_fields = ("proposer__name", "proposal__number", "proposal__title")
    ordering = ("proposal__number", "position")
    list_select_related = ("proposal", "proposer")
    autocomplete_fields = ("proposal", "proposer")


class SectionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Section
    scoped = True
    fields = ("agency", "position", "adoption", "state", "body")
    readonly_fields = fields
    show_change_link = True
    ordering = ("position", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "adoption")


@admin.register(Recommendation)
class RecommendationAdmin(ProposalPartAdmin):
    list_display = ("proposal", "ordinal", "title")
    list_display_links = ("ordinal", "title")
    list_filter = ("proposal__session", "proposal__state")
    search_fields = ("title", "body", "proposal__number", "proposal__title")
    ordering = ("proposal__number", "ordinal")
    list_select_related = ("proposal",)
    inlines = (SectionInline,)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.sections.exists():
            return False
        return super().has_delete_permission(request, obj)


# ---------------------------------------------------------------- assignments


class AssignmentAddForm(ServiceForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("交办后增加承办单位须说明理由。"))

    class Meta:
        model = Assignment
        fields = ("proposal", "agency", "role", "assigned_on", "due_on")

    def perform(self):
        data = self.cleaned_data
        return services.assignment_add(
            proposal=data["proposal"], agency=data["agency"], role=data["role"],
            assigned_on=data["assigned_on"], due_on=data["due_on"], reason=data["reason"],
            actor=self.actor,
        )


class AssignmentDueForm(ServiceForm):
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, help_text=_("修改办理期限时必填，记入办理记录。"))

    class Meta:
        model = Assignment
        fields = ("due_on",)

    def perform(self):
        if "due_on" not in self.changed_data:
            return self.instance
        return services.assignment_change_due(
            assignment=self.instance, due_on=self.cleaned_data["due_on"],
            reason=self.cleaned_data.get("reason", ""), actor=self.actor,
        )


@admin.register(Assignment)
class AssignmentAdmin(ConcurrentEditGuard, RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin,
                      admin.ModelAdmin):
    """交办: a further agency is added here, and due dates are changed with a reason.

    The first assignment of a registered proposal is made on the proposal's page.
    """

    visible_through = "proposal"
    member_view = True
    list_display = ("proposal", "agency", "role", "assigned_on", "due_on")
    list_filter = ("role", "agency", "proposal__session", "proposal__state", "due_on")
    search_fields = ("proposal__number", "proposal__title", "agency__name", "agency__short_name")
    ordering = ("due_on", "proposal__number")
    list_select_related = ("proposal", "agency")
    autocomplete_fields = ("proposal", "agency")
    date_hierarchy = "due_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AssignmentDueForm if obj is not None else AssignmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("proposal", "agency", "role", "assigned_on", "due_on", "reason")
        reason = ("reason",) if self.has_change_permission(request, obj) else ()
        return ("proposal", "agency", "role", "assigned_on", "due_on", *reason, "created_at",
                "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("proposal", "agency", "role", "assigned_on", "created_at", "updated_at")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.proposal.state not in services.HANDLING_STATES:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- feedback and history


class FeedbackForm(ServiceForm):
    class Meta:
        model = Feedback
        fields = ("proposal", "received_on", "handling", "result", "comment")

    def perform(self):
        data = self.cleaned_data
        return services.feedback_record(
            proposal=data["proposal"], handling=data["handling"], result=data["result"],
            received_on=data["received_on"], comment=data.get("comment", ""), actor=self.actor,
        )


@admin.register(Feedback)
class FeedbackAdmin(RoleAccessMixin, ServiceAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """征询意见表: recorded once through the service, then kept as it was."""

    form = FeedbackForm
    visible_through = "proposal"
    member_view = True
    list_display = ("proposal", "round", "received_on", "handling", "result", "recorded_by")
    list_filter = ("handling", "result", "round", "proposal__session")
    search_fields = ("proposal__number", "proposal__title", "comment")
    ordering = ("-received_on", "-id")
    list_select_related = ("proposal", "recorded_by")
    autocomplete_fields = ("proposal",)
    readonly_fields = ("round", "recorded_by", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("proposal", "received_on", "handling", "result", "comment")
        return ("proposal", "round", "received_on", "handling", "result", "comment",
                "recorded_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StateChange)
class StateChangeAdmin(RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RoleAccessMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """延期申请: read-only here; agencies ask and liaison staff decide on the site's pages."""

    member_view = True
    liaison_view = True
    list_display = ("created_at", "assignment", "current_due_on", "requested_due_on", "state",
                    "decided_by")
    list_filter = ("state", "assignment__agency", "assignment__proposal__session")
    search_fields = ("assignment__proposal__number", "assignment__proposal__title", "reason")
    ordering = ("-created_at", "-id")
    list_select_related = ("assignment__proposal", "assignment__agency", "decided_by")
    fields = ("assignment", "state", "current_due_on", "requested_due_on", "approved_due_on",
              "reason", "requested_by", "created_at", "decided_by", "decided_at", "decision_note")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
