"""The stored PDF of a signed letter (签发稿): rendered once, kept with its SHA-256."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from agencies.certificates import CertificateError
from core.actions import action
from core.workflow import (
    DomainError,
    IllegalMove,
)

from ..models import ReplyLetter
from ..pdf import render_letter_pdf
from ..signing import identity_for, sign_pdf
from .common import lock_letter

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- stored PDFs (签发稿)


class StoredPDFError(DomainError):
    """The stored PDF of a letter is missing or no longer matches its checksum."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pdf_file_name(letter: ReplyLetter) -> str:
    year = letter.doc_year or (letter.signed_on.year if letter.signed_on else 0)
    return f"letter-{year}-{letter.pk}.pdf"


@action
def letter_store_pdf(*, letter: ReplyLetter) -> ReplyLetter:
    """Render a signed letter's final PDF (PDF/A), sign it digitally with the agency's
    certificate when it has one (PAdES), and keep it, with its SHA-256.

    Idempotent: a letter that already has a stored PDF is returned untouched, so the
    PDF is rendered once and every later download is the same file. A voided letter
    keeps its PDF; one voided before its PDF was stored gets it rendered as signed.
    """
    letter = lock_letter(letter)
    if letter.pdf:
        return letter
    if not letter.is_final:
        raise IllegalMove(
            _("答复函当前状态为“%(state)s”，签发后才能生成正式PDF。") % {"state": letter.get_state_display()}
        )
    data = render_letter_pdf(letter)
    identity = identity_for(letter.agency)
    if identity is not None:
        signed = sign_pdf(data, identity, reason=_("签发答复函 %(number)s") % {"number": letter.number},
                          location=letter.agency.name,
                          # in plain bytes: /verify/ finds the letter even in a damaged copy
                          contact=f"verify{letter.verify_code}" if letter.verify_code else "")
        data = signed.data
        letter.signature_level, letter.signature_subject = signed.level, signed.subject
        letter.signature_fingerprint = signed.fingerprint
    letter.pdf.save(_pdf_file_name(letter), ContentFile(data), save=False)
    stored_name = letter.pdf.name
    # The file is written before the row; if the row cannot be saved, remove the file.
    try:
        letter.pdf_sha256 = _sha256(data)
        letter.save(update_fields=["pdf", "pdf_sha256", "signature_level", "signature_subject",
                                   "signature_fingerprint"])
    except BaseException:
        letter.pdf.storage.delete(stored_name)
        raise
    logger.info("stored the PDF of letter %s (%s) as %s", letter.pk, letter.number, stored_name)
    return letter


def letter_pdf_bytes(*, letter: ReplyLetter) -> bytes:
    """The stored final PDF of a signed, issued or voided letter, checked against its SHA-256.

    A letter without a stored PDF yet (the task has not run, or a letter imported from an
    earlier system) gets it stored now. A file that is missing or altered is refused.
    """
    if not letter.pdf or not letter.pdf_sha256:
        try:
            letter = letter_store_pdf(letter=letter)
        except CertificateError as error:  # the certificate, or the time-stamping server
            raise StoredPDFError(error.message) from error
    try:
        with letter.pdf.open("rb") as stored:
            data = stored.read()
    except OSError as error:
        logger.error("the stored PDF of letter %s (%s) cannot be read: %s",
                     letter.pk, letter.number, error)
        raise StoredPDFError(
            _("答复函 %(number)s 的存档PDF文件无法读取，请联系系统管理员。") % {"number": letter.number}
        ) from error
    digest = _sha256(data)
    if digest != letter.pdf_sha256:
        logger.error(
            "the stored PDF of letter %s (%s) fails its checksum: expected %s, found %s (%s)",
            letter.pk, letter.number, letter.pdf_sha256, digest, letter.pdf.name,
        )
        raise StoredPDFError(
            _("答复函 %(number)s 的存档PDF文件与签发时的校验值不符，可能已被改动，系统拒绝提供。请联系系统管理员。")
            % {"number": letter.number}
        )
    return data
