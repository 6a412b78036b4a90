"""Files the demo attaches: a member's survey sent with a proposal (a PDF) and a map an
agency attaches to its letter (an image), drawn here so that the demo needs no files."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .seal import _font


def survey_pdf() -> bytes:
    """老旧小区加装电梯需求调查: a one-page table, rendered the way the letters are."""
    from weasyprint import HTML

    rows = [("石岐街道", "126", "88", "69.8%"), ("东区街道", "97", "71", "73.2%"),
            ("西区街道", "84", "52", "61.9%"), ("南区街道", "41", "23", "56.1%")]
    body = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows)
    html = f"""<html lang="zh-CN"><head><meta charset="utf-8"><style>
        body {{ font-family: "FandolFang", "Noto Serif CJK SC", serif; font-size: 14pt; }}
        table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #333; padding: 4pt; }}
        </style></head><body><h1 style="font-size: 18pt; text-align: center">老旧小区加装电梯需求调查</h1>
        <p>调查时间：会前一个月；对象：四个街道的老旧小区业主。</p>
        <table><tr><th>街道</th><th>调查楼栋</th><th>有加装意愿</th><th>比例</th></tr>{body}</table>
        </body></html>"""
    return HTML(string=html).write_pdf()


def drawn_map() -> bytes:
    """全市长者饭堂分布示意图: the city's towns as blocks, a dot per canteen."""
    image = Image.new("RGB", (1200, 800), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    font = _font(36)
    towns = [("石岐", 80, 80, 5), ("东区", 460, 80, 4), ("西区", 840, 80, 3),
             ("南区", 80, 430, 2), ("火炬开发区", 460, 430, 4), ("小榄", 840, 430, 3)]
    for name, x, y, canteens in towns:
        draw.rectangle((x, y, x + 300, y + 300), outline=(90, 90, 90), width=4, fill=(232, 240, 232))
        draw.text((x + 20, y + 20), name, fill=(40, 40, 40), font=font)
        for i in range(canteens):
            cx, cy = x + 50 + (i % 3) * 90, y + 150 + (i // 3) * 90
            draw.ellipse((cx - 22, cy - 22, cx + 22, cy + 22), fill=(200, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
