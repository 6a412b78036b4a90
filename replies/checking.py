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


def _text_of(data: bytes) -> list[str]:
    """Each page's text, or [] when the file cannot be read as PDF."""
    import io

    from pypdf import PdfReader

    try:
        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data), strict=False).pages]
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
    from django.utils.translation import gettext as _

    if not theirs:
        return _("文件无法作为PDF读取，不能比较文字。")
    if len(ours) != len(theirs):
        return _("页数不同：上传的文件 %(theirs)d 页，存档签发稿 %(ours)d 页。") % {
            "theirs": len(theirs), "ours": len(ours)}
    for number, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        a, b = "".join(a.split()), "".join(b.split())  # spacing is layout, not text
        if a != b:
            position = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return _("第%(page)d页文字不同，存档为“%(ours)s”，上传的文件为“%(theirs)s”。") % {
                "page": number, "ours": a[position:position + 12].replace("\n", " "),
                "theirs": b[position:position + 12].replace("\n", " "),
            }
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
    import hashlib

    from django.utils.translation import gettext as _

    from agencies.certificates import trust_roots

    from .services.stored import StoredPDFError, letter_pdf_bytes
    from .signing import check_signature

    result = FileCheck(sha256=hashlib.sha256(data).hexdigest())
    exact = _signed_letters().filter(pdf_sha256=result.sha256).first()
    letter = find_letter(code) if code else None
    if code and letter is None:
        return result
    if letter is None:
        letter = (exact or find_letter(found_in_bytes(data) or found_in_bytes(_keywords(data)))
                  or find_letter(found_in_text("".join(_text_of(data)))))
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
    keywords = _keywords(data)
    if PUBLISHED_MARK in keywords:
        result.differences.append(_("这是公开栏发布的公开版（联系方式已隐去、不含附件），不是签发稿本身，"
                                    "与签发稿不同是正常的；签发稿的信息见下方。"))
    elif UNSEALED_MARK in keywords:
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
    result.differences.append(_first_difference(_text_of(stored), _text_of(data)))
    return result
