"""Logging and editing a proposal: the form with its proposers and recommendations, row
operations by htmx, and splitting pasted text into recommendations."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import liaison_only, refuse
from core.workflow import ConcurrentEdit, DomainError

from .. import services
from ..forms import (
    ProposalForm,
    ProposerFormSet,
    RecommendationFormSet,
    form_values,
    formset_from_rows,
    proposer_rows,
    raw_rows,
    recommendation_rows,
)
from ..models import (
    Proposal,
    Proposer,
)
from ..selectors import (
    date_text,
)
from .common import (
    apply_row_op,
    page,
    proposal_or_404,
    resubmittable,
    rows_context,
    split_into_rows,
)

# ---------------------------------------------------------------- logging and editing a proposal


ROW_TEMPLATES = {
    "proposers": "proposals/_proposer_rows.html",
    "recommendations": "proposals/_recommendation_rows.html",
    "assignments": "proposals/_assignment_rows.html",
}


@liaison_only
@require_POST
def form_rows(request):
    """htmx: a block of rows (proposers, recommendations, assignments) after an edit."""
    result = apply_row_op(request.POST, request.POST.get("op", ""))
    if result is None:
        return page(request, "proposals/_rows_error.html", status=400)
    prefix, formset, note, offer_replace = result
    context = rows_context(prefix, formset, note=note, offer_replace=offer_replace)
    return page(request, ROW_TEMPLATES[prefix], context)


@liaison_only
@require_POST
def split_text(request):
    """htmx: the recommendations proposed from the pasted full text, for the user to check."""
    formset, note, offer_replace = split_into_rows(request.POST, mode=request.POST.get("mode", "replace"))
    context = rows_context("recommendations", formset, note=note, offer_replace=offer_replace)
    return page(request, ROW_TEMPLATES["recommendations"], context)


def _proposal_form_page(request, proposal: Proposal | None):
    editing = proposal is not None
    extra_errors = {"proposers": [], "recommendations": []}
    context = {"proposal": proposal, "editing": editing}
    if request.method == "POST" and request.POST.get("op"):
        # Editing the rows without JavaScript: show the page again, nothing saved.
        form = ProposalForm(proposal=proposal, initial={
            **(ProposalForm.initial_for(proposal) if editing else {}),
            **form_values(ProposalForm(proposal=proposal), request.POST),
        })
        blocks = {
            "proposers": formset_from_rows("proposers", raw_rows(request.POST, "proposers")),
            "recommendations": formset_from_rows("recommendations", raw_rows(request.POST, "recommendations")),
        }
        result = apply_row_op(request.POST, request.POST["op"])
        if result is not None:
            prefix, formset, note, offer_replace = result
            blocks[prefix] = formset
            context.update(rows_context(prefix, formset, note=note, offer_replace=offer_replace))
        context.update(blocks)
        return page(request, "proposals/form.html", {**context, "form": form})
    if request.method == "POST":
        form = ProposalForm(request.POST, proposal=proposal,
                            initial=ProposalForm.initial_for(proposal) if editing else None)
        proposers = ProposerFormSet(request.POST, prefix="proposers")
        recommendations = RecommendationFormSet(request.POST, prefix="recommendations")
        if all([form.is_valid(), proposers.is_valid(), recommendations.is_valid()]):
            try:
                saved = _saveproposal_or_404(request, form, proposers, recommendations, proposal, extra_errors)
            except ConcurrentEdit as error:
                saved = None
                context["conflict"] = _proposal_conflict(proposal, form, proposers, recommendations)
                context["proposal_edit_url"] = reverse("proposals:edit", args=[proposal.pk])
                form = resubmittable(ProposalForm, request.POST, "version", error, proposal=proposal,
                                      initial=ProposalForm.initial_for(proposal))
            if saved is not None:
                if editing:
                    messages.success(request, _("已保存对第%(number)s号提案的修改。") % {"number": saved.number})
                elif saved.repeated:
                    messages.info(request, _("第%(number)s号提案已经登记过（同一表单再次提交），没有重复登记。")
                                  % {"number": saved.number})
                else:
                    messages.success(request, _("已登记第%(number)s号提案。") % {"number": saved.number})
                return redirect("proposals:detail", pk=saved.pk)
    elif editing:
        form = ProposalForm(proposal=proposal, initial=ProposalForm.initial_for(proposal))
        proposers = formset_from_rows("proposers", proposer_rows(proposal))
        recommendations = formset_from_rows("recommendations", recommendation_rows(proposal))
    else:
        form = ProposalForm(initial={"submitted_on": timezone.localdate()})
        proposers = formset_from_rows("proposers", [])
        recommendations = formset_from_rows("recommendations", [])
    warning = proposal.refusal("edit") if editing else ""
    return page(request, "proposals/form.html", {
        **context,
        "form": form,
        "proposers": proposers,
        "recommendations": recommendations,
        "proposers_errors": extra_errors["proposers"],
        "recommendations_errors": extra_errors["recommendations"],
        "warning": warning,
    }, status=200)


def _proposal_conflict(proposal: Proposal, form, proposers, recommendations) -> list[dict]:
    """What the other person saved beside what this user typed, field by field."""
    saved = Proposal.objects.select_related("category").get(pk=proposal.pk)
    typed = form.cleaned_data

    def people(rows) -> str:
        kinds = dict(Proposer.Kind.choices)
        return "、".join(f"{row['name']}（{kinds.get(row['kind'], row['kind'])}）" for row in rows)

    def points(rows) -> str:
        return "\n".join(f"{n}. {row['title']}" + (f"：{row['body']}" if row.get("body") else "")
                         for n, row in enumerate(rows, start=1))

    rows = [
        (_("案由"), saved.title, typed.get("title", ""), False),
        (_("类别"), str(saved.category or _("（未分类）")), str(typed.get("category") or _("（未分类）")), False),
        (_("提交日期"), date_text(saved.submitted_on and saved.submitted_on.isoformat()),
         date_text(typed.get("submitted_on") and typed["submitted_on"].isoformat()), False),
        (_("重点提案"), _("是") if saved.is_key else _("否"), _("是") if typed.get("is_key") else _("否"), False),
        (_("提案者"), people(proposer_rows(saved)), people(proposers.items()), False),
        (_("提案内容"), saved.body, typed.get("body", ""), True),
        (_("建议"), points(recommendation_rows(saved)), points(recommendations.items()), True),
    ]
    return [{"label": label, "saved": old, "typed": new, "long": long,
             "differs": (old or "").strip() != (new or "").strip()} for label, old, new, long in rows]


def _saveproposal_or_404(request, form, proposers, recommendations, proposal, extra_errors):
    """Log or correct the proposal; None when refused (the reason is on the form).
    A save over someone else's raises :class:`ConcurrentEdit` for the page to show both."""
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "category": data["category"],
        "body": data["body"],
        "submitted_on": data["submitted_on"],
        "is_key": data["is_key"],
        "proposers": proposers.items(),
        "recommendations": recommendations.items(),
        "actor": request.user,
    }
    try:
        if proposal is not None:
            if data["category"] is None:
                fields["category"] = ""  # the service reads "" as "no category"
            return services.proposal_update(proposal=proposal, expected_version=data["version"], **fields)
        return services.proposal_create(session=data["session"], number=data["number"] or None,
                                        submission_key=data.get("submission_key"), **fields)
    except ConcurrentEdit:
        raise
    except DomainError as error:
        refuse(form, error, extra_errors)
    except IntegrityError:
        form.add_error("number", _("该提案号刚刚被占用，请重新保存或换一个提案号。"))
    return None


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    """登记提案."""
    return _proposal_form_page(request, None)


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk: int):
    """修改提案, while it is 待审查 or 已立案."""
    return _proposal_form_page(request, proposal_or_404(request, pk))
