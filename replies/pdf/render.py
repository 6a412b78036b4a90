"""Provisional renderer; the laid-out version replaces the body of these functions."""

from __future__ import annotations

from django.utils.html import escape


def missing_characters(letter) -> list[str]:
    return []


def render_letter_pdf(letter, *, draft: bool = False, seal: bool = True) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{escape(p['heading'])}</p>" for p in (letter.parts or []))
    html = f"<html><body><h1>{escape(letter.title)}</h1>{'<p>草稿</p>' if draft else ''}{body}</body></html>"
    return HTML(string=html).write_pdf()
