"""Sections (办理意见): drafting, submitting, approving, returning and revising."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import next_url, refuse
from core.workflow import ConcurrentEdit, DomainError
from followup.models import Commitment
from proposals import answers
from proposals.models import (
    Recommendation,
)

from .. import services
from ..composition import recommendation_heading
from ..forms import ReasonForm, SectionForm
from ..models import Section
from .agency import (
    chosen_assignment,
    may_sign,
    may_write,
    recommendation_url,
    return_reasons,
    section_or_404,
    visible_proposals,
    writable_assignments,
)

# ---------------------------------------------------------------- sections (办理意见)


def _section_conflict(error: ConcurrentEdit, form: SectionForm, section: Section) -> list[dict]:
    """What the other person saved beside what this user typed, field by field."""
    saved_adoption = error.changes.get("adoption")
    typed_adoption = form.cleaned_data.get("adoption")
    saved_body = error.changes.get("body", "")
    typed_body = form.cleaned_data.get("body", "")
    return [
        {"label": _("采纳情况"),
         "saved": saved_adoption.label if saved_adoption else _("（未选择）"),
         "typed": typed_adoption.label if typed_adoption else _("（未选择）"),
         "differs": saved_adoption != typed_adoption},
        {"label": _("办理意见"), "saved": saved_body, "typed": typed_body,
         "differs": (saved_body or "").strip() != (typed_body or "").strip(), "long": True},
        _commitment_conflict(section, form),
    ]


def _commitment_text(what: str, due) -> str:
    if not what and not due:
        return _("（无）")
    return _("%(what)s（%(due)s前完成）") % {"what": what, "due": due.isoformat() if due else "—"}


def _commitment_conflict(section: Section, form: SectionForm) -> dict:
    """The commitment the other person saved beside the one this user typed."""
    saved = Commitment.objects.filter(section=section).first()
    saved_text = _commitment_text(saved.what, saved.due_on) if saved else _("（无）")
    typed_text = _commitment_text((form.cleaned_data.get("commitment_what") or "").strip(),
                                  form.cleaned_data.get("commitment_due"))
    return {"label": _("承诺事项"), "saved": saved_text, "typed": typed_text, "differs": saved_text != typed_text}


def _after_save(request, section: Section, *, submit: bool):
    """Send the saved draft on to the approver when asked; a refusal keeps the draft."""
    if submit:
        try:
            services.section_submit(section=section, actor=request.user)
        except DomainError as error:
            messages.error(request, _("草稿已保存，但未能提交审核：%(reason)s") % {"reason": error.message})
            return redirect("replies:section_edit", pk=section.pk)
        messages.success(request, _("办理意见已提交审核。"))
    else:
        messages.success(request, _("办理意见草稿已保存。"))
    return redirect(recommendation_url(section.recommendation))


@login_required
@require_http_methods(["GET", "POST"])
def section_create(request, pk: int):
    """撰写办理意见: the user's agency starts its answer to a recommendation."""
    user = request.user
    recommendation = get_object_or_404(
        Recommendation.objects.filter(proposal__in=visible_proposals(user))
        .select_related("proposal__session"),
        pk=pk,
    )
    proposal = recommendation.proposal
    assignments = writable_assignments(user, proposal)
    if not assignments:
        raise PermissionDenied(_("只有承办单位的经办人和签发人可以撰写办理意见。"))
    chosen = chosen_assignment(assignments, request.POST.get("agency") or request.GET.get("agency"))
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error(None, _("请选择以哪个单位的名义撰写。"))
        else:
            try:
                section = services.section_create(
                    recommendation=recommendation, agency=chosen.agency, actor=user,
                    adoption=form.cleaned_data["adoption"], body=form.cleaned_data["body"],
                    commitment=form.commitment(),
                )
            except DomainError as error:
                refuse(form, error)
            else:
                return _after_save(request, section, submit=request.POST.get("action") == "submit")
    return render(request, "replies/agency/section_form.html", {
        "form": form,
        "proposal": proposal,
        "recommendation": recommendation,
        "heading": recommendation_heading(recommendation),
        "assignments": assignments,
        "chosen": chosen,
        "handling": answers.is_awaiting(proposal),
    })


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int):
    """修改办理意见: edit a draft, guarded by the version it was loaded at."""
    user = request.user
    section = section_or_404(request, pk)
    if not may_write(user, section.agency):
        raise PermissionDenied(
            _("只有%(agency)s的工作人员可以修改这份办理意见。") % {"agency": section.agency.short_name}
        )
    recommendation = section.recommendation
    conflict = None
    if request.method == "POST":
        form = SectionForm(request.POST, section=section)
        if form.is_valid():
            try:
                section = services.section_update(
                    section=section, actor=user, expected_version=form.cleaned_data["version"],
                    adoption=form.cleaned_data["adoption"], body=form.cleaned_data["body"],
                    commitment=form.commitment(),
                )
            except ConcurrentEdit as error:
                conflict = _section_conflict(error, form, section)
                # Saving again now keeps this user's text, knowingly, over the other save.
                data = request.POST.copy()
                data["version"] = str(error.current_version)
                form = SectionForm(data, section=section)
                form.is_valid()
                form.add_error(None, error.message)
            except DomainError as error:
                refuse(form, error)
            else:
                return _after_save(request, section, submit=request.POST.get("action") == "submit")
    else:
        if section.state != Section.State.DRAFT:
            messages.info(request, _("这份办理意见当前状态为“%(state)s”，只有草稿可以修改。")
                          % {"state": section.get_state_display()})
            return redirect(recommendation_url(recommendation))
        commitment = getattr(section, "commitment", None)
        form = SectionForm(
            initial={"adoption": section.adoption, "body": section.body, "version": section.version,
                     "commitment_what": commitment.what if commitment else "",
                     "commitment_due": commitment.due_on if commitment else None},
            section=section,
        )
    last_return = return_reasons(recommendation.proposal).get(section.pk)
    return render(request, "replies/agency/section_form.html", {
        "form": form,
        "section": section,
        "proposal": recommendation.proposal,
        "recommendation": recommendation,
        "heading": recommendation_heading(recommendation),
        "conflict": conflict,
        "last_return": last_return,
        "handling": True,
    })


@login_required
@require_POST
def section_submit(request, pk: int):
    section = section_or_404(request, pk)
    try:
        services.section_submit(section=section, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("办理意见已提交审核。"))
    return redirect(next_url(request, recommendation_url(section.recommendation)))


@login_required
@require_POST
def section_approve(request, pk: int):
    section = section_or_404(request, pk)
    try:
        services.section_approve(section=section, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("办理意见已审核通过。"))
    return redirect(next_url(request, recommendation_url(section.recommendation)))


def _section_reason_move(request, pk: int, *, service, permitted, title: str, button: str,
                         done: str):
    """Return (退回) or reopen (重新修改) a section, with a reason; a refusal keeps the reason."""
    section = section_or_404(request, pk)
    if not permitted(request.user, section.agency):
        raise PermissionDenied(
            _("只有%(agency)s的签发人可以退回这份办理意见。") % {"agency": section.agency.short_name}
            if permitted is may_sign else
            _("只有%(agency)s的工作人员可以修改这份办理意见。") % {"agency": section.agency.short_name}
        )
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            service(section=section, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url(request, recommendation_url(section.recommendation)))
    return render(request, "replies/agency/reason_form.html", {
        "form": form,
        "title": title,
        "button": button,
        "action": request.path,
        "back": recommendation_url(section.recommendation),
        "section": section,
        "proposal": section.recommendation.proposal,
        "next": next_url(request, ""),
    })


@login_required
@require_POST
def section_return(request, pk: int):
    return _section_reason_move(
        request, pk, service=services.section_return, permitted=may_sign, title=_("退回办理意见"),
        button=_("退回修改"), done=_("办理意见已退回经办人修改。"),
    )


@login_required
@require_POST
def section_revise(request, pk: int):
    return _section_reason_move(
        request, pk, service=services.section_revise, permitted=may_write,
        title=_("重新修改办理意见"),
        button=_("重新修改"), done=_("办理意见已改回草稿，可以修改。"),
    )
