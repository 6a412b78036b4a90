"""附件 of a reply letter: its agency attaches PDFs or images to the draft; whoever may read
the letter downloads them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.files import download
from core.workflow import DomainError

from .. import services
from ..forms import LetterAttachmentForm
from ..models import LetterAttachment
from .agency import letter_or_404


def _letter_url(letter_id: int) -> str:
    return reverse("replies:letter_detail", args=[letter_id]) + "#attachments"


@login_required
@require_POST
def letter_attachment_add(request, pk: int):
    letter = letter_or_404(request, pk)
    form = LetterAttachmentForm(request.POST, request.FILES, prefix="attachment")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_letter_url(letter.pk))
    try:
        attachment = services.letter_attachment_add(letter=letter, upload=form.cleaned_data["file"],
                                                    title=form.cleaned_data["title"], actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已添加附件“%(title)s”。") % {"title": attachment.title})
    return redirect(_letter_url(letter.pk))


@login_required
@require_POST
def letter_attachment_delete(request, pk: int):
    attachment = get_object_or_404(LetterAttachment.objects.visible_to(request.user).select_related("letter"), pk=pk)
    try:
        services.letter_attachment_delete(attachment=attachment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除附件“%(title)s”。") % {"title": attachment.title})
    return redirect(_letter_url(attachment.letter_id))


@login_required
@require_GET
def letter_attachment_download(request, pk: int):
    return download(get_object_or_404(LetterAttachment.objects.visible_to(request.user), pk=pk))
