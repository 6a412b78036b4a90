"""/verify/'s answers: the letter a code names, and how an uploaded PDF compares with the
stored signed letter (byte for byte, its text, its digital signature)."""

from __future__ import annotations

import dataclasses

from .verification import found_in_bytes, found_in_text

# Written into the document information of the portal's copy (replies.pdf.render_published_pdf).
PUBLISHED_MARK = b"publishedcopy"
# ... and of a signed letter printed without its seal, for stamping by hand.
UNSEALED_MARK = b"unsealedcopy"


def _signed_letters():
    from .models import ReplyLetter

    states = [ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED, ReplyLetter.State.VOIDED]
    return ReplyLetter.objects.filter(state__in=states).select_related("agency")


def find_letter(code: str | None):
    """The signed (or issued, or voided) letter with ``code``, or None."""
    if not code:
        return None
    return _signed_letters().filter(verify_code=code).first()


# An uploaded PDF's text is read only when its page contents are small enough: a few
# kilobytes of compressed stream can expand to gigabytes (a "zip bomb" made as a PDF).
TEXT_BUDGET = 8 * 1024 * 1024  # bytes of page content, all pages together
MAX_PAGES = 200


def _contents_fit(reader) -> bool:
    """Whether every page's content streams and form XObjects, expanded, stay within
    TEXT_BUDGET; measured by inflating with a cap, never fully, and only Flate or plain
    streams (what letters are made of) are measured — anything else is not read."""
    import zlib

    from pypdf.generic import ArrayObject

    left = TEXT_BUDGET
    if len(reader.pages) > MAX_PAGES:
        return False
    for page in reader.pages:
        streams = []
        contents = page.get("/Contents")
        if contents is not None:
            contents = contents.get_object()
            streams += [item.get_object() for item in contents] if isinstance(contents, ArrayObject) else [contents]
        resources = (page.get("/Resources") or {})
        resources = resources.get_object() if hasattr(resources, "get_object") else resources
        for xobject in ((resources.get("/XObject") or {}).get_object() if resources else {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                streams.append(xobject)
        for stream in streams:
            raw = getattr(stream, "_data", b"") or b""
            kind = stream.get("/Filter")
            if kind is None:
                left -= len(raw)
            elif kind == "/FlateDecode":
                inflater = zlib.decompressobj()
                try:
                    left -= len(inflater.decompress(raw, max(left, 0) + 1))
                except zlib.error:
                    return False
            else:
                return False
            if left < 0:
                return False
    return True


def _text_of(data: bytes) -> list[str]:
    """Each page's text; [] when the file cannot be read as PDF, or would expand too far."""
    import io

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if not _contents_fit(reader):
            return []
        return [page.extract_text() or "" for page in reader.pages]
    except Exception:  # any damage in an uploaded file
        return []


def _keywords(data: bytes) -> bytes:
    """The document information's Keywords (where a letter names its code), or b""."""
    import io

    from pypdf import PdfReader

    try:
        return str((PdfReader(io.BytesIO(data), strict=False).metadata or {}).get("/Keywords", "")).encode()
    except Exception:  # any damage in an uploaded file
        return b""


def _first_difference(ours: list[str], theirs: list[str]) -> str:
    """Where the text differs: the page, never the stored letter's words (the archived text
    of a letter — its contact details, say — is not read out to whoever uploads a file)."""
    from django.utils.translation import gettext as _

    if not theirs:
        return _("文件无法读取文字（已损坏，或内容过大），不能比较文字。")
    if len(ours) != len(theirs):
        return _("页数不同：上传的文件 %(theirs)d 页，存档签发稿 %(ours)d 页。") % {
            "theirs": len(theirs), "ours": len(ours)}
    for number, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        if "".join(a.split()) != "".join(b.split()):  # spacing is layout, not text
            return _("第%(page)d页的文字与存档签发稿不同。") % {"page": number}
    return _("文字看起来相同，但文件已被改动（可能是格式、图片、印章或隐藏的内容）。")


@dataclasses.dataclass
class FileCheck:
    """What /verify/ says about an uploaded PDF."""

    letter: object | None = None  # the letter it was compared with
    same: bool = False  # byte for byte the stored signed PDF
    other_letter: object | None = None  # the file is this other letter's stored PDF
    differences: list = dataclasses.field(default_factory=list)
    signature: object | None = None  # signing.SignatureCheck
    signed_by_agency: bool = False  # the signature was made with the letter's certificate
    sha256: str = ""


def check_file(data: bytes, code: str | None = None) -> FileCheck:
    """Compare an uploaded PDF with the stored signed letter: the one whose code is given,
    else the one it is byte for byte, else the one whose code it prints."""
    import functools
    import hashlib

    from django.utils.translation import gettext as _

    from agencies.certificates import trust_roots

    from .services.stored import StoredPDFError, letter_pdf_bytes
    from .signing import check_signature

    # what is read from the upload, read once however many questions need it
    keywords = functools.cache(lambda: _keywords(data))
    theirs = functools.cache(lambda: _text_of(data))
    result = FileCheck(sha256=hashlib.sha256(data).hexdigest())
    exact = _signed_letters().filter(pdf_sha256=result.sha256).first()
    letter = find_letter(code) if code else None
    if code and letter is None:
        return result
    if letter is None:
        letter = (exact or find_letter(found_in_bytes(data) or found_in_bytes(keywords()))
                  or find_letter(found_in_text("".join(theirs()))))
    if letter is None:
        return result
    result.letter = letter
    result.signature = check_signature(data, trust_roots())
    result.signed_by_agency = bool(
        result.signature.fingerprint and result.signature.fingerprint == letter.signature_fingerprint)
    if exact is not None and exact.pk == letter.pk:
        result.same = True
        return result
    if exact is not None:
        result.other_letter = exact
        result.differences.append(_("这是另一封答复函（%(number)s）的签发稿，不是验证码所指的答复函。")
                                  % {"number": exact.number})
        return result
    if PUBLISHED_MARK in keywords():
        result.differences.append(_("这是公开栏发布的公开版（联系方式已隐去、不含附件），不是签发稿本身，"
                                    "与签发稿不同是正常的；签发稿的信息见下方。"))
    elif UNSEALED_MARK in keywords():
        result.differences.append(_("这是系统生成的无印章打印版（供加盖实物印章），不是电子签发稿本身，"
                                    "没有数字签名是正常的；签发稿的信息见下方。"))
    try:
        stored = letter_pdf_bytes(letter=letter)
    except StoredPDFError:
        result.differences.append(_("存档签发稿暂时无法读取，请联系发文单位。"))
        return result
    if len(stored) == len(data):
        changed = [i for i, (a, b) in enumerate(zip(stored, data, strict=True)) if a != b]
        result.differences.append(
            _("文件大小相同，但有%(count)d个字节被改动。") % {"count": len(changed)})
    else:
        result.differences.append(
            _("文件大小不同：上传的文件%(theirs)d字节，存档签发稿%(ours)d字节（文件被改动或另存过）。")
            % {"theirs": len(data), "ours": len(stored)})
    result.differences.append(_first_difference(_text_of(stored), theirs()))
    return result
