"""The proposer side's pages: 我的提案 (what I signed and how it is handled), writing a
proposal online, answering an invitation to co-sign, reading the reply and rating it.
Every page is for a proposer account and reads only that proposer's own records."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import files
from core.pages import allowed, refuse
from core.roles import is_proposer, proposer_of
from core.workflow import ConcurrentEdit, DomainError
from followup import selectors as followup_selectors
from proposals.ratings import latest_ratings
from proposals.services import common
from replies.services import StoredPDFError, letter_pdf_bytes
from replies.views.documents import file_response

from . import selectors, services
from .forms import InviteForm, OnlineProposalForm, RatingForm, recommendations_text
from .models import DraftAttachment, Invitation, OnlineProposal

PROPOSERS_ONLY = gettext_lazy("本页面供提案者使用。")


def proposer_only(view):
    """Signed in as a proposer account; anyone else is refused (403)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.proposer = proposer_of(request.user)
        return view(request, *args, **kwargs)

    return allowed(is_proposer, PROPOSERS_ONLY)(wrapped)


@require_http_methods(["GET"])
@proposer_only
def home(request):
    proposer = request.proposer
    proposals = list(selectors.my_proposals(proposer).prefetch_related("signatures")
                     .order_by("-session__year", "-number"))
    for proposal in proposals:
        proposal.my_role = next((s.get_role_display() for s in proposal.signatures.all()
                                 if s.proposer_id == proposer.pk), "")
    drafts = list(selectors.my_online(proposer).filter(lead=proposer, state=OnlineProposal.State.DRAFT))
    return render(request, "members/home.html", {
        "proposer": proposer, "proposals": proposals, "drafts": drafts,
        "invitations": list(selectors.pending_invitations(proposer)),
        "cosigning": list(selectors.invitations_for(proposer).filter(
            state=Invitation.State.CONFIRMED, online__state=OnlineProposal.State.DRAFT)),
    })


def _form_initial(online: OnlineProposal | None) -> dict:
    if online is None:
        return {}
    return {"session": online.session_id, "title": online.title, "category": online.category_id,
            "body": online.body, "recommendations": recommendations_text(online.recommendations),
            "cosign_deadline": online.cosign_deadline, "version": online.version}


def _save(request, form, online):
    data = form.cleaned_data
    text = data["recommendations"] or ""
    items = services.recommendations_from(text or data["body"])
    if text.strip() and not items:
        raise DomainError(_("没有识别出编号的建议。请每条以“一、”“二、”（或“1.”“2.”）开头。"),
                          field="recommendations")
    return services.online_save(
        proposer=request.proposer, session=data["session"], title=data["title"], body=data["body"],
        category=data["category"], recommendations=items, cosign_deadline=data["cosign_deadline"],
        online=online, expected_version=data["version"] if online else None, actor=request.user)


@require_http_methods(["GET", "POST"])
@proposer_only
def online_create(request):
    form = OnlineProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            online = _save(request, form, None)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("草稿已保存。请核对识别出的建议，邀请联名后提交。"))
            return redirect("members:online", pk=online.pk)
    return render(request, "members/online_form.html", {"form": form, "online": None})


@require_http_methods(["GET", "POST"])
@proposer_only
def online_detail(request, pk: int):
    """The online proposal: its lead edits, invites and submits; an invited proposer reads
    it and confirms or declines."""
    proposer = request.proposer
    online = selectors.online_for(proposer, pk)
    is_lead = online.lead_id == proposer.pk
    if request.method == "POST" and not is_lead:
        raise PermissionDenied
    form = None
    if is_lead and online.state == OnlineProposal.State.DRAFT:
        form = OnlineProposalForm(request.POST or None, initial=_form_initial(online))
        if request.method == "POST" and form.is_valid():
            try:
                _save(request, form, online)
            except ConcurrentEdit as error:
                form.add_error(None, _("保存失败：这份草稿已在别处修改（例如另一台设备）。请重新打开本页后再修改。")
                               if not error.message else error.message)
            except DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, _("草稿已保存。"))
                return redirect("members:online", pk=online.pk)
    elif request.method == "POST":
        messages.error(request, online.refusal("edit"))
        return redirect("members:online", pk=online.pk)
    mine = next((i for i in online.invitations.all() if i.proposer_id == proposer.pk), None)
    return render(request, "members/online_detail.html", {
        "online": online, "form": form, "is_lead": is_lead, "invitation": mine,
        "invite_form": InviteForm(), "submit_refusal": services.submit_refusal(online) if is_lead else "",
        "today": common.today(),
    })


def _lead_action(request, pk, run, done: str):
    online = selectors.online_for(request.proposer, pk)
    try:
        run(online)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("members:online", pk=online.pk)


@require_POST
@proposer_only
def invite(request, pk: int):
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写受邀提案者的姓名或名称（不超过100字）。"))
        return redirect("members:online", pk=selectors.online_for(request.proposer, pk).pk)
    return _lead_action(request, pk, lambda online: services.invitation_add(
        online=online, proposer=request.proposer, name=form.cleaned_data["name"], actor=request.user),
        _("已发出联名邀请。"))


@require_POST
@proposer_only
def invitation_remove(request, pk: int):
    invitation = selectors.invitation_for(request.proposer, pk, as_lead=True)
    try:
        services.invitation_remove(invitation=invitation, proposer=request.proposer, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤回对%(name)s的联名邀请。") % {"name": invitation.proposer.name})
    return redirect("members:online", pk=invitation.online_id)


@require_POST
@proposer_only
def invitation_answer(request, pk: int):
    invitation = selectors.invitation_for(request.proposer, pk)
    confirm = request.POST.get("answer") == "confirm"
    if request.POST.get("answer") not in ("confirm", "decline"):
        messages.error(request, _("请选择确认联名或谢绝。"))
        return redirect("members:online", pk=invitation.online_id)
    try:
        services.invitation_answer(invitation=invitation, proposer=request.proposer, confirm=confirm,
                                   actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已确认联名。") if confirm else _("已谢绝联名。"))
    return redirect("members:online", pk=invitation.online_id)


@require_POST
@proposer_only
def attachment_add(request, pk: int):
    upload = request.FILES.get("file")
    if upload is None:
        online = selectors.online_for(request.proposer, pk)
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("members:online", pk=online.pk)
    return _lead_action(request, pk, lambda online: services.attachment_add(
        online=online, proposer=request.proposer, upload=upload, actor=request.user), _("附件已上传。"))


def _draft_attachment(request, pk: int) -> DraftAttachment:
    attachment = DraftAttachment.objects.select_related("online").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    selectors.online_for(request.proposer, attachment.online_id)  # 404 unless theirs
    return attachment


@require_http_methods(["GET"])
@proposer_only
def attachment(request, pk: int):
    return files.download(_draft_attachment(request, pk))


@require_POST
@proposer_only
def attachment_delete(request, pk: int):
    attachment = _draft_attachment(request, pk)
    try:
        services.attachment_delete(attachment=attachment, proposer=request.proposer, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("members:online", pk=attachment.online_id)


@require_POST
@proposer_only
def online_submit(request, pk: int):
    online = selectors.online_for(request.proposer, pk)
    try:
        proposal = services.online_submit(online=online, proposer=request.proposer, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("members:online", pk=online.pk)
    messages.success(request, _("提案已提交，编号为第%(number)s号，等待提案委审查。") % {"number": proposal.number})
    return redirect("members:proposal", pk=proposal.pk)


@require_POST
@proposer_only
def online_delete(request, pk: int):
    online = selectors.online_for(request.proposer, pk)
    try:
        services.online_delete(online=online, proposer=request.proposer, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("members:online", pk=online.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("members:home")


@require_http_methods(["GET", "POST"])
@proposer_only
def proposal_detail(request, pk: int):
    """Following the handling, and rating the answer."""
    proposer = request.proposer
    proposal = selectors.my_proposal(proposer, pk)
    ratings = latest_ratings(proposal)
    mine = next((f for f in ratings if f.proposer_id == proposer.pk and f.online), None)
    refusal = services.rating_refusal(proposal)
    form = RatingForm(request.POST or None, initial={"handling": mine.handling, "result": mine.result,
                                                     "comment": mine.comment} if mine else None)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect("members:proposal", pk=proposal.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = services.rating_record(proposal=proposal, proposer=proposer, handling=data["handling"],
                                                  result=data["result"], comment=data["comment"], actor=request.user)
            except DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, _("感谢您的评价。") if not feedback.is_dissatisfied
                                 else _("已收到您的评价。提案委将研究是否交承办单位重新办理。"))
                return redirect("members:proposal", pk=proposal.pk)
    role = next((s for s in proposal.signatures.all() if s.proposer_id == proposer.pk), None)
    return render(request, "members/proposal.html", {
        "proposal": proposal, "role": role, "decision": selectors.review_decision(proposal),
        "letters": proposal.signed_letters, "form": form, "mine": mine, "refusal": refusal,
        "window": services.rating_window(proposal),
        "status": _public_state(proposal),
        "commitments": followup_selectors.of_proposal(
            proposal, agencies={letter.agency_id for letter in proposal.signed_letters}),
        "today": common.today(),
    }, status=200)


def _public_state(proposal) -> str:
    """The proposal's state as a proposer reads it: 办理中 for the agencies' work."""
    if proposal.state in ("assigned", "reopened"):
        return _("办理中") if proposal.state == "assigned" else _("重新办理中")
    return proposal.get_state_display()


@require_http_methods(["GET"])
@proposer_only
def letter_pdf(request, pk: int):
    """The stored signed letter, the very file the agency signed."""
    letter = selectors.my_letter(request.proposer, pk)
    try:
        data = letter_pdf_bytes(letter=letter)
    except StoredPDFError as error:
        return render(request, "replies/pdf_unavailable.html", {"message": error.message}, status=500)
    name = letter.number or _("答复函%(id)s") % {"id": letter.pk}
    return file_response(data, filename=f"{name}.pdf", fallback=f"letter-{letter.pk}.pdf",
                         content_type="application/pdf", attachment=request.GET.get("download") == "1")
