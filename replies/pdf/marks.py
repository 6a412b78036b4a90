"""The verification mark of a signed letter: its code and a QR code of the verification
address, below the text block of the last page, where nothing of GB/T 9704 stands."""

from __future__ import annotations

import functools

from django.conf import settings

from .fonts import PT_MM, stack
from .layout import BLOCK_HEIGHT, BLOCK_WIDTH, Line, measure
from .sheets import Code, Sheet, Text

# The verification mark: a QR code of the verification address, with the code beside it,
# below the text block of the last page — under the page number (7 mm below the block,
# 4号), clear of everything GB/T 9704 places; on page one of 信函格式, under its foot rule.
QR_MM = 13.0
QR_TOP = BLOCK_HEIGHT + 13.0  # 275 mm from the top of the page; 9 mm above its edge
QR_TOP_UNDER_FOOT_RULE = BLOCK_HEIGHT + 17.0
MARK_PT = 9.0


def verification_url(code: str) -> str:
    from .. import verification

    return f"{settings.SITE_URL}/verify/?code={verification.display(code)}"


@functools.lru_cache(maxsize=256)
def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG of one pixel a module, printed without smoothing (kept:
    a letter is printed again and again)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=1, border=0)
    return out.getvalue()


def place_verification(sheet: Sheet, code: str, *, first_page_rule: bool = False) -> None:
    from .. import verification

    top = QR_TOP_UNDER_FOOT_RULE if first_page_rule else QR_TOP
    left = BLOCK_WIDTH / 2 - 35.0
    sheet.qr = Code(code, top, left, QR_MM)
    text_left = left + QR_MM + 3.0
    room = BLOCK_WIDTH - text_left
    lines = [f"验证码：{verification.display(code)}", f"核验：{settings.SITE_URL}/verify/"]
    height = MARK_PT * PT_MM * 1.25
    for index, text in enumerate(lines):
        size = MARK_PT
        natural = measure(text, stack("body"), size, 0.0)
        if natural > room:  # a long site address is set smaller, never past the block's edge
            size = MARK_PT * room / natural
            natural = room
        line = Line(text, "body", size, text_left, 0.0, natural, False, "verification")
        sheet.texts.append(Text(line, top + 2.0 + index * (height + 1.5), height))
