"""Verification codes of signed letters: short, unambiguous, typed by anyone who holds one.

A code is eight characters of an alphabet without the look-alikes 0/O, 1/I/L, shown as
``XXXX-XXXX``: 32⁸ (about 10¹²) codes, given out at random, so that a code cannot be
guessed from another; /verify/ is rate limited besides.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 characters: no 0 O 1 I L
LENGTH = 8
_CLEAN = re.compile(r"[\s\-－—_·.]")
TEXT_PATTERN = re.compile(r"验证码[:：]\s*([2-9A-HJKMNP-Z]{4})-([2-9A-HJKMNP-Z]{4})")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """ABCD2345 → ABCD-2345."""
    return f"{code[:4]}-{code[4:]}" if code else ""


def parse(text: str) -> str | None:
    """The code typed or scanned (dashes, spaces and case forgiven, O read as 0 is not), or None."""
    cleaned = _CLEAN.sub("", (text or "")[:40]).upper()
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


# Also written, as plain letters (PDF writers escape punctuation in strings), into the
# PDF's document information (Keywords) and its signature (ContactInfo), where it stays
# readable in a file too damaged to extract its text.
BYTES_PATTERN = re.compile(rb"verify([2-9A-HJKMNP-Z]{8})")


def found_in_bytes(data: bytes) -> str | None:
    match = BYTES_PATTERN.search(data or b"")
    return match.group(1).decode() if match else None


def found_in_text(text: str) -> str | None:
    """The code printed in a letter's extracted text (验证码：XXXX-XXXX), if any."""
    match = TEXT_PATTERN.search(text or "")
    return match.group(1) + match.group(2) if match else None


def allocate(letter_model) -> str:
    """A code no letter has yet."""
    while True:
        code = new_code()
        if not letter_model.objects.filter(verify_code=code).exists():
            return code
