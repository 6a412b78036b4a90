"""Text as it comes in: control characters are not text.

A NUL byte or another control character (C0 except tab, line feed and carriage return;
DEL; C1) has no place in anything a person types, pastes or imports; PostgreSQL refuses
NUL in every string, so one in a query string or a form used to answer 500. They are
removed where text comes in — request parameters (:mod:`core.middleware`), the search
box, imported files — before anything reads them.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_controls(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def strip_controls(text: str) -> str:
    """``text`` without its control characters (tab, line feed and carriage return kept)."""
    return CONTROL_CHARACTERS.sub("", text) if has_controls(text) else text
