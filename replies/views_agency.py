"""Pages of agency officers (经办人) and approvers (签发人).

The inbox of assigned recommendations; drafting, submitting, approving and returning
sections; assembling the reply letter, sending it for signing, signing, returning and
voiding it.

Reads come from scoped querysets, so an object the user may not see is a 404. Every
change goes through a service: a refusal is shown in Chinese beside what the user
typed, and a permission refusal (``PermissionDenied``) is the site's 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import excel
from core.pages import is_htmx, next_url, refuse
from core.roles import agency_ids, agency_roles, is_agency_member
from core.workflow import ConcurrentEdit, DomainError, IllegalMove
from history.models import StateChange
from proposals import answers
from proposals.models import (
    Assignment,
    ExtensionRequest,
    Proposal,
    Recommendation,
)

from . import selectors, services
from .composition import letter_sections, recommendation_heading, suggested_class
from .filters import InboxFilter
from .forms import LetterClassForm, LetterForm, MoveForm, ReasonForm, SectionForm, SignForm
from .models import ReplyLetter, Section
from .pdf.compose import letter_content

INBOX_PER_PAGE = 25


# ---------------------------------------------------------------- helpers


def may_write(user, agency) -> bool:
    """Officers and approvers of ``agency`` draft its sections and its letters."""
    return is_agency_member(user, agency)


def may_sign(user, agency) -> bool:
    """Only ``agency``'s approvers approve its sections and sign its letters."""
    return user.is_superuser or "approver" in agency_roles(user, agency)


def _proposal_url(proposal: Proposal) -> str:
    return reverse("replies:handling", args=[proposal.pk])


def _recommendation_url(recommendation: Recommendation) -> str:
    return f"{_proposal_url(recommendation.proposal)}#rec-{recommendation.pk}"


def _visible_proposals(user):
    return Proposal.objects.visible_to(user)


def _section(request, pk: int) -> Section:
    sections = Section.objects.visible_to(request.user).select_related(
        "recommendation__proposal__session", "agency", "adoption"
    )
    return get_object_or_404(sections, pk=pk)


def _letter(request, pk: int) -> ReplyLetter:
    letters = ReplyLetter.objects.visible_to(request.user).select_related(
        "proposal__session", "agency", "signed_by"
    )
    return get_object_or_404(letters, pk=pk)


def _writable_assignments(user, proposal: Proposal, *, answering: bool = False) -> list[Assignment]:
    assignments = proposal.assignments.select_related("agency")
    if answering:
        assignments = assignments.answering()
    found = [a for a in assignments if may_write(user, a.agency)]
    return sorted(found, key=Assignment.display_order)


def _chosen(assignments: list[Assignment], value) -> Assignment | None:
    """The assignment picked by agency id when the user works for several agencies."""
    if len(assignments) == 1:
        return assignments[0]
    return next((a for a in assignments if str(a.agency_id) == str(value or "")), None)


def _history(user, obj):
    """Who did what to ``obj``, oldest first, as far as ``user`` may read it."""
    return StateChange.objects.visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("actor", "content_type").order_by("at", "id")


# ---------------------------------------------------------------- the inbox (待办)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def inbox(request):
    """待办: the recommendations assigned to the user's agencies, most urgent first;
    for approvers also the sections to approve and the letters to sign."""
    user = request.user
    today = timezone.localdate()
    found = InboxFilter(request.GET or None, queryset=selectors.inbox_assignments(user), user=user,
                        today=today)
    if excel.wants_xlsx(request) and found.is_valid():  # else the page shows what is wrong
        return _export_inbox(selectors.inbox(user, today=today, assignments=found.qs))
    page = Paginator(found.qs, INBOX_PER_PAGE).get_page(request.GET.get("page"))
    entries = selectors.inbox(user, today=today, assignments=page.object_list)
    return render(request, "replies/agency/inbox.html", {
        "entries": entries,
        "filter": found,
        "page_obj": page,
        "query": _query_without_page(request),
        "total": page.paginator.count,
        "several_agencies": len(agency_ids(user)) > 1,
        "sections_to_approve": list(selectors.sections_to_approve(user)),
        "letters_to_sign": list(selectors.letters_to_sign(user)),
    })


def _export_inbox(entries: list[selectors.InboxEntry]):
    """Every assignment of the filtered inbox (not only one page) as an Excel workbook."""
    count, date = excel.INTEGER, excel.DATE
    columns = [
        excel.Column(_("提案号")), excel.Column(_("案由"), width=50, wrap=True), excel.Column(_("届次会议")),
        excel.Column(_("承办单位")), excel.Column(_("承办方式")), excel.Column(_("交办日期"), date),
        excel.Column(_("办理期限"), date), excel.Column(_("剩余天数"), count),
        excel.Column(_("逾期天数"), count), excel.Column(_("提案状态")), excel.Column(_("答复函")),
        excel.Column(_("建议（条）"), count), excel.Column(_("已审核（条）"), count),
        excel.Column(_("未撰写（条）"), count),
    ]
    rows = []
    for entry in entries:
        assignment, proposal = entry.assignment, entry.assignment.proposal
        if not entry.answers:
            letter = ""
        else:
            letter = entry.letter.get_state_display() if entry.letter else _("未起草")
        rows.append([
            proposal.number, proposal.title, proposal.session.name, assignment.agency.short_name,
            assignment.get_role_display(), assignment.assigned_on, assignment.due_on,
            entry.days_left if entry.days_left >= 0 else None, entry.overdue_days or None,
            proposal.get_state_display(), letter, len(entry.rows),
            sum(1 for _rec, sections in entry.rows if any(s.state == Section.State.APPROVED for s in sections)),
            sum(1 for _rec, sections in entry.rows if not sections),
        ])
    filename = _("待办提案%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("待办"), columns, rows)], filename=filename,
                               fallback=f"inbox-{excel.today_stamp()}.xlsx")


# ---------------------------------------------------------------- a proposal's handling page


def _return_reasons(proposal: Proposal) -> dict[int, StateChange]:
    """The latest return (or reopening) of each section of ``proposal``, by section id."""
    rows = StateChange.objects.filter(
        proposal=proposal, content_type=ContentType.objects.get_for_model(Section),
        action__in=["return", "revise"],
    ).select_related("actor").order_by("at", "id")
    return {row.object_id: row for row in rows}


@login_required
@require_GET
def handling(request, pk: int):
    """办理: a proposal's recommendations with the sections the user may see, and the letters."""
    user = request.user
    proposal = get_object_or_404(
        _visible_proposals(user).select_related("session", "category"), pk=pk
    )
    assignments = sorted(
        proposal.assignments.select_related("agency"),
        key=Assignment.display_order,
    )
    today = timezone.localdate()
    for assignment in assignments:
        assignment.days_left = selectors.days_left(assignment.due_on, today)
    mine = [a for a in assignments if may_write(user, a.agency)]
    pending = {
        item.assignment_id: item for item in ExtensionRequest.objects.filter(
            assignment__in=[a.pk for a in mine], state=ExtensionRequest.State.PENDING)
    } if mine else {}
    for assignment in assignments:
        assignment.pending_extension = pending.get(assignment.pk)
    reasons = _return_reasons(proposal)
    recommendations = list(selectors.proposal_recommendations(proposal, user))
    for recommendation in recommendations:
        recommendation.heading = recommendation_heading(recommendation)
        recommendation.has_own = False
        for section in recommendation.visible_sections:
            section.may_write = may_write(user, section.agency)
            recommendation.has_own = recommendation.has_own or section.may_write
            section.may_sign = may_sign(user, section.agency)
            section.last_return = reasons.get(section.pk) if section.state == Section.State.DRAFT else None
    letters = list(selectors.proposal_letters(proposal, user))
    awaiting = answers.is_awaiting(proposal)
    answering = []
    for assignment in mine:
        if assignment.role == Assignment.Role.CO:
            continue
        current = next(
            (x for x in letters if x.agency_id == assignment.agency_id and x.round == proposal.round
             and x.state != ReplyLetter.State.VOIDED),
            None,
        )
        answering.append({"assignment": assignment, "letter": current,
                          "may_create": current is None and awaiting})
    shown = {item["letter"].pk for item in answering if item["letter"]}
    return render(request, "replies/agency/handling.html", {
        "proposal": proposal,
        "assignments": assignments,
        "mine": mine,
        "recommendations": recommendations,
        "letters": [x for x in letters if x.pk not in shown],
        "answering": answering,
        "awaiting": awaiting,
    })


# ---------------------------------------------------------------- sections (办理意见)


def _section_conflict(error: ConcurrentEdit, form: SectionForm) -> list[dict]:
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
    ]


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
    return redirect(_recommendation_url(section.recommendation))


@login_required
@require_http_methods(["GET", "POST"])
def section_create(request, pk: int):
    """撰写办理意见: the user's agency starts its answer to a recommendation."""
    user = request.user
    recommendation = get_object_or_404(
        Recommendation.objects.filter(proposal__in=_visible_proposals(user))
        .select_related("proposal__session"),
        pk=pk,
    )
    proposal = recommendation.proposal
    assignments = _writable_assignments(user, proposal)
    if not assignments:
        raise PermissionDenied(_("只有承办单位的经办人和签发人可以撰写办理意见。"))
    chosen = _chosen(assignments, request.POST.get("agency") or request.GET.get("agency"))
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error(None, _("请选择以哪个单位的名义撰写。"))
        else:
            try:
                section = services.section_create(
                    recommendation=recommendation, agency=chosen.agency, actor=user,
                    adoption=form.cleaned_data["adoption"], body=form.cleaned_data["body"],
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
    section = _section(request, pk)
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
                )
            except ConcurrentEdit as error:
                conflict = _section_conflict(error, form)
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
            return redirect(_recommendation_url(recommendation))
        form = SectionForm(
            initial={"adoption": section.adoption, "body": section.body, "version": section.version},
            section=section,
        )
    last_return = _return_reasons(recommendation.proposal).get(section.pk)
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
    section = _section(request, pk)
    try:
        services.section_submit(section=section, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("办理意见已提交审核。"))
    return redirect(next_url(request, _recommendation_url(section.recommendation)))


@login_required
@require_POST
def section_approve(request, pk: int):
    section = _section(request, pk)
    try:
        services.section_approve(section=section, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("办理意见已审核通过。"))
    return redirect(next_url(request, _recommendation_url(section.recommendation)))


def _section_reason_move(request, pk: int, *, service, permitted, title: str, button: str,
                         done: str):
    """Return (退回) or reopen (重新修改) a section, with a reason; a refusal keeps the reason."""
    section = _section(request, pk)
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
            return redirect(next_url(request, _recommendation_url(section.recommendation)))
    return render(request, "replies/agency/reason_form.html", {
        "form": form,
        "title": title,
        "button": button,
        "action": request.path,
        "back": _recommendation_url(section.recommendation),
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


# ---------------------------------------------------------------- reply letters (答复函)


@login_required
@require_POST
def letter_create(request, pk: int):
    """新建答复函: the lead agency (or a separate handler) starts its letter."""
    user = request.user
    proposal = get_object_or_404(_visible_proposals(user), pk=pk)
    assignments = _writable_assignments(user, proposal, answering=True)
    if not assignments:
        raise PermissionDenied(_("只有主办单位或分办单位的工作人员可以起草答复函。"))
    chosen = _chosen(assignments, request.POST.get("agency"))
    if chosen is None:
        messages.error(request, _("请选择以哪个单位的名义起草答复函。"))
        return redirect(_proposal_url(proposal))
    try:
        letter = services.letter_create(proposal=proposal, agency=chosen.agency, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_proposal_url(proposal))
    messages.success(request, _("答复函草稿已建立，开头已填入会办单位的名称，请核对各项内容。"))
    return redirect("replies:letter_detail", pk=letter.pk)


def _letter_groups(letter: ReplyLetter, user) -> tuple[list[dict], list[Section]]:
    """The letter's parts by recommendation: the approved sections in order, and the others
    the user may see (they print once approved)."""
    sections = list(
        letter_sections(letter).filter(pk__in=Section.objects.visible_to(user).values("pk"))
    )
    groups = []
    for recommendation in letter.proposal.recommendations.order_by("ordinal"):
        own = [s for s in sections if s.recommendation_id == recommendation.pk]
        placed = [s for s in own if s.state == Section.State.APPROVED]
        groups.append({
            "recommendation": recommendation,
            "heading": recommendation_heading(recommendation),
            "placed": placed,
            "pending": [s for s in own if s.state != Section.State.APPROVED],
            "phrase": placed[0].adoption.phrase if placed and placed[0].adoption else "",
        })
    return groups, sections


def _letter_conflict(error: ConcurrentEdit, form: LetterForm) -> list[dict]:
    rows = []
    for name, saved in error.changes.items():
        if name not in form.fields:
            continue
        typed = form.cleaned_data.get(name)
        if name == "cc":
            saved_text, typed_text = "、".join(saved or []), "、".join(typed or [])
        elif name == "disclosure":
            saved_text, typed_text = saved, typed
        else:
            saved_text, typed_text = saved or "", typed or ""
        if str(saved_text).strip() != str(typed_text).strip():
            rows.append({"label": form.fields[name].label, "saved": saved_text, "typed": typed_text,
                         "differs": True, "long": name == "opening"})
    return rows


def _require_writer(user, agency) -> None:
    if not may_write(user, agency):
        raise PermissionDenied(
            _("只有%(agency)s的工作人员可以修改这份答复函。") % {"agency": agency.short_name}
        )


def _letter_page(request, letter: ReplyLetter, *, status: int = 200, **overrides):
    """The letter page; ``overrides`` carry bound forms with errors and a conflict."""
    user = request.user
    proposal = letter.proposal
    groups, sections = _letter_groups(letter, user)
    suggested = suggested_class(letter, sections)
    writer, signer = may_write(user, letter.agency), may_sign(user, letter.agency)
    draft = letter.state == ReplyLetter.State.DRAFT
    replacement = None
    may_replace = False
    if letter.state == ReplyLetter.State.VOIDED:
        replacement = ReplyLetter.objects.current().filter(
            proposal=proposal, agency=letter.agency, round=letter.round
        ).first()
        may_replace = (writer and replacement is None and letter.round == proposal.round
                       and answers.is_awaiting(proposal))
    context = {
        "letter": letter,
        "proposal": proposal,
        "groups": groups,
        "suggested": suggested,
        "class_differs": bool(letter.klass and suggested and letter.klass != suggested),
        "content": letter_content(letter),
        "may_write": writer,
        "may_sign": signer,
        "editable": draft and writer,
        "draft": draft,
        "replacement": replacement,
        "may_replace": may_replace,
        "history": _history(user, letter),
        "letter_form": LetterForm(initial=LetterForm.initial_for(letter)),
        "class_form": LetterClassForm(
            initial={"klass": letter.klass or suggested, "reason": letter.class_reason},
            suggested=suggested,
        ),
        "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
        "return_form": ReasonForm(prefix="return"),
        "void_form": ReasonForm(prefix="void"),
        "conflict": None,
    }
    context.update(overrides)
    return render(request, "replies/agency/letter.html", context, status=status)


@login_required
@require_GET
def letter_detail(request, pk: int):
    """答复函: its wording, the order of its parts, its class, the text as printed, and its moves."""
    return _letter_page(request, _letter(request, pk))


def _moved_on(request, letter: ReplyLetter, error: IllegalMove):
    """The letter left the state this page was showing (someone else moved it): say so."""
    messages.error(request, error.message)
    return redirect("replies:letter_detail", pk=letter.pk)


@login_required
@require_POST
def letter_update(request, pk: int):
    """Save the letter's wording, guarded by the version it was loaded at."""
    letter = _letter(request, pk)
    _require_writer(request.user, letter.agency)
    form = LetterForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.letter_update(
                letter=letter, actor=request.user, expected_version=form.cleaned_data["version"],
                **form.letter_fields(),
            )
        except ConcurrentEdit as error:
            conflict = _letter_conflict(error, form)
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            form = LetterForm(data)
            form.is_valid()
            form.add_error(None, error.message)
            letter = _letter(request, pk)
        except IllegalMove as error:
            return _moved_on(request, letter, error)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("答复函已保存。"))
            return redirect(reverse("replies:letter_detail", args=[letter.pk]) + "#wording")
    return _letter_page(request, letter, letter_form=form, conflict=conflict)


@login_required
@require_POST
def letter_set_class(request, pk: int):
    """分类: choose the letter's class; one other than the suggested class needs a reason."""
    letter = _letter(request, pk)
    _require_writer(request.user, letter.agency)
    suggested = suggested_class(letter)
    form = LetterClassForm(request.POST, suggested=suggested)
    if form.is_valid():
        try:
            services.letter_set_class(
                letter=letter, klass=form.cleaned_data["klass"], actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except IllegalMove as error:
            return _moved_on(request, letter, error)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("答复函分类已确定为%(k)s类。") % {"k": form.cleaned_data["klass"]})
            return redirect(reverse("replies:letter_detail", args=[letter.pk]) + "#class")
    return _letter_page(request, letter, class_form=form)


@login_required
@require_POST
def letter_move(request, pk: int):
    """Move a section up or down among its recommendation's parts; htmx gets the parts back."""
    letter = _letter(request, pk)
    _require_writer(request.user, letter.agency)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("调整顺序的请求无效，请刷新页面后重试。"))
    else:
        section = get_object_or_404(
            Section.objects.visible_to(request.user), pk=form.cleaned_data["section"]
        )
        try:
            services.section_move(letter=letter, section=section,
                                  direction=form.cleaned_data["direction"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
    if is_htmx(request):
        letter = _letter(request, pk)
        groups, _sections = _letter_groups(letter, request.user)
        return render(request, "replies/agency/_letter_parts.html", {
            "letter": letter, "groups": groups,
            "editable": letter.state == ReplyLetter.State.DRAFT and may_write(request.user, letter.agency),
            "content": letter_content(letter), "oob": True,
        })
    return redirect(reverse("replies:letter_detail", args=[letter.pk]) + "#parts")


def _letter_move(request, pk: int, service, done: str, **kwargs):
    letter = _letter(request, pk)
    try:
        service(letter=letter, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("replies:letter_detail", pk=letter.pk)


@login_required
@require_POST
def letter_submit(request, pk: int):
    """送签: send the letter to the agency's approver."""
    return _letter_move(request, pk, services.letter_submit, _("答复函已送签，等待签发人签发。"))


def _require_signer(user, agency) -> None:
    if not may_sign(user, agency):
        raise PermissionDenied(
            _("只有%(agency)s的签发人可以进行此操作。") % {"agency": agency.short_name}
        )


@login_required
@require_POST
def letter_sign(request, pk: int):
    """签发: the approver signs; the number is allocated and the text is fixed."""
    letter = _letter(request, pk)
    _require_signer(request.user, letter.agency)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            letter = services.letter_sign(
                letter=letter, actor=request.user, signed_on=form.cleaned_data["signed_on"]
            )
        except IllegalMove as error:
            return _moved_on(request, letter, error)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("答复函已签发，发文字号为 %(number)s。") % {"number": letter.number})
            return redirect("replies:letter_detail", pk=letter.pk)
    return _letter_page(request, letter, sign_form=form)


def _letter_reason_move(request, pk: int, *, service, prefix: str, done: str):
    """Return (退回) or void (作废) a letter with a reason; a refusal keeps the reason."""
    letter = _letter(request, pk)
    _require_signer(request.user, letter.agency)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(letter=letter, actor=request.user, reason=form.cleaned_data["reason"])
        except IllegalMove as error:
            return _moved_on(request, letter, error)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, done)
            return redirect("replies:letter_detail", pk=letter.pk)
    return _letter_page(request, letter, **{f"{prefix}_form": form})


@login_required
@require_POST
def letter_return(request, pk: int):
    """退回: the approver sends the letter back for changes, saying why."""
    return _letter_reason_move(request, pk, service=services.letter_return, prefix="return",
                               done=_("答复函已退回修改。"))


@login_required
@require_POST
def letter_void(request, pk: int):
    """作废: the approver withdraws a signed letter, saying why; a replacement may follow."""
    return _letter_reason_move(request, pk, service=services.letter_void, prefix="void",
                               done=_("答复函已作废，可以起草新的答复函替换。"))
