"""Rendering a laid-out letter to PDF with WeasyPrint."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from ..composition import build_parts, letter_paragraphs
from . import fonts
from .compose import Sheet, compose, letter_content, outside_the_block
from .fetcher import LetterURLFetcher
from .layout import BLOCK_LEFT, BLOCK_TOP

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


def _sheet_context(sheet: Sheet) -> dict:
    texts = [
        {
            "text": text.line.text,
            "classes": f"f-{text.line.role} {text.line.css_class}" + (" red" if text.red else ""),
            "style": (
                f"top:{_mm(text.top)};left:{_mm(text.line.x)};height:{_mm(text.height)};"
                f"line-height:{_mm(text.height)};font-size:{text.line.size_pt:.3f}pt;"
                f"letter-spacing:{_mm(text.line.spacing)}"
            ),
        }
        for text in sheet.texts
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
    return {"number": sheet.number, "texts": texts, "rules": rules, "seal": seal}


def letter_html(letter, *, draft: bool = False, seal: bool = True) -> str:
    content = letter_content(letter, draft=draft, seal=seal)
    sheets = compose(content)
    return render_to_string("replies/pdf/letter.html", {
        "stylesheet": STYLESHEET,
        "font_css": _font_css(),
        "margin_top": _mm(BLOCK_TOP),
        "margin_left": _mm(BLOCK_LEFT),
        "title": content.title,
        "number": content.number,
        "draft": content.draft,
        "sheets": [_sheet_context(sheet) for sheet in sheets],
    })


def html_to_pdf(html: str) -> bytes:
    """Render HTML made by this project; only :class:`LetterURLFetcher` may load anything."""
    from weasyprint import HTML

    fetcher = LetterURLFetcher()
    return HTML(string=html, base_url="asset:static/letters/", url_fetcher=fetcher).write_pdf(
        uncompressed_pdf=False,
    )


def render_letter_pdf(letter, *, draft: bool = False, seal: bool = True) -> bytes:
    """The letter as PDF: final once signed, otherwise a preview marked 草稿."""
    return html_to_pdf(letter_html(letter, draft=draft, seal=seal))


def preview_pdf(letter, *, draft: bool = False, seal: bool = True) -> bytes:
    """Like :func:`render_letter_pdf`, but a letter printed the same way again is not re-rendered.

    For the previews people open again and again while a letter is drafted. The laying
    out (the HTML) is done each time; the PDF is kept under the SHA-256 of that HTML,
    of the seal drawn and of the renderer's version, for ``LETTER_PREVIEW_CACHE_SECONDS``.
    Any change to the letter, its sections, its agency or the fonts changes the HTML, so
    a kept PDF is never out of date.
    """
    html = letter_html(letter, draft=draft, seal=seal)
    seconds = settings.LETTER_PREVIEW_CACHE_SECONDS
    if seconds <= 0:
        return html_to_pdf(html)
    key = f"letter-preview:{_preview_digest(letter, html)}"
    data = cache.get(key)
    if data is None:
        data = html_to_pdf(html)
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
        letter.issued_by, "、".join(letter.cc), "抄送：印发年月日类—0123456789",
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
