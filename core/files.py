"""Uploaded files (附件): what they are, told by their content and never by their name, and
whether they may be kept.

A file is accepted when its bytes are one of the kinds asked for — PDF, JPEG or PNG
images, Word documents (.docx, and the older .doc) — within the size limit, with nothing
that runs: a PDF with JavaScript, launch actions or embedded files, an encrypted PDF, a
Word document with macros, an image that does not decode or would decode to an enormous
bitmap are all refused, each with its reason in Chinese.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from .workflow import DomainError

PDF, JPEG, PNG, DOCX, DOC = "pdf", "jpeg", "png", "docx", "doc"
IMAGES = (JPEG, PNG)
PRINTABLE = (PDF, JPEG, PNG)  # what can print after a letter
MATERIALS = (PDF, JPEG, PNG, DOCX, DOC)  # what a proposer may attach

CONTENT_TYPES = {
    PDF: "application/pdf", JPEG: "image/jpeg", PNG: "image/png",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DOC: "application/msword",
}
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", DOC: "doc"}
KIND_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word（.docx）", DOC: "Word（.doc）"}

MAX_PDF_PAGES = 200
MAX_IMAGE_PIXELS = 60_000_000  # a 600 dpi A4 scan is about 35 million
# In a PDF: what runs, opens something else, or hides another file.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData)\b")


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    size: int
    sha256: str
    pages: int  # a PDF's pages; 1 for an image; 0 for a Word document
    name: str  # the name it was uploaded with, made safe to show and to send back


def max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_MB * 1024 * 1024)


def safe_name(name: str, kind: str) -> str:
    """The uploaded name without any folder, control characters or quotes, at most 100
    characters, ending in the extension of what the file really is."""
    stem = PurePath(str(name or "").replace("\\", "/")).name
    stem = re.sub(r"[\x00-\x1f\x7f\"<>|:*?/]", "", stem).strip(" .") or _("附件")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)[:90] or _("附件")
    return f"{stem}.{EXTENSIONS[kind]}"


def kind_of(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return DOCX  # a zip: checked to be a Word document below
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    return None


def check_upload(upload, allowed: tuple[str, ...]) -> tuple[Checked, bytes]:
    """The uploaded file's kind and facts, with its bytes; raises DomainError saying why a
    file is refused."""
    limit = max_bytes()
    size = getattr(upload, "size", None) or 0
    if size > limit:
        raise DomainError(_("文件太大：不能超过%(mb)s MB。") % {"mb": settings.ATTACHMENT_MAX_MB}, field="file")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError(_("文件太大：不能超过%(mb)s MB。") % {"mb": settings.ATTACHMENT_MAX_MB}, field="file")
    if not data:
        raise DomainError(_("文件是空的。"), field="file")
    kind = kind_of(data[:16])
    if kind not in allowed:
        raise DomainError(_("只能上传以下类型的文件：%(kinds)s（按文件内容判断，不看扩展名）。") % {
            "kinds": "、".join(KIND_NAMES[k] for k in allowed)}, field="file")
    pages = {PDF: _check_pdf, JPEG: _check_image, PNG: _check_image, DOCX: _check_docx, DOC: _check_doc}[kind](data)
    return Checked(kind, CONTENT_TYPES[kind], len(data), hashlib.sha256(data).hexdigest(), pages,
                   safe_name(getattr(upload, "name", ""), kind)), data


def _check_pdf(data: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if PDF_ACTIVE.search(data):
        raise DomainError(_("PDF文件含有脚本、动作或嵌入的其他文件，不能上传；请另存为普通PDF后再上传。"), field="file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DomainError(_("PDF文件已加密，不能上传；请去除密码后再上传。"), field="file")
        root = reader.trailer["/Root"]
        active = [key for key in ("/OpenAction", "/AA") if key in root]
        names = root.get("/Names")
        if names is not None and any(key in names.get_object() for key in ("/JavaScript", "/EmbeddedFiles")):
            active.append("/Names")
        pages = len(reader.pages)
        for page in reader.pages:
            if "/AA" in page:
                active.append("/AA")
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                if action is not None and action.get_object().get("/S") in ("/JavaScript", "/Launch"):
                    active.append("/A")
    except DomainError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise DomainError(_("无法读取这个PDF文件，请确认文件完好，或另存为PDF后再上传。"), field="file") from error
    if active:
        raise DomainError(_("PDF文件含有脚本、动作或嵌入的其他文件，不能上传；请另存为普通PDF后再上传。"), field="file")
    if not 0 < pages <= MAX_PDF_PAGES:
        raise DomainError(_("PDF文件的页数须在1至%(n)s页之间。") % {"n": MAX_PDF_PAGES}, field="file")
    return pages


def _check_image(data: bytes) -> int:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise DomainError(_("图片太大（像素过多），请缩小后再上传。"), field="file")
            image.verify()
    except DomainError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise DomainError(_("无法读取这张图片，请确认文件完好。"), field="file") from error
    return 1


def _check_docx(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DomainError(_("无法读取这个Word文件，请确认文件完好。"), field="file") from error
    if "word/document.xml" not in names:
        raise DomainError(_("只能上传以下类型的文件：%(kinds)s（按文件内容判断，不看扩展名）。") % {
            "kinds": "Word（.docx）"}, field="file")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in types:
        raise DomainError(_("Word文件含有宏，不能上传；请另存为不含宏的.docx文件后再上传。"), field="file")
    return 0


def _check_doc(data: bytes) -> int:
    macro = "_VBA_PROJECT".encode("utf-16-le")
    if macro in data or "Macros".encode("utf-16-le") in data:
        raise DomainError(_("Word文件含有宏，不能上传；请另存为不含宏的.docx文件后再上传。"), field="file")
    return 0


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def download(stored):
    """Send a stored attachment (anything with ``file``, ``name`` and ``content_type``) as a
    download that the browser never runs or renders in the site's origin. Attachments are
    at most ``ATTACHMENT_MAX_MB``, so they are read whole."""
    from django.http import Http404, HttpResponse
    from django.utils.encoding import iri_to_uri

    try:
        with stored.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as error:
        raise Http404(_("附件文件已不存在，请联系管理员。")) from error
    response = HttpResponse(data, content_type=stored.content_type)
    ascii_name = f"attachment.{stored.name.rpartition('.')[2]}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{iri_to_uri(stored.name)}")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
