"""附件 of reply letters: PDFs or images the letter's agency attaches to its draft; they
print after the letter, each from a new page marked 附件1, 附件2 …, and the letter lists
them in its 附件说明. A signed letter's attachments are fixed with it."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils.translation import gettext as _

from core import files
from core.actions import action
from core.roles import require_agency_member
from core.transactions import after_commit
from core.workflow import DomainError, IllegalMove
from history.models import StateChange

from ..models import LetterAttachment, ReplyLetter
from .common import lock_letter, require_handling

MAX_PER_LETTER = 20
TITLE_MAX = 100


def _check_draft(letter: ReplyLetter, actor) -> None:
    require_agency_member(actor, letter.agency)
    if letter.state != ReplyLetter.State.DRAFT:
        raise IllegalMove(_("答复函当前状态为“%(state)s”，只有草稿可以增删附件。") % {
            "state": letter.get_state_display()})
    require_handling(letter.proposal)


def clean_title(title: str) -> str:
    """附件名称 as GB/T 9704 lists it: one line of text, no punctuation after it."""
    title = " ".join(str(title or "").split()).rstrip("。，、；：.,;:")
    if not title:
        raise DomainError(_("请填写附件名称。"), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("附件名称不能超过%(n)s个字。") % {"n": TITLE_MAX}, field="title")
    return title


@action
def letter_attachment_add(*, letter: ReplyLetter, upload, title: str = "", actor=None) -> LetterAttachment:
    """Attach a PDF or an image to a draft letter, last in order."""
    letter = lock_letter(letter)
    _check_draft(letter, actor)
    title = clean_title(title or files.safe_name(getattr(upload, "name", ""), files.PDF).rpartition(".")[0])
    if letter.attachments.count() >= MAX_PER_LETTER:
        raise DomainError(_("一份答复函最多有%(n)s个附件。") % {"n": MAX_PER_LETTER}, field="file")
    checked, data = files.check_upload(upload, files.PRINTABLE)
    last = letter.attachments.aggregate(m=Max("position"))["m"] or 0
    attachment = LetterAttachment(
        letter=letter, position=last + 1, title=title, name=checked.name, kind=checked.kind,
        content_type=checked.content_type, size=checked.size, pages=checked.pages, sha256=checked.sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    attachment.file.save(checked.name, ContentFile(data), save=False)
    attachment.save()
    letter.version += 1
    letter.save(update_fields=["version", "updated_at"])
    StateChange.record(letter, action="attach", actor=actor, proposal=letter.proposal,
                       data={"title": title, "name": checked.name, "sha256": checked.sha256})
    return attachment


@action
def letter_attachment_delete(*, attachment: LetterAttachment, actor=None) -> None:
    letter = lock_letter(attachment.letter)
    _check_draft(letter, actor)
    StateChange.record(letter, action="detach", actor=actor, proposal=letter.proposal,
                       data={"title": attachment.title, "sha256": attachment.sha256})
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    for position, item in enumerate(letter.attachments.order_by("position", "id"), start=1):
        if item.position != position:
            LetterAttachment.objects.filter(pk=item.pk).update(position=position)
    letter.version += 1
    letter.save(update_fields=["version", "updated_at"])
    after_commit(storage.delete, name)
