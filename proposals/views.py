"""The liaison staff's pages: the proposal list and page, logging, review, assignment, feedback.

Who may do what:
- anyone not signed in is sent to the login page;
- liaison staff (and superusers) see every proposal and use every page here;
- agency staff see the proposals assigned to their agency (list and page), office staff
  see every proposal; both get a 403 page from every page that changes something;
- a proposal the user may not see does not exist for them (404).

Every change goes through :mod:`proposals.services`; a refusal is shown on the form
the user filled in, with what they typed kept.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import (
    Prefetch,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Agency
from core import excel
from core.roles import is_liaison
from core.workflow import ConcurrentEdit, DomainError, IllegalMove, check_move
from replies.composition import recommendation_heading
from replies.models import ReplyLetter, Section
from replies.views import may_preview_draft
from search.forms import MergeForm
from search.similarity import similar_for_page

from . import services
from .deadlines import UnknownCalendarYear
from .filters import ROLE_ORDER, ProposalFilter, prepare_rows, proposal_list_queryset
from .forms import (
    BODY_MAX,
    AssignmentAddForm,
    AssignmentDueForm,
    AssignmentFormSet,
    FeedbackForm,
    ProposalForm,
    ProposerFormSet,
    ReasonForm,
    RecommendationFormSet,
    due_rules_text,
    edit_rows,
    form_values,
    formset_from_rows,
    initial_assignment_rows,
    parse_op,
    proposer_rows,
    raw_rows,
    recommendation_rows,
)
from .models import (
    HANDLING_STATES,
    Assignment,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Satisfaction,
    Signature,
    StateChange,
)
from .splitting import split_recommendations

PER_PAGE = 25


# ---------------------------------------------------------------- pages and refusals


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    return render(request, template, context or {}, status=status)


def _guarded(view, *, liaison: bool):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if liaison and not is_liaison(request.user):
            # Shown by the site's 403 page, like every refusal a service raises.
            raise PermissionDenied(_("只有提案委工作人员可以进行此操作。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def viewer(view):
    """A page for anyone signed in; what they see is scoped by ``visible_to``."""
    return _guarded(view, liaison=False)


def liaison_only(view):
    """A page that changes something: liaison staff only, 403 for everyone else."""
    return _guarded(view, liaison=True)


def refuse(form, error: DomainError, extra: dict | None = None) -> None:
    """Show a service's refusal on ``form``: on its field when it names one, else on top.

    ``extra`` maps field names the form does not have (proposers, recommendations,
    assignments) to lists collecting their messages.
    """
    if error.field and extra is not None and error.field in extra:
        extra[error.field].append(error.message)
    elif error.field and error.field in form.fields and not form.fields[error.field].disabled:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def _visible(request):
    return Proposal.objects.visible_to(request.user)


def _proposal(request, pk: int) -> Proposal:
    return get_object_or_404(_visible(request).select_related("session", "category"), pk=pk)


def _state_warning(proposal: Proposal, move: str) -> str:
    try:
        check_move(proposal, move)
    except IllegalMove as error:
        return error.message
    return ""


# ---------------------------------------------------------------- the list


SORT_COLUMNS = ("number", "submitted", "state", "due")


def _sort_links(request, current: str) -> dict:
    links = {}
    for key in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        links[key] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


def _days(due: datetime.date | None, today: datetime.date) -> int | None:
    return (due - today).days if due else None


@viewer
@require_GET
def proposal_list(request):
    """提案列表: filters, search, sorting and 25 proposals a page."""
    today = timezone.localdate()
    filterset = ProposalFilter(request.GET or None, queryset=proposal_list_queryset(request.user, today))
    if excel.wants_xlsx(request) and filterset.is_valid():  # else the page shows what is wrong
        return _export_list(filterset.qs)
    paginator = Paginator(filterset.qs, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = prepare_rows(page_obj.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "proposals/list.html", {
        "filter": filterset,
        "page_obj": page_obj,
        "query": query.urlencode(),
        "sort_links": _sort_links(request, filterset.sort_key),
        "can_log": is_liaison(request.user),
    })


def _export_list(proposals):
    """Every proposal of the filtered list (not only one page) as an Excel workbook."""
    text, count, date = excel.TEXT, excel.INTEGER, excel.DATE
    columns = [
        excel.Column(_("提案号")), excel.Column(_("届次会议")), excel.Column(_("案由"), width=50, wrap=True),
        excel.Column(_("领衔提案者")), excel.Column(_("附议人数"), count), excel.Column(_("类别")),
        excel.Column(_("状态")), excel.Column(_("重点提案")), excel.Column(_("主办单位")),
        excel.Column(_("会办单位"), text), excel.Column(_("分办单位"), text),
        excel.Column(_("最早办理期限"), date), excel.Column(_("有单位逾期")),
        excel.Column(_("答复函分类")), excel.Column(_("提交日期"), date),
    ]
    separator = pgettext("separator between list items", "、")
    yes, no = _("是"), _("否")
    rows = []
    for proposal in prepare_rows(proposals):
        by_role = {role: [] for role in Assignment.Role.values}
        for handler in proposal.handlers:
            by_role[handler.role].append(handler.short_name)
        classes = proposal.classes
        rows.append([
            proposal.number, proposal.session.name, proposal.title,
            proposal.lead_name, proposal.co_signer_count,
            proposal.category.name if proposal.category else "", proposal.get_state_display(),
            yes if proposal.is_key else no,
            *(separator.join(by_role[role]) for role in Assignment.Role.values),
            proposal.earliest_due_on, yes if proposal.is_overdue else no,
            separator.join(_("%(klass)s类") % {"klass": klass} for klass in classes),
            proposal.submitted_on,
        ])
    filename = _("提案列表%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("提案列表"), columns, rows)], filename=filename,
                               fallback=f"proposals-{excel.today_stamp()}.xlsx")


# ---------------------------------------------------------------- the proposal page


def visible_sections(user):
    """Sections ``user`` may read (one rule everywhere: ``Section.objects.visible_to``)."""
    return Section.objects.visible_to(user).select_related("agency", "adoption").order_by("position", "id")


def detail_queryset(user):
    return Proposal.objects.visible_to(user).select_related("session", "category").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("proposer")),
        Prefetch("recommendations", queryset=Recommendation.objects.order_by("ordinal").prefetch_related(
            Prefetch("sections", queryset=visible_sections(user))
        )),
        Prefetch("assignments", queryset=Assignment.objects.select_related("agency")
                 .annotate(role_order=ROLE_ORDER)
                 .order_by("role_order", "agency__code")),
        Prefetch("letters", queryset=ReplyLetter.objects.visible_to(user).select_related("agency")
                 .order_by("round", "created_at", "id")),
        Prefetch("feedback", queryset=Feedback.objects.select_related("recorded_by")
                 .order_by("round", "received_on", "id")),
        Prefetch("history", queryset=StateChange.objects.visible_to(user).select_related("actor", "content_type")
                 .order_by("at", "id")),
    )


def _due_computation(proposal: Proposal, assignment: Assignment, changes: dict, rehandled: dict) -> dict:
    """How an assignment's due date came about: the session's rule, and the last change
    (延期 or adjustment) with its reason when the date no longer follows the rule."""
    session = proposal.session
    change = changes.get(assignment.pk)
    rehandling = rehandled.get(assignment.pk)
    if rehandling is not None:
        # After 重新办理 the deadline runs from the day of reopening.
        kind, start = "rehandling", datetime.date.fromisoformat(rehandling.data["start"])
    else:
        kind, start = ("co" if assignment.role == "co" else "lead"), assignment.assigned_on
    try:
        rule = session.due_date(kind, start)
    except UnknownCalendarYear as error:
        rule, rule_error = None, str(error)
    else:
        rule_error = ""
    follows_rule = rule is not None and rule.date == assignment.due_on
    return {
        "rule": rule,
        "rule_text": session.rule_text(kind),
        "rehandling": kind == "rehandling",
        "rule_error": rule_error,
        "follows_rule": follows_rule,
        "change": None if follows_rule else change,
        "change_from": _date_text((change.data or {}).get("from")) if change and not follows_rule else "",
    }


def _assignment_rows(proposal: Proposal, today: datetime.date) -> list[dict]:
    rows = []
    handling = proposal.state in HANDLING_STATES
    soon = proposal.session.due_soon_days
    changes, rehandled = {}, {}
    for change in proposal.history.all():  # oldest first: the last one of each kind wins
        if change.content_type.model != "assignment":
            continue
        if change.action == "extend":
            changes[change.object_id] = change
        elif change.action == "rehandling_due":
            rehandled[change.object_id] = change
            changes.pop(change.object_id, None)
    for assignment in proposal.assignments.all():
        days = None if assignment.answered or not handling else _days(assignment.due_on, today)
        rows.append({
            "assignment": assignment,
            "answered": assignment.answered,
            "days_left": days,
            "overdue_days": -days if days is not None and days < 0 else None,
            "due_soon": days is not None and 0 <= days <= soon,
            "due": _due_computation(proposal, assignment, changes, rehandled),
        })
    return rows


def _feedback_due(proposal: Proposal, today: datetime.date) -> dict | None:
    """反馈期限: while an answered proposal waits for the proposer's view this round, the
    session's feedback period counted from the day the last letter made it 已答复."""
    if proposal.state != Proposal.State.REPLIED:
        return None
    if any(item.round == proposal.round for item in proposal.feedback.all()):
        return None
    replies = [change for change in proposal.history.all()
               if change.action == "reply" and change.content_type.model == "proposal"]
    if not replies:
        return None
    replied_on = timezone.localdate(replies[-1].at)
    try:
        due = proposal.session.due_date("feedback", replied_on)
    except UnknownCalendarYear as error:
        return {"error": str(error)}
    days = (due.date - today).days
    return {
        "due": due, "rule_text": proposal.session.rule_text("feedback"),
        "days_left": days, "overdue_days": -days if days < 0 else None,
    }


def _letter_rows(user, proposal: Proposal) -> list[dict]:
    rows = []
    for letter in proposal.letters.all():
        if letter.is_final:
            url = reverse("replies:letter_pdf", args=[letter.pk])
        elif may_preview_draft(user, letter):
            url = reverse("replies:letter_draft_pdf", args=[letter.pk])
        else:
            url = ""
        rows.append({"letter": letter, "url": url, "current": letter.round == proposal.round})
    return rows


def _date_text(value) -> str:
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "")
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _subjects(proposal: Proposal) -> dict[tuple[str, int], str]:
    """What a history row about a section or letter refers to, from what the page already read.

    Sections the user may not read are left out, so their rows say nothing more.
    """
    subjects = {}
    for recommendation in proposal.recommendations.all():
        for section in recommendation.sections.all():
            subjects[("section", section.pk)] = _("%(agency)s · 第%(n)s条建议") % {
                "agency": section.agency.short_name, "n": recommendation.ordinal}
    for letter in proposal.letters.all():
        subjects[("replyletter", letter.pk)] = letter.agency.short_name
    return subjects


def _history_rows(proposal: Proposal, agencies: dict[str, str]) -> list[dict]:
    """History rows with a short line saying what each move was about."""
    roles = dict(Assignment.Role.choices)
    satisfaction = dict(Satisfaction.choices)
    subjects = _subjects(proposal)
    rows = []
    for change in proposal.history.all():
        data = change.data or {}
        detail = subjects.get((change.content_type.model, change.object_id), "")
        agency = agencies.get(data.get("agency"), data.get("agency", ""))
        if change.action == "extend":
            detail = _("%(agency)s：%(old)s → %(new)s") % {
                "agency": agency, "old": _date_text(data.get("from")), "new": _date_text(data.get("to")),
            }
        elif change.action in ("add_assignment", "remove_assignment"):
            detail = f"{agency}（{roles.get(data.get('role'), data.get('role', ''))}）"
        elif change.action == "assign":
            detail = "、".join(
                f"{agencies.get(item.get('agency'), item.get('agency'))}（{roles.get(item.get('role'), '')}）"
                for item in data.get("assignments", [])
            )
        elif change.action == "feedback":
            detail = _("办理工作：%(handling)s；办理结果：%(result)s") % {
                "handling": satisfaction.get(data.get("handling"), ""),
                "result": satisfaction.get(data.get("result"), ""),
            }
        elif change.action == "reopen" and data.get("round"):
            detail = _("第%(round)s轮办理") % {"round": data["round"]}
        rows.append({"change": change, "detail": detail})
    return rows


def _history_agencies(proposal: Proposal) -> dict[str, str]:
    codes = set()
    for change in proposal.history.all():
        data = change.data or {}
        if data.get("agency"):
            codes.add(data["agency"])
        codes.update(item.get("agency") for item in data.get("assignments", []) if item.get("agency"))
    if not codes:
        return {}
    return dict(Agency.objects.filter(code__in=codes).values_list("code", "short_name"))


def _actions(user, proposal: Proposal) -> dict:
    """The buttons the page shows: what this user may do to the proposal in its state."""
    if not is_liaison(user):
        return {}
    state = proposal.state
    states = Proposal.State
    return {
        "edit": state in services.EDITABLE_STATES,
        "review": state == states.SUBMITTED,
        "assign": state == states.REGISTERED,
        "handling": state in HANDLING_STATES,
        "feedback": state == states.REPLIED,
        "close": state == states.REPLIED,
        "reopen": state in (states.REPLIED, states.CLOSED),
    }


@viewer
@require_GET
def proposal_detail(request, pk: int):
    """提案: everything about it on one page."""
    proposal = get_object_or_404(detail_queryset(request.user), pk=pk)
    today = timezone.localdate()
    signatures = sorted(proposal.signatures.all(), key=lambda s: (s.role != Signature.Role.LEAD, s.position))
    recommendations = list(proposal.recommendations.all())
    for recommendation in recommendations:
        recommendation.heading = recommendation_heading(recommendation)
    return page(request, "proposals/detail.html", {
        "proposal": proposal,
        "today": today,
        "signatures": signatures,
        "recommendations": recommendations,
        "assignments": _assignment_rows(proposal, today),
        "letters": _letter_rows(request.user, proposal),
        "feedback": proposal.feedback.all(),
        "feedback_due": _feedback_due(proposal, today),
        "history": _history_rows(proposal, _history_agencies(proposal)),
        "actions": _actions(request.user, proposal),
        "is_liaison": is_liaison(request.user),
        "merged_proposals": _visible(request).filter(merged_into=proposal).order_by("number"),
        "similar": similar_for_page(request.user, proposal),
    })


@liaison_only
@require_POST
def proposal_merge(request, pk: int):
    """并案: merge this proposal into another of its session (from the similar proposals)."""
    proposal = _proposal(request, pk)
    form = MergeForm(request.POST)
    into = _visible(request).filter(pk=form.cleaned_data["into"]).first() if form.is_valid() else None
    if into is None:
        messages.error(request, _("请选择要并入的提案。"))
        return redirect("proposals:detail", pk=proposal.pk)
    try:
        services.proposal_merge(proposal=proposal, into=into, actor=request.user,
                                reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("第%(number)s号提案已并入第%(into)s号提案。")
                         % {"number": proposal.number, "into": into.number})
    return redirect("proposals:detail", pk=proposal.pk)


# ---------------------------------------------------------------- logging and editing a proposal


def _rows_context(prefix: str, formset, errors=None, note: str = "", offer_replace: bool = False) -> dict:
    return {prefix: formset, f"{prefix}_errors": errors or [], f"{prefix}_note": note,
            "offer_replace": offer_replace}


def _apply_row_op(data, op: str):
    """Edit the rows named in ``op`` as typed; returns (prefix, formset, note, offer_replace)."""
    parsed = parse_op(op)
    if parsed is None:
        return None
    prefix, action, index = parsed
    if action == "split":
        if prefix != "recommendations":
            return None
        return ("recommendations", *_split(data, mode=data.get("mode", "replace")))
    rows = edit_rows(raw_rows(data, prefix), prefix, action, index)
    return prefix, formset_from_rows(prefix, rows), "", False


def _split(data, *, mode: str):
    """Recommendations proposed from the full text: (formset, note, offer_replace).

    On a paste, rows the user already filled in are kept and the replacement offered.
    """
    body = data.get("body", "") or ""
    current = raw_rows(data, "recommendations")
    if len(body) > BODY_MAX:
        note = _("提案内容超过%(max)s字，无法识别建议。") % {"max": f"{BODY_MAX:,}"}
        return formset_from_rows("recommendations", current), note, False
    proposed = split_recommendations(body)
    if not proposed:
        if mode == "paste":
            return formset_from_rows("recommendations", current), "", False
        note = _("没有在提案内容中找到编号（一、（一）1. 1、），请逐条填写建议。")
        return formset_from_rows("recommendations", current), note, False
    filled = any((row.get("title") or "").strip() or (row.get("body") or "").strip() for row in current)
    if mode == "paste" and filled:
        note = _("从粘贴的全文中识别出%(n)s条建议。下面已填写的建议没有改动；如需用识别结果替换，请点击“用识别结果替换”。") % {
            "n": len(proposed)}
        return formset_from_rows("recommendations", current), note, True
    rows = [{"title": item.title, "body": item.body} for item in proposed]
    note = _("已从全文中识别出%(n)s条建议，请逐条核对标题和内容，确认无误后再保存。") % {"n": len(proposed)}
    return formset_from_rows("recommendations", rows), note, False


ROW_TEMPLATES = {
    "proposers": "proposals/_proposer_rows.html",
    "recommendations": "proposals/_recommendation_rows.html",
    "assignments": "proposals/_assignment_rows.html",
}


@liaison_only
@require_POST
def form_rows(request):
    """htmx: a block of rows (proposers, recommendations, assignments) after an edit."""
    result = _apply_row_op(request.POST, request.POST.get("op", ""))
    if result is None:
        return page(request, "proposals/_rows_error.html", status=400)
    prefix, formset, note, offer_replace = result
    context = _rows_context(prefix, formset, note=note, offer_replace=offer_replace)
    return page(request, ROW_TEMPLATES[prefix], context)


@liaison_only
@require_POST
def split_text(request):
    """htmx: the recommendations proposed from the pasted full text, for the user to check."""
    formset, note, offer_replace = _split(request.POST, mode=request.POST.get("mode", "replace"))
    context = _rows_context("recommendations", formset, note=note, offer_replace=offer_replace)
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
        result = _apply_row_op(request.POST, request.POST["op"])
        if result is not None:
            prefix, formset, note, offer_replace = result
            blocks[prefix] = formset
            context.update(_rows_context(prefix, formset, note=note, offer_replace=offer_replace))
        context.update(blocks)
        return page(request, "proposals/form.html", {**context, "form": form})
    if request.method == "POST":
        form = ProposalForm(request.POST, proposal=proposal,
                            initial=ProposalForm.initial_for(proposal) if editing else None)
        proposers = ProposerFormSet(request.POST, prefix="proposers")
        recommendations = RecommendationFormSet(request.POST, prefix="recommendations")
        if all([form.is_valid(), proposers.is_valid(), recommendations.is_valid()]):
            try:
                saved = _save_proposal(request, form, proposers, recommendations, proposal, extra_errors)
            except ConcurrentEdit as error:
                saved = None
                context["conflict"] = _proposal_conflict(proposal, form, proposers, recommendations)
                context["proposal_edit_url"] = reverse("proposals:edit", args=[proposal.pk])
                form = _resubmittable(ProposalForm, request.POST, "version", error, proposal=proposal,
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
    warning = ""
    if editing and proposal.state not in services.EDITABLE_STATES:
        warning = _("提案当前状态为“%(state)s”，只有待审查或已立案的提案可以修改内容。") % {
            "state": proposal.get_state_display()}
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
        (_("提交日期"), _date_text(saved.submitted_on and saved.submitted_on.isoformat()),
         _date_text(typed.get("submitted_on") and typed["submitted_on"].isoformat()), False),
        (_("重点提案"), _("是") if saved.is_key else _("否"), _("是") if typed.get("is_key") else _("否"), False),
        (_("提案者"), people(proposer_rows(saved)), people(proposers.items()), False),
        (_("提案内容"), saved.body, typed.get("body", ""), True),
        (_("建议"), points(recommendation_rows(saved)), points(recommendations.items()), True),
    ]
    return [{"label": label, "saved": old, "typed": new, "long": long,
             "differs": (old or "").strip() != (new or "").strip()} for label, old, new, long in rows]


def _save_proposal(request, form, proposers, recommendations, proposal, extra_errors):
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
    return _proposal_form_page(request, _proposal(request, pk))


# ---------------------------------------------------------------- review, closing, reopening


REASON_MOVES = {
    # move: (service, title, reason required, reason help, success message)
    "register": (services.proposal_register, gettext_lazy("立案"), False,
                 gettext_lazy("可选，例如立案时的审查意见。"), gettext_lazy("第%(number)s号提案已立案。")),
    "convert": (services.proposal_convert, gettext_lazy("不予立案，转为意见建议"), True,
                gettext_lazy("说明不予立案的理由，例如：所提事项属具体工作建议。"),
                gettext_lazy("第%(number)s号提案已转为意见建议。")),
    "withdraw": (services.proposal_withdraw, gettext_lazy("撤案"), True,
                 gettext_lazy("说明撤案的理由，例如：提案者申请撤回。"), gettext_lazy("第%(number)s号提案已撤案。")),
    "close": (services.proposal_close, gettext_lazy("办结"), False,
              gettext_lazy("提案者对办理结果不满意而办结时须说明理由。"), gettext_lazy("第%(number)s号提案已办结。")),
    "reopen": (services.proposal_reopen, gettext_lazy("重新办理"), False,
               gettext_lazy("提案者未表示不满意时须说明重新办理的理由。"),
               gettext_lazy("第%(number)s号提案已转入重新办理，承办单位需再次答复。")),
}


def _reason_move(request, pk: int, move: str):
    service, title, required, help_text, done = REASON_MOVES[move]
    proposal = _proposal(request, pk)
    form = ReasonForm(request.POST or None, reason_required=required, reason_help=help_text)
    if request.method == "POST" and form.is_valid():
        try:
            service(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, str(done) % {"number": proposal.number})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": title,
        "form": form,
        "submit_label": title,
        "warning": _state_warning(proposal, move),
        "danger": move in ("convert", "withdraw"),
    })


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_register(request, pk: int):
    return _reason_move(request, pk, "register")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_convert(request, pk: int):
    return _reason_move(request, pk, "convert")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, pk: int):
    return _reason_move(request, pk, "withdraw")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_close(request, pk: int):
    return _reason_move(request, pk, "close")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_reopen(request, pk: int):
    return _reason_move(request, pk, "reopen")


# ---------------------------------------------------------------- assignment (交办)


def _due_hint(proposal: Proposal, today: datetime.date) -> list[str]:
    """The assign form's help on deadlines: the session's rules, then the dates they give
    for an assignment made today and how those were computed."""
    session = proposal.session
    lines = [_("办理期限留空则按本届规定自动计算：%(rules)s（工作日按国家法定节假日和调休安排计算，交办当日不计）。") % {
        "rules": due_rules_text(session)}]
    try:
        lead = session.due_date_for(Assignment.Role.LEAD, today)
        co = session.due_date_for(Assignment.Role.CO, today)
    except UnknownCalendarYear as error:
        lines.append(_("%(error)s请直接填写办理期限。") % {"error": error})
    else:
        lines.append(_("今天交办的主办、分办单位：%(explanation)s") % {"explanation": lead.explanation})
        lines.append(_("今天交办的会办单位：%(explanation)s") % {"explanation": co.explanation})
    return lines


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_assign(request, pk: int):
    """交办: a lead agency and any co-handling or separate agencies, with deadlines."""
    proposal = _proposal(request, pk)
    today = timezone.localdate()
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("op"):
        result = _apply_row_op(request.POST, request.POST["op"])
        rows = raw_rows(request.POST, "assignments")
        formset = result[1] if result and result[0] == "assignments" else formset_from_rows("assignments", rows)
    elif request.method == "POST":
        formset = AssignmentFormSet(request.POST, prefix="assignments")
        if formset.is_valid():
            try:
                services.proposal_assign(
                    proposal=proposal, assignments=formset.items(proposal.session, today),
                    actor=request.user,
                )
            except DomainError as error:
                errors.append(error.message)
            except UnknownCalendarYear as error:
                errors.append(_("%(error)s请直接填写办理期限。") % {"error": error})
            else:
                messages.success(request, _("第%(number)s号提案已交办。") % {"number": proposal.number})
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        formset = formset_from_rows("assignments", initial_assignment_rows(today))
    return page(request, "proposals/assign.html", {
        "proposal": proposal,
        "assignments": formset,
        "assignments_errors": errors,
        "due_hint": _due_hint(proposal, today),
        "warning": _state_warning(proposal, "assign"),
    })


def _assignment(request, pk: int) -> Assignment:
    assignments = Assignment.objects.select_related("agency", "proposal__session").filter(
        proposal__in=_visible(request)
    )
    return get_object_or_404(assignments, pk=pk)


def _handling_warning(proposal: Proposal) -> str:
    if proposal.state in HANDLING_STATES:
        return ""
    return _("提案当前状态为“%(state)s”，只有已交办或重新办理的提案可以调整交办。") % {
        "state": proposal.get_state_display()}


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_add(request, pk: int):
    """增加承办单位 to a proposal being handled."""
    proposal = _proposal(request, pk)
    form = AssignmentAddForm(request.POST or None, proposal=proposal,
                             initial={"assigned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_add(
                proposal=proposal, agency=data["agency"], role=data["role"],
                assigned_on=data["assigned_on"], due_on=form.due_on_value(),
                reason=data["reason"], actor=request.user,
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已增加%(agency)s为%(role)s单位。") % {
                "agency": assignment.agency.name, "role": assignment.get_role_display()})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": _("增加承办单位"),
        "form": form,
        "submit_label": _("增加"),
        "warning": _handling_warning(proposal),
    })


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_change_due(request, pk: int):
    """调整办理期限 of one assignment, with a reason."""
    assignment = _assignment(request, pk)
    proposal = assignment.proposal
    form = AssignmentDueForm(request.POST or None,
                             initial={"due_on": assignment.due_on, "version": assignment.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_change_due(
                assignment=assignment, due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"], actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEdit as error:
            saved, typed = error.changes["due_on"], form.cleaned_data["due_on"]
            conflict = [{"label": _("办理期限"), "saved": _date_text(saved.isoformat()),
                         "typed": _date_text(typed.isoformat()), "differs": saved != typed}]
            form = _resubmittable(AssignmentDueForm, request.POST, "version", error)
            assignment.refresh_from_db()
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已调整%(agency)s的办理期限。") % {"agency": assignment.agency.name})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "assignment": assignment,
        "title": _("调整办理期限"),
        "form": form,
        "conflict": conflict,
        "submit_label": _("保存"),
        "warning": _handling_warning(proposal),
    })


def _resubmittable(form_class, data, field: str, error: ConcurrentEdit, **kwargs):
    """The form again as typed, refused with ``error``'s message, its ``field`` set to what is
    saved now: saving once more overwrites the other person's change, knowingly."""
    data = data.copy()
    data[field] = str(error.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, error.message)
    return form


@liaison_only
@require_http_methods(["GET", "POST"])
def assignment_remove(request, pk: int):
    """撤回交办 made in error, before the agency has written anything."""
    assignment = _assignment(request, pk)
    proposal = assignment.proposal
    form = ReasonForm(request.POST or None, reason_help=_("例如：交办单位有误。"))
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_remove(
                assignment=assignment, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已撤回对%(agency)s的交办。") % {"agency": assignment.agency.name})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "assignment": assignment,
        "title": _("撤回交办"),
        "form": form,
        "submit_label": _("撤回交办"),
        "warning": _handling_warning(proposal),
        "danger": True,
    })


# ---------------------------------------------------------------- feedback


def _feedback_conflict(saved: dict, typed: dict) -> list[dict]:
    """The form recorded meanwhile beside the one typed."""
    labels = dict(Satisfaction.choices)
    rows = []
    for name, label in (("handling", _("对办理工作")), ("result", _("对办理结果")),
                        ("received_on", _("收到日期")), ("comment", _("意见"))):
        old, new = saved.get(name), typed.get(name)
        if name == "received_on":
            old, new = _date_text(old and old.isoformat()), _date_text(new and new.isoformat())
        elif name != "comment":
            old, new = labels.get(old, old), labels.get(new, new)
        rows.append({"label": label, "saved": old or "", "typed": new or "", "long": name == "comment",
                     "differs": (old or "") != (new or "")})
    return rows


@liaison_only
@require_http_methods(["GET", "POST"])
def feedback_record(request, pk: int):
    """登记反馈: the proposer's view of the handling and of the result."""
    proposal = _proposal(request, pk)
    recorded = proposal.feedback.filter(round=proposal.round).count()
    form = FeedbackForm(request.POST or None,
                        initial={"received_on": timezone.localdate(), "recorded": recorded})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_record(
                proposal=proposal, handling=data["handling"], result=data["result"],
                received_on=data["received_on"], comment=data["comment"], actor=request.user,
                expected_recorded=data["recorded"],
            )
        except ConcurrentEdit as error:
            conflict = _feedback_conflict(error.changes, data)
            form = _resubmittable(FeedbackForm, request.POST, "recorded", error)
        except DomainError as error:
            refuse(form, error)
        else:
            if feedback.is_dissatisfied:
                messages.warning(request, _("已登记反馈。提案者表示不满意，可安排重新办理。"))
            else:
                messages.success(request, _("已登记反馈，可以办结该提案。"))
            return redirect("proposals:detail", pk=proposal.pk)
    warning = ""
    if proposal.state != Proposal.State.REPLIED:
        warning = _("提案当前状态为“%(state)s”，只有已答复的提案可以登记反馈。") % {
            "state": proposal.get_state_display()}
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": _("登记反馈"),
        "form": form,
        "conflict": conflict,
        "submit_label": _("登记"),
        "warning": warning,
    })
