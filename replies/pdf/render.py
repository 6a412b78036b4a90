"""Rendering a laid-out letter to PDF with WeasyPrint."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from ..composition import build_parts, letter_paragraphs
from . import fonts
from .compose import Inset, Sheet, compose, letter_content, outside_the_block
from .fetcher import ATTACHMENT_PREFIX, LetterURLFetcher
from .layout import BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH

IMAGE_KINDS = ("jpeg", "png")
MM_PT = 72 / 25.4

STYLESHEET = "asset:static/letters/letter.css"


def _mm(value: float) -> str:
    return f"{value:.3f}mm"


def _font_css() -> str:
    red = settings.LETTER_RED if re.fullmatch(r"#[0-9A-Fa-f]{6}", settings.LETTER_RED) else "#E60012"
    rules = [f".red {{ color: {red}; }}", f".rule.red {{ background: {red}; }}"]
    for role in ("body", "title", "heading", "number", "kai"):
        font = fonts.stack(role)
        weight = "bold" if font.bold else "normal"
        families = font.css_families.replace("\\", "").replace("<", "")
        rules.append(f".f-{role} {{ font-family: {families}; font-weight: {weight}; }}")
    return "\n".join(rules)


# The element each printed line is, so that the tagged PDF reads as a document: the
# title as the heading of the letter, the parts' headings below it, the rest paragraphs.
TAGS = {"title": "h1", "heading": "h2", "page-number": "div", "verification": "div"}


def _reading_order(text) -> int:
    """The title is read first; then everything in the order it is laid out (a stable sort)."""
    return 0 if text.line.css_class == "title" else 1


def _sheet_context(sheet: Sheet) -> dict:
    texts = [
        {
            "text": text.line.text,
            "tag": TAGS.get(text.line.css_class, "p"),
            "classes": f"f-{text.line.role} {text.line.css_class}" + (" red" if text.red else ""),
            "style": (
                f"top:{_mm(text.top)};left:{_mm(text.line.x)};height:{_mm(text.height)};"
                f"line-height:{_mm(text.height)};font-size:{text.line.size_pt:.3f}pt;"
                f"letter-spacing:{_mm(text.line.spacing)}"
            ),
        }
        for text in sorted(sheet.texts, key=_reading_order)
    ]
    rules = [
        {
            "classes": "rule red" if rule.red else "rule",
            "style": f"top:{_mm(rule.top)};left:{_mm(rule.left)};width:{_mm(rule.width)};"
                     f"height:{_mm(rule.thickness)}",
        }
        for rule in sheet.rules
    ]
    seal = None
    if sheet.seal:
        seal = {
            "url": sheet.seal.url,
            "style": f"top:{_mm(sheet.seal.top)};left:{_mm(sheet.seal.left)};"
                     f"width:{_mm(sheet.seal.size)};height:{_mm(sheet.seal.size)}",
        }
    image = None
    if sheet.inset and sheet.inset.kind in IMAGE_KINDS:
        image = {
            "url": f"{ATTACHMENT_PREFIX}{sheet.inset.attachment}",
            "style": f"top:{_mm(sheet.inset.top)};left:0;width:{_mm(BLOCK_WIDTH)};"
                     f"height:{_mm(sheet.inset.height)}",
        }
    qr = None
    if sheet.qr:
        qr = {"svg": sheet.qr.svg,
              "style": f"top:{_mm(sheet.qr.top)};left:{_mm(sheet.qr.left)};"
                       f"width:{_mm(sheet.qr.size)};height:{_mm(sheet.qr.size)}"}
    return {"number": sheet.number, "texts": texts, "rules": rules, "seal": seal, "image": image,
            "qr": qr}


def letter_html(letter, *, draft: bool = False, seal: bool = True) -> str:
    return letter_document(letter, draft=draft, seal=seal)[0]


def letter_document(letter, *, draft: bool = False, seal: bool = True,
                    content=None) -> tuple[str, list[tuple[int, Inset]]]:
    """The letter laid out as HTML, and the attachment pages (PDF pages) to place into its
    pages once rendered: (page index, what goes there). ``content`` lays out that text
    instead of the letter's own (the published copy)."""
    content = content or letter_content(letter, draft=draft, seal=seal)
    sheets = compose(content)
    insets = [(i, sheet.inset) for i, sheet in enumerate(sheets)
              if sheet.inset is not None and sheet.inset.kind not in IMAGE_KINDS]
    return render_to_string("replies/pdf/letter.html", {
        "stylesheet": STYLESHEET,
        "font_css": _font_css(),
        "margin_top": _mm(BLOCK_TOP),
        "margin_left": _mm(BLOCK_LEFT),
        "title": content.title,
        "number": content.number,
        "agency": content.signatory,
        "verify_code": content.verify_code,
        "created": letter.signed_on.isoformat() if not content.draft and letter.signed_on else "",
        "draft": content.draft,
        "sheets": [_sheet_context(sheet) for sheet in sheets],
    }), insets


def html_to_pdf(html: str, *, archival: bool = False, identifier: str = "") -> bytes:
    """Render HTML made by this project; only :class:`LetterURLFetcher` may load anything.

    ``archival``: the PDF is written as ``LETTER_PDF_VARIANT`` (PDF/A-2b: fonts embedded,
    an sRGB output intent, XMP metadata with the letter's title, agency, number, date and
    language) and tagged, so that a screen reader reads it in order. ``identifier`` (the
    document number) goes into the XMP metadata too.
    """
    from weasyprint import HTML

    fetcher = LetterURLFetcher()
    document = HTML(string=html, base_url="asset:static/letters/", url_fetcher=fetcher)
    if not archival:
        return document.write_pdf(uncompressed_pdf=False)
    rendered = document.render(pdf_variant=settings.LETTER_PDF_VARIANT, pdf_tags=True)
    rendered.metadata = archival_metadata(rendered.metadata, identifier)
    return rendered.write_pdf(pdf_variant=settings.LETTER_PDF_VARIANT, pdf_tags=True,
                              uncompressed_pdf=False)


def archival_metadata(metadata, identifier: str):
    """WeasyPrint's metadata with what it leaves out of the XMP: dc:language (from the
    page's lang), dc:identifier (the document number) and dc:publisher (the agency)."""
    from xml.etree.ElementTree import SubElement, fromstring, tostring

    from weasyprint.pdf.metadata import NS, DocumentMetadata

    class LetterMetadata(DocumentMetadata):
        def generate_rdf_metadata(self, variant, version, conformance):
            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            description = SubElement(rdf, f"{{{NS['rdf']}}}Description")
            description.attrib[f"{{{NS['rdf']}}}about"] = ""
            if self.lang:
                bag = SubElement(SubElement(description, f"{{{NS['dc']}}}language"), f"{{{NS['rdf']}}}Bag")
                SubElement(bag, f"{{{NS['rdf']}}}li").text = self.lang
            if identifier:
                SubElement(description, f"{{{NS['dc']}}}identifier").text = identifier
            if self.authors:
                bag = SubElement(SubElement(description, f"{{{NS['dc']}}}publisher"), f"{{{NS['rdf']}}}Bag")
                for author in self.authors:
                    SubElement(bag, f"{{{NS['rdf']}}}li").text = author
            return tostring(rdf, encoding="utf-8")

    copy = LetterMetadata()
    copy.__dict__.update(metadata.__dict__)
    return copy


def render_letter_pdf(letter, *, draft: bool = False, seal: bool = True) -> bytes:
    """The letter as PDF: final once signed (archival, PDF/A), otherwise a preview marked 草稿."""
    content = letter_content(letter, draft=draft, seal=seal)
    html, insets = letter_document(letter, draft=draft, seal=seal, content=content)
    final = not content.draft
    return place_pages(html_to_pdf(html, archival=final, identifier=content.number if final else ""),
                       insets)


def render_published_pdf(letter) -> bytes:
    """The copy the public portal publishes: the signed letter laid out again with contact
    details masked and the 附注 naming the agency only (public.redaction), without its
    attachments. The stored signed PDF is not touched."""
    from ..redaction import redact_content

    html, insets = letter_document(letter, content=redact_content(letter_content(letter)))
    return place_pages(html_to_pdf(html), insets)


def place_pages(pdf: bytes, insets: list[tuple[int, Inset]]) -> bytes:
    """Put each attached PDF's pages into the pages laid out for them, scaled to fit their
    box in the text block, under the 附件N mark and the page number."""
    if not insets:
        return pdf
    import io

    from pypdf import PdfReader, PdfWriter, Transformation

    from ..models import LetterAttachment

    readers = {}
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for index, inset in insets:
        if inset.attachment not in readers:
            attachment = LetterAttachment.objects.get(pk=inset.attachment)
            with attachment.file.open("rb") as handle:
                readers[inset.attachment] = PdfReader(io.BytesIO(handle.read()), strict=False)
        source = readers[inset.attachment].pages[inset.page]
        box = source.mediabox
        width, height = float(box.width), float(box.height)
        target = writer.pages[index]
        page_height = float(target.mediabox.height)
        room_w, room_h = BLOCK_WIDTH * MM_PT, inset.height * MM_PT
        scale = min(room_w / width, room_h / height)
        left = BLOCK_LEFT * MM_PT + (room_w - width * scale) / 2
        top = page_height - (BLOCK_TOP + inset.top) * MM_PT
        move = (Transformation().translate(-float(box.left), -float(box.bottom)).scale(scale)
                .translate(left, top - height * scale))
        target.merge_transformed_page(source, move, over=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def preview_pdf(letter, *, draft: bool = False, seal: bool = True) -> bytes:
    """Like :func:`render_letter_pdf`, but a letter printed the same way again is not re-rendered.

    For the previews people open again and again while a letter is drafted. The laying
    out (the HTML) is done each time; the PDF is kept under the SHA-256 of that HTML,
    of the seal drawn and of the renderer's version, for ``LETTER_PREVIEW_CACHE_SECONDS``.
    Any change to the letter, its sections, its agency or the fonts changes the HTML, so
    a kept PDF is never out of date.
    """
    html, insets = letter_document(letter, draft=draft, seal=seal)
    seconds = settings.LETTER_PREVIEW_CACHE_SECONDS
    if seconds <= 0:
        return place_pages(html_to_pdf(html), insets)
    # an attached PDF's pages are placed after rendering: name them in the key too
    placed = "".join(f"\n{i}:{inset.attachment}:{inset.page}" for i, inset in insets)
    key = f"letter-preview:{_preview_digest(letter, html + placed)}"
    data = cache.get(key)
    if data is None:
        data = place_pages(html_to_pdf(html), insets)
        cache.set(key, data, seconds)
    return data


def _preview_digest(letter, html: str) -> str:
    import weasyprint

    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n".encode())
    digest.update(html.encode())
    if "asset:seal/" in html:  # the image is fetched by id: its file and the agency's last change
        agency = letter.agency
        digest.update(f"\nseal {agency.seal.name} {agency.updated_at.isoformat()}".encode())
    return digest.hexdigest()


def letter_text(letter) -> str:
    """Everything a letter prints, for checking that the fonts can draw it."""
    parts = letter.parts or build_parts(letter)
    pieces = [
        letter.agency.letterhead, letter.agency.doc_prefix, letter.title, letter.addressee,
        letter.opening, letter.closing, letter.signatory, letter.note, letter.disclosure,
        letter.issued_by, "、".join(letter.cc), "抄送：印发年月日类—0123456789附件：. ",
        *(attachment.title for attachment in letter.attachments.all()),
    ]
    for part in parts:
        pieces.append(part["heading"])
        pieces.extend(letter_paragraphs(part))
    return "".join(pieces)


def outside_lines(letter) -> list[tuple[str, str]]:
    """What of ``letter``, laid out as it would be signed, reaches outside the text block."""
    return outside_the_block(compose(letter_content(letter)))


def missing_characters(letter) -> list[str]:
    """Characters of ``letter`` that no configured font has (they would print as boxes)."""
    return fonts.missing_in(letter_text(letter), roles=("body", "title", "heading", "number"))
