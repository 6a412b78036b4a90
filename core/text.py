"""Text as it comes in: control characters are not text.

A NUL byte or another control character (C0 except tab, line feed and carriage return;
DEL; C1) has no place in anything a person types, pastes or imports; PostgreSQL refuses
NUL in every string, so one in a query string or a form used to answer 500. They are
removed where text comes in — request parameters (:mod:`core.middleware`), the search
box, imported files — before anything reads them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

# How much text a person may put in one field, wherever it comes in (a page, the admin, an
# imported file): the models' fields carry these as their max_length, the forms and the
# importer read them from there.
LONG_TEXT = 50_000  # a proposal's text, a recommendation's, a section's, a letter's opening
COMMENT_TEXT = 5_000  # a proposer's comment
REASON_TEXT = 2_000  # a reason given for a move
CC_TEXT = 300  # a letter's list of copies (抄送), all names together: it fits the 版记

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_controls(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def first_control(text: str) -> tuple[int, str] | None:
    """Where the first control character of ``text`` is, and its code (U+0000), or None."""
    match = CONTROL_CHARACTERS.search(text)
    return None if match is None else (match.start(), f"U+{ord(match.group()):04X}")


def strip_controls(text: str) -> str:
    """``text`` without its control characters (tab, line feed and carriage return kept)."""
    return CONTROL_CHARACTERS.sub("", text) if has_controls(text) else text


# Characters a reader cannot see, by what they do.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff")


def describe_character(char: str) -> str:
    """A character as a message can name it: itself when it can be seen, else in words with
    its code (不可见的方向控制符 U+202E), so that the user knows what to look for."""
    import unicodedata

    code = f"U+{ord(char):04X}"
    if char in _BIDI:
        return gettext("不可见的方向控制符 %(code)s") % {"code": code}
    if char in _ZERO_WIDTH:
        return gettext("不可见的零宽字符 %(code)s") % {"code": code}
    category = unicodedata.category(char)
    if category == "Cc":
        return gettext("不可见的控制字符 %(code)s") % {"code": code}
    if category in ("Cf", "Zl", "Zp") or (category == "Zs" and char != " "):
        return gettext("不可见的格式字符 %(code)s") % {"code": code}
    if category == "Co":
        return gettext("私用区字符 %(code)s") % {"code": code}
    if category == "Cn":
        return gettext("未定义的字符 %(code)s") % {"code": code}
    return char
