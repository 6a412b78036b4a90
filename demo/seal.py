"""A stand-in seal for the demo agencies: a red ring, a star and the name on an arc.

Real deployments upload each agency's own seal image; the demo draws one so that
its signed letters print as they would with a seal.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

RED = (230, 0, 18, 235)


def _font(size: int):
    from replies.pdf.fonts import stack

    face = stack("title").primary or stack("body").primary
    if face is None:
        return ImageFont.load_default()
    return ImageFont.truetype(face.path, size, index=face.index)


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((centre + r * math.cos(angle), centre + r * math.sin(angle)))
    draw.polygon(points, fill=RED)


def draw_seal(name: str, size: int = 600) -> bytes:
    """A transparent PNG, ``size`` pixels square, with ``name`` around the upper arc."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    ring = size * 0.035
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=RED, width=int(ring))
    _star(draw, centre, size * 0.17)
    font_size = int(size * 0.11)
    font = _font(font_size)
    # Characters spread over 240° of the upper arc, each turned to face the centre.
    sweep = math.radians(min(240, 24 * len(name)))
    radius = centre - ring - font_size * 0.75
    for i, char in enumerate(name):
        angle = -math.pi / 2 - sweep / 2 + sweep * (i + 0.5) / len(name)
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(angle) - font_size
        y = centre + radius * math.sin(angle) - font_size
        image.alpha_composite(glyph, (int(x), int(y)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
