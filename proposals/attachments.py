"""附件 of proposals: the materials a proposer sent with a proposal (PDF, images, Word
documents), uploaded by the liaison staff, read by whoever may read the proposal.

Files are checked by their content (:mod:`core.files`) and kept through the storage API
under a name that says nothing of the uploaded one; removing an attachment deletes its
file once the removal has committed.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core import files
from core.actions import action
from core.roles import require_liaison
from core.transactions import after_commit
from core.workflow import DomainError
from history.models import StateChange

from . import services
from .models import Proposal, ProposalAttachment

MAX_PER_PROPOSAL = 30


@action
def attachment_add(*, proposal: Proposal, upload, actor=None) -> ProposalAttachment:
    """Attach ``upload`` (an uploaded file) to ``proposal``."""
    require_liaison(actor)
    proposal = services.common.lock(proposal)
    proposal.check_allowed("attach")
    if proposal.attachments.count() >= MAX_PER_PROPOSAL:
        raise DomainError(_("一件提案最多上传%(n)s个附件。") % {"n": MAX_PER_PROPOSAL}, field="file")
    checked, data = files.check_upload(upload, files.MATERIALS)
    attachment = ProposalAttachment(
        proposal=proposal, name=checked.name, kind=checked.kind, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    attachment.file.save(checked.name, ContentFile(data), save=False)
    attachment.save()
    StateChange.record(attachment, action="attach", actor=actor, proposal=proposal,
                       data={"name": checked.name, "size": checked.size, "sha256": checked.sha256})
    return attachment


@action
def attachment_delete(*, attachment: ProposalAttachment, actor=None) -> None:
    require_liaison(actor)
    proposal = services.common.lock(attachment.proposal)
    proposal.check_allowed("attach")
    StateChange.record(attachment, action="detach", actor=actor, proposal=proposal,
                       data={"name": attachment.name, "sha256": attachment.sha256})
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    after_commit(storage.delete, name)
