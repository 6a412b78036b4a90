"""Rendering a laid-out letter to PDF with WeasyPrint."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..composition import build_parts, letter_paragraphs
from . import fonts
from .compose import Inset, Sheet, compose, letter_content, outside_the_block
from .fetcher import ATTACHMENT_PREFIX, QR_PREFIX, LetterURLFetcher
from .layout import BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH, PITCH

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
SAME = 1e-6  # mm: positions closer than this are the same
# A line takes its run's letter-spacing when its last character then lands at most this
# far (mm) from where the layout put it: a justified line ends at the right edge within a
# twentieth of a millimetre (a 600 dpi dot is 0.042 mm).
DRIFT = 0.05


@dataclass
class Run:
    """Lines drawn as one element: consecutive rows of one kind (a paragraph's lines on a
    page). WeasyPrint lays out a few dozen such boxes much faster than one box per line;
    each line keeps its own place and spacing (a span where it differs from the run's)."""

    lines: list = field(default_factory=list)
    top: float = 0.0
    height: float = 0.0
    red: bool = False

    def takes(self, text) -> bool:
        if not self.lines:
            return True
        first, line = self.lines[0], text.line
        if (text.height != PITCH or self.height != PITCH or text.red != self.red
                or (line.role, line.size_pt, line.css_class) != (first.role, first.size_pt, first.css_class)
                or abs(text.top - (self.top + len(self.lines) * PITCH)) > SAME):
            return False
        # a title's lines are centred, each in its own place; a paragraph's wrapped lines
        # all start at one place
        return line.css_class == "title" or len(self.lines) == 1 or abs(line.x - self.lines[1].x) < SAME

    def html(self, looks: dict[str, str], flow_gap: float | None = None) -> str:
        """The run as an element. What many runs share (size, pitch, spacing) is a class
        whose rule goes into ``looks`` (class → declarations), parsed once for the letter;
        only the run's own place is written on it: ``flow_gap`` mm below the run before it
        in the page's flow (cheaper for WeasyPrint to place), or, when None, positioned."""
        first = self.lines[0]
        rest = min((line.x for line in self.lines[1:]), default=first.x)
        spacing = Counter(round(line.spacing, 3) for line in self.lines).most_common(1)[0][0]
        pieces = []
        for index, line in enumerate(self.lines):
            style = ""
            if index and abs(line.x - rest) > SAME:
                style += f"margin-left:{_mm(line.x - rest)};"
            if abs(line.spacing - spacing) * max(len(line.text) - 1, 0) > DRIFT:
                style += f"letter-spacing:{_mm(line.spacing)};"
            text = escape(line.text)
            pieces.append(f'<span style="{style}">{text}</span>' if style else text)
        tag = TAGS.get(first.css_class, "p")
        look = f"line-height:{_mm(self.height)};font-size:{first.size_pt:.3f}pt;letter-spacing:{_mm(spacing)}"
        name = looks.setdefault(look, f"k{len(looks)}")
        flow = " flow" if flow_gap is not None else ""
        classes = f"text{flow} {name} f-{first.role} {first.css_class}" + (" red" if self.red else "")
        style = f"margin-top:{_mm(flow_gap)}" if flow_gap is not None else f"top:{_mm(self.top)}"
        if abs(rest) > SAME:
            side = "margin-left" if flow_gap is not None else "left"
            style += f";{side}:{_mm(rest)};width:{_mm(max(BLOCK_WIDTH - rest, 1.0))}"
        if abs(first.x - rest) > SAME:
            style += f";text-indent:{_mm(first.x - rest)}"
        return f'<{tag} class="{classes}" style="{style}">' + "\n".join(pieces) + f"</{tag}>"


def runs(texts) -> list[Run]:
    """The sheet's lines gathered into runs, the title's first (a screen reader reads it first)."""
    gathered: list[Run] = []
    for text in texts:
        if not gathered or not gathered[-1].takes(text):
            gathered.append(Run(top=text.top, height=text.height, red=text.red))
        gathered[-1].lines.append(text.line)
    return sorted(gathered, key=lambda run: 0 if run.lines[0].css_class == "title" else 1)


def _sheet_html(sheet: Sheet, looks: dict[str, str], seal_alt: str = "") -> str:
    """Everything on one page, as HTML: rules, text, the attached image, the QR code, the seal."""
    parts = [
        f'<div class="rule{" red" if rule.red else ""}" style="top:{_mm(rule.top)};left:{_mm(rule.left)};'
        f'width:{_mm(rule.width)};height:{_mm(rule.thickness)}"></div>'
        for rule in sheet.rules
    ]
    # Rows of the grid go in the page's flow, each run below the one before it (the title's
    # first: it is read first); what shares a row or stands off the grid is positioned.
    cursor = 0.0
    for run in runs(sheet.texts):
        top = round(run.top, 3)
        if run.height == PITCH and top >= cursor - SAME:
            parts.append(run.html(looks, flow_gap=top - cursor))
            cursor = top + round(PITCH, 3) * len(run.lines)
        else:
            parts.append(run.html(looks))
    if sheet.inset and sheet.inset.kind in IMAGE_KINDS:
        parts.append(
            f'<img class="attachment-image" src="{ATTACHMENT_PREFIX}{sheet.inset.attachment}" alt="附件" '
            f'style="top:{_mm(sheet.inset.top)};left:0;width:{_mm(BLOCK_WIDTH)};height:{_mm(sheet.inset.height)}">'
        )
    if sheet.qr:
        parts.append(f'<img class="verify-qr" src="{QR_PREFIX}{sheet.qr.code}" alt="二维码" '
                     f'style="top:{_mm(sheet.qr.top)};left:{_mm(sheet.qr.left)};'
                     f'width:{_mm(sheet.qr.size)};height:{_mm(sheet.qr.size)}">')
    if sheet.seal:
        parts.append(f'<img class="seal" src="{escape(sheet.seal.url)}" alt="{escape(seal_alt)}" '
                     f'style="top:{_mm(sheet.seal.top)};left:{_mm(sheet.seal.left)};'
                     f'width:{_mm(sheet.seal.size)};height:{_mm(sheet.seal.size)}">')
    return "\n".join(parts)


def letter_html(letter, *, draft: bool = False, seal: bool = True) -> str:
    return letter_document(letter, draft=draft, seal=seal)[0]


def letter_document(letter, *, draft: bool = False, seal: bool = True, content=None,
                    published: bool = False) -> tuple[str, list[tuple[int, Inset]]]:
    """The letter laid out as HTML, and the attachment pages (PDF pages) to place into its
    pages once rendered: (page index, what goes there). ``content`` lays out that text
    instead of the letter's own (the published copy)."""
    content = content or letter_content(letter, draft=draft, seal=seal)
    sheets = compose(content)
    insets = [(i, sheet.inset) for i, sheet in enumerate(sheets)
              if sheet.inset is not None and sheet.inset.kind not in IMAGE_KINDS]
    looks: dict[str, str] = {}
    pages = [mark_safe(_sheet_html(sheet, looks, f"{content.signatory}印章"))  # noqa: S308 (escaped there)
             for sheet in sheets]
    return render_to_string("replies/pdf/letter.html", {
        "stylesheet": STYLESHEET,
        "font_css": _font_css(),
        "margin_top": _mm(BLOCK_TOP),
        "margin_left": _mm(BLOCK_LEFT),
        "title": content.title,
        "number": content.number,
        "agency": content.signatory,
        "verify_code": content.verify_code,
        "published": published,
        "unsealed": not seal,
        "created": letter.signed_on.isoformat() if not content.draft and letter.signed_on else "",
        "draft": content.draft,
        "sheets": pages,
        "looks": "\n".join(f".{name} {{ {look} }}" for look, name in looks.items()),
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

    html, insets = letter_document(letter, content=redact_content(letter_content(letter)), published=True)
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
