"""Seal images: checked before they are decoded, stored no larger than print needs.

A seal prints 42 mm wide (``LETTER_SEAL_MM``): about 1,000 pixels are plenty even at
600 dpi. A PNG holds its pixel size in its header, so a picture is judged before it is
decoded: one whose pixels would fill memory (a 17 KB file can be 12,000 × 12,000 pixels,
1.4 GB to render on every letter of its agency) is refused naming its size; one larger
than needed is scaled down, transparency kept, when it is stored — whoever stores it —
and again, for a seal stored before, when a letter is rendered.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from core.workflow import DomainError

# The longest side of a stored seal, in pixels.
SEAL_PIXELS = 1000
# The most pixels a seal image may have to be read at all (width × height).
SEAL_MAX_SOURCE_PIXELS = 5000 * 5000
SEAL_MAX_BYTES = 2 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_seal(data: bytes) -> tuple[int, int]:
    """The pixel size of the PNG ``data``; DomainError (in words) for anything else."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > SEAL_MAX_BYTES:
        raise DomainError(_("印章图片不能超过2MB。"))
    if not data.startswith(PNG_SIGNATURE):
        raise DomainError(_("印章图片须为带透明背景的PNG文件。"))
    unreadable = DomainError(_("印章图片无法读取，请重新导出为PNG文件后上传。"))
    # The size as the PNG header states it, read before Pillow is given the file at all.
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise unreadable
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if width * height > SEAL_MAX_SOURCE_PIXELS:
        raise DomainError(
            _("印章图片为%(w)s×%(h)s像素，过大，系统无法处理。印章打印宽度约42毫米，"
              "%(fit)s像素见方即已足够；请缩小后再上传（最大%(most)s×%(most)s像素）。")
            % {"w": width, "h": height, "fit": SEAL_PIXELS, "most": 5000})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise unreadable from error
    return width, height


def normalized_seal(data: bytes) -> bytes:
    """``data`` as stored: the same PNG when no side is over ``SEAL_PIXELS``, else scaled
    down to that (transparency kept). Raises DomainError for what :func:`check_seal` refuses."""
    from PIL import Image

    width, height = check_seal(data)
    if max(width, height) <= SEAL_PIXELS:
        return data
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGBA")
        image.thumbnail((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()
