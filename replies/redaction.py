"""Redaction (脱敏) of what the portal publishes: no telephone or mobile number, e-mail
address or ID number of anyone is shown, in the page or in the published PDF.

Masked: mobile numbers (1[3-9]x xxxx xxxx, with or without +86 and separators), landline
numbers written with their area code (0760-89892316, (010)12345678), 400/800 numbers,
numbers of 7 or 8 digits right after 电话, 传真, 手机 or Tel, e-mail addresses, and ID numbers
(18 characters, the last a digit or X; the older 15 digits). Amounts, years, document
numbers and proposal numbers are left alone: a bare run of digits is not masked unless it
has one of these shapes.
"""

from __future__ import annotations

import re

MASK = "****"

PATTERNS = [
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"),
    re.compile(r"(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"),
    re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?[\s\-－—]?\d{7,8}(?:[-－转]\d{1,6})?(?!\d)"),
    re.compile(r"(?<!\d)[48]00[\s-]?\d{3}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?:(?<=电话)|(?<=传真)|(?<=手机)|(?<=电话：)|(?<=传真：)|(?<=手机：)|(?<=电话:)|(?<=Tel)|(?<=Tel:)|(?<=TEL:))"
               r"\s*\d{7,8}(?!\d)"),
]


def mask(text: str) -> str:
    """``text`` with every contact detail replaced by ``****``."""
    if not text:
        return text
    for pattern in PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def published_note(note: str, agency_name: str) -> str:
    """The 附注 as published: the contact person is the agency, without a name or number."""
    if not (note or "").strip():
        return ""
    return f"（联系单位：{agency_name}）"


def redact_content(content):
    """A :class:`replies.pdf.compose.LetterContent` as published: every text masked, the
    附注 naming the agency only, attachments left out (they are not published)."""
    content.title = mask(content.title)
    content.addressee = mask(content.addressee)
    content.opening = [mask(p) for p in content.opening]
    content.parts = [(mask(heading), [mask(p) for p in paragraphs]) for heading, paragraphs in content.parts]
    content.closing = mask(content.closing)
    content.note = published_note(content.note, content.issued_by or content.letterhead)
    content.cc = [mask(name) for name in content.cc]
    content.attachments = []
    return content
