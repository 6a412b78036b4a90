"""Reply letters (答复函): assembling, classing, ordering, sending for signing, signing,
returning and voiding."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pages import is_htmx, liaison_only, refuse
from core.roles import is_liaison, require_approver
from core.workflow import ConcurrentEdit, DomainError, IllegalMove
from proposals import answers
from proposals.contacts import missing_contact

from .. import services, verification
from ..composition import (
    letter_sections,
    recommendation_heading,
    suggested_class,
    worded_paragraphs,
)
from ..forms import (
    LetterAttachmentForm,
    LetterClassForm,
    LetterForm,
    MoveForm,
    ReasonForm,
    SignForm,
)
from ..models import ReplyLetter, Section
from ..pdf.compose import letter_content
from ..signing import certificate_of
from .agency import (
    chosen_assignment,
    handling_url,
    history_of,
    letter_or_404,
    may_sign,
    may_write,
    visible_proposals,
    writable_assignments,
)

# ---------------------------------------------------------------- reply letters (答复函)


@login_required
@require_POST
def letter_create(request, pk: int):
    """新建答复函: the lead agency (or a separate handler) starts its letter."""
    user = request.user
    proposal = get_object_or_404(visible_proposals(user), pk=pk)
    assignments = writable_assignments(user, proposal, answering=True)
    if not assignments:
        raise PermissionDenied(_("只有主办单位或分办单位的工作人员可以起草答复函。"))
    chosen = chosen_assignment(assignments, request.POST.get("agency"))
    if chosen is None:
        messages.error(request, _("请选择以哪个单位的名义起草答复函。"))
        return redirect(handling_url(proposal))
    try:
        letter = services.letter_create(proposal=proposal, agency=chosen.agency, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(handling_url(proposal))
    messages.success(request, _("答复函草稿已建立，开头已填入会办单位的名称，请核对各项内容。"))
    return redirect("replies:letter_detail", pk=letter.pk)


def _letter_groups(letter: ReplyLetter, user) -> tuple[list[dict], list[Section]]:
    """The letter's parts by recommendation: the approved sections in order, and the others
    the user may see (they print once approved)."""
    sections = list(
        letter_sections(letter).filter(pk__in=Section.objects.visible_to(user).values("pk"))
    )
    groups = []
    fixed = {part["ordinal"]: part for part in letter.parts} if letter.is_final else {}
    names = {s.agency.code: s.agency.short_name for s in sections}  # the sources' agencies, loaded already
    for recommendation in letter.proposal.recommendations.order_by("ordinal"):
        own = [s for s in sections if s.recommendation_id == recommendation.pk]
        placed = [s for s in own if s.state == Section.State.APPROVED]
        unused = []
        if letter.is_final:
            paragraphs = fixed.get(recommendation.ordinal, {}).get("paragraphs")
        else:
            worded = (letter.wording or {}).get(str(recommendation.ordinal))
            paragraphs = worded_paragraphs(worded, placed) if worded and placed else None
            if paragraphs is not None:  # approved since, or never cited: the wording may miss it
                cited = {i for item in worded["paragraphs"] for i in item.get("sources", [])}
                unused = [s.agency.short_name for s in placed if s.pk not in cited]
        groups.append({
            "recommendation": recommendation,
            "ordinal": recommendation.ordinal,
            "heading": recommendation_heading(recommendation),
            "placed": placed,
            "pending": [s for s in own if s.state != Section.State.APPROVED],
            "phrase": placed[0].adoption.phrase if placed and placed[0].adoption else "",
            "paragraphs": [{"text": p["text"], "sources": _sources_text(p["sources"], names)}
                           for p in paragraphs or []],
            "unused": unused,
        })
    return groups, sections


def _sources_text(sources: list[dict], names: dict) -> str:
    """来源：市民政局、市发改局 — or the letter's agency's own words."""
    if not sources:
        return _("本单位自拟")
    return "、".join(dict.fromkeys(names.get(s["agency"], s["agency"]) for s in sources))


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
        "history": history_of(user, letter),
        "contacts": list(proposal.contacts.filter(agency=letter.agency).select_related("agency")),
        "attachments": list(letter.attachments.all()),
        "attachment_form": LetterAttachmentForm(prefix="attachment"),
        "attachment_max_mb": f"{settings.ATTACHMENT_MAX_MB:g}",
        "contact_missing": missing_contact(proposal, letter.agency) if draft else None,
        "letter_form": LetterForm(initial=LetterForm.initial_for(letter)),
        "class_form": LetterClassForm(
            initial={"klass": letter.klass or suggested, "reason": letter.class_reason},
            suggested=suggested,
        ),
        "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
        "return_form": ReasonForm(prefix="return"),
        "void_form": ReasonForm(prefix="void"),
        "publication": services.publication.publication_state(letter),
        "verify_code": verification.display(letter.verify_code),
        # Before signing, the approver learns whether the letter will be signed digitally.
        "certificate": certificate_of(letter.agency) if signer and not letter.is_final else None,
        "may_hold": is_liaison(user) and letter.is_final and letter.state != ReplyLetter.State.VOIDED
        and letter.disclosure == "主动公开",
        "conflict": None,
    }
    context.update(overrides)
    return render(request, "replies/agency/letter.html", context, status=status)


@login_required
@require_GET
def letter_detail(request, pk: int):
    """答复函: its wording, the order of its parts, its class, the text as printed, and its moves."""
    return _letter_page(request, letter_or_404(request, pk))


def _moved_on(request, letter: ReplyLetter, error: IllegalMove):
    """The letter left the state this page was showing (someone else moved it): say so."""
    messages.error(request, error.message)
    return redirect("replies:letter_detail", pk=letter.pk)


@login_required
@require_POST
def letter_update(request, pk: int):
    """Save the letter's wording, guarded by the version it was loaded at."""
    letter = letter_or_404(request, pk)
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
            letter = letter_or_404(request, pk)
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
    letter = letter_or_404(request, pk)
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
    letter = letter_or_404(request, pk)
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
        letter = letter_or_404(request, pk)
        groups, _sections = _letter_groups(letter, request.user)
        return render(request, "replies/agency/_letter_parts.html", {
            "letter": letter, "groups": groups,
            "editable": letter.state == ReplyLetter.State.DRAFT and may_write(request.user, letter.agency),
            "content": letter_content(letter), "oob": True,
        })
    return redirect(reverse("replies:letter_detail", args=[letter.pk]) + "#parts")


def _letter_move(request, pk: int, service, done: str, **kwargs):
    letter = letter_or_404(request, pk)
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


@login_required
@require_POST
def letter_sign(request, pk: int):
    """签发: the approver signs; the number is allocated and the text is fixed."""
    letter = letter_or_404(request, pk)
    require_approver(request.user, letter.agency)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            letter = services.letter_sign(
                letter=letter, actor=request.user, signed_on=form.cleaned_data["signed_on"],
                comment=form.cleaned_data["comment"],
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
    letter = letter_or_404(request, pk)
    require_approver(request.user, letter.agency)
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


@liaison_only
@require_POST
def letter_publication(request, pk: int):
    """公开栏: the liaison staff hold a 主动公开 letter back (with a reason), or publish it again."""
    letter = letter_or_404(request, pk)
    try:
        if request.POST.get("publish") == "1":
            services.letter_publish(letter=letter, actor=request.user)
            messages.success(request, _("答复函已在公开栏发布。"))
        else:
            services.letter_hold(letter=letter, reason=request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("答复函已暂不公开。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("replies:letter_detail", pk=letter.pk)
