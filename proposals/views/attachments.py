"""附件 pages of proposals: liaison staff upload and remove the materials a proposal came
with; whoever may read the proposal downloads them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.files import download
from core.pages import liaison_only
from core.workflow import DomainError

from .. import attachments
from ..handling_forms import AttachmentForm
from ..models import Proposal, ProposalAttachment


def _detail(proposal_id: int) -> str:
    return reverse("proposals:detail", args=[proposal_id]) + "#attachments"


@liaison_only
@require_POST
def attachment_add(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect(_detail(proposal.pk))
    try:
        attachment = attachments.attachment_add(proposal=proposal, upload=form.cleaned_data["file"],
                                                actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已上传附件“%(name)s”。") % {"name": attachment.name})
    return redirect(_detail(proposal.pk))


@liaison_only
@require_POST
def attachment_delete(request, pk: int):
    attachment = get_object_or_404(ProposalAttachment.objects.visible_to(request.user), pk=pk)
    try:
        attachments.attachment_delete(attachment=attachment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.name})
    return redirect(_detail(attachment.proposal_id))


@login_required
@require_GET
def attachment_download(request, pk: int):
    attachment = get_object_or_404(ProposalAttachment.objects.visible_to(request.user), pk=pk)
    return download(attachment)
