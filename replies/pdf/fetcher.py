"""The only way a letter's HTML or CSS may load anything.

WeasyPrint's own fetcher follows any http(s) or file: URL, so a tag in a template
or in user text could make the server fetch an address or embed a local file in
the PDF. Letters use ``asset:`` URLs instead, and this fetcher serves just these:
the letters' own static files (``asset:static/letters/…``), an agency's seal
(``asset:seal/<agency id>``), a letter attachment's image and the QR code of a
verification code (``asset:qr/<code>``). Everything else is refused, so it is
neither fetched nor embedded.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import PurePosixPath

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from agencies.seals import normalized_seal
from core.workflow import DomainError

logger = logging.getLogger(__name__)

STATIC_PREFIX = "asset:static/"
SEAL_PREFIX = "asset:seal/"
ATTACHMENT_PREFIX = "asset:attachment/"
QR_PREFIX = "asset:qr/"
STATIC_FOLDER = "letters"


class RefusedURL(ValueError):
    """A URL the letter renderer will not load."""


class LetterURLFetcher(URLFetcher):
    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"asset"}, allow_redirects=False, timeout=1, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_PREFIX):
            return self._static(url, url[len(STATIC_PREFIX):])
        if url.startswith(SEAL_PREFIX):
            return self._seal(url, url[len(SEAL_PREFIX):])
        if url.startswith(ATTACHMENT_PREFIX):
            return self._attachment(url, url[len(ATTACHMENT_PREFIX):])
        if url.startswith(QR_PREFIX):
            return self._qr(url, url[len(QR_PREFIX):])
        return self._refuse(url)

    def _qr(self, url, code):
        """The QR code of a letter's verification address: one pixel a module (drawn sharp)."""
        from .. import verification
        from .marks import qr_png, verification_url

        if verification.parse(code) != code:
            return self._refuse(url)
        return URLFetcherResponse(url, qr_png(verification_url(code)), {"Content-Type": "image/png"})

    def _refuse(self, url):
        self.refused.append(url)
        logger.warning("letter renderer refused to load %s", url[:200])
        raise RefusedURL(f"not loaded: {url[:200]}")

    def _static(self, url, name):
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != STATIC_FOLDER:
            return self._refuse(url)
        found = finders.find(str(path))
        if not found:
            return self._refuse(url)
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _seal(self, url, agency_id):
        from agencies.models import Agency

        if not agency_id.isdigit():
            return self._refuse(url)
        agency = Agency.objects.filter(pk=int(agency_id)).first()
        if agency is None or not agency.seal:
            return self._refuse(url)
        with agency.seal.open("rb") as handle:
            body = handle.read()
        try:
            # A seal stored before seals were scaled down on saving is scaled here.
            body = normalized_seal(body)
        except DomainError:
            return self._refuse(url)
        return URLFetcherResponse(url, body, {"Content-Type": "image/png"})

    def _attachment(self, url, attachment_id):
        """A letter attachment's image (checked when it was uploaded)."""
        from ..models import LetterAttachment

        if not attachment_id.isdigit():
            return self._refuse(url)
        attachment = LetterAttachment.objects.filter(pk=int(attachment_id), kind__in=("jpeg", "png")).first()
        if attachment is None:
            return self._refuse(url)
        with attachment.file.open("rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": attachment.content_type})
