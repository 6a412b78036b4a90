"""Benchmark: how fast reply letters render to PDF.

    .venv/bin/python bench/render_letters.py [--runs 15] [--batch 100]

Prints the median warm render time of the demo letter 中工商联函〔YYYY〕11号, of the
same letter grown to 4 and to 10 pages, and the pages per second of a batch of
letters rendered one after another in one process (one worker). Uses a throw-away
SQLite database with the demo data unless DATABASE_URL is set. Target: a 4-page
letter in under 0.3 s warm.

Side by side, in the same process: plain WeasyPrint laying out the same text with the
same fonts, the same seal image and verification mark (paragraphs flowing on A4 with the letter's margins,
size, line pitch and spacing; no grid, no justification), written as a plain PDF and with the options the
stored letter uses (PDF/A-2b, tagged). The letter is timed as it is stored: rendered and,
where the agency has a certificate, signed (PAdES). The ratio's target: at most 1.3.
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="letters-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ["MEDIA_ROOT"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())


def pages_of(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def grown(letter, pages: int):
    """The letter with its parts repeated until it prints ``pages`` pages (not saved)."""
    from replies.pdf import render_letter_pdf

    base = letter.parts
    copy_of = copy.copy(letter)
    for count_parts in range(len(base), 40 * len(base)):
        copy_of.parts = [
            {**part, "ordinal": n + 1} for n, part in enumerate((base * 40)[:count_parts])
        ]
        count = pages_of(render_letter_pdf(copy_of))
        if count >= pages:
            return copy_of, count
    raise SystemExit(f"could not grow the letter to {pages} pages")


def plain_html(letter) -> str:
    """The letter's text as plain flowing HTML for WeasyPrint: the same fonts, size, line
    pitch and character spacing, the same page margins; a centred title, indented
    paragraphs, headings in their font, the signature at the right."""
    from django.utils.html import escape

    from replies.pdf.compose import letter_content
    from replies.pdf.layout import BODY_SPACING, PITCH
    from replies.pdf.render import _font_css

    content = letter_content(letter)
    # the header of page one: class mark, header mark, number and red rule, title 11 rows down
    paragraphs = [f'<p class="f-heading flush">{escape(content.class_mark)}</p>',
                  f'<p class="f-title head">{escape(content.letterhead)}</p>',
                  f'<p class="f-body number">{escape(content.number)}</p><hr>',
                  f'<h1 class="f-title">{escape(content.title)}</h1>',
                  f'<p class="f-body flush">{escape(content.addressee)}：</p>']
    paragraphs += [f'<p class="f-body">{escape(p)}</p>' for p in content.opening]
    for heading, texts in content.parts:
        paragraphs.append(f'<h2 class="f-heading">{escape(heading)}</h2>')
        paragraphs += [f'<p class="f-body">{escape(p)}</p>' for p in texts]
    seal = (f'<img src="{content.seal_url}" alt="印章" style="position: absolute; right: 20mm; '
            f'width: 42mm; height: 42mm; margin-top: -21mm">') if content.seal_url else ""
    paragraphs += [f'<p class="f-body">{escape(content.closing)}</p>',
                   f'<p class="f-body right">{escape(content.signatory)}<br>{escape(content.date)}</p>{seal}',
                   f'<p class="f-body">{escape(content.note)}</p>',
                   f'<p class="f-body">{escape(content.disclosure)}</p>',
                   f'<p class="f-body cc">抄送：{escape("、".join(content.cc))}</p>',
                   f'<p class="f-body cc">{escape(content.issued_by)}　{escape(content.issued_date)}印发</p>']
    if getattr(content, "verify_code", ""):  # the verification mark (a tree from before has none)
        paragraphs.append(
            f'<p class="f-body mark"><img src="asset:qr/{content.verify_code}" alt="二维码">'
            f'验证码：{content.verify_code[:4]}-{content.verify_code[4:]}</p>')
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(content.title)}</title><style>
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-right {{ content: "— " counter(page) " —"; font-size: 14pt; }} }}
{_font_css()}
body {{ margin: 0; font-size: 16pt; line-height: {PITCH:.3f}mm; letter-spacing: {BODY_SPACING:.3f}mm; }}
p, h2 {{ margin: 0; text-indent: 2em; orphans: 1; widows: 1; font-size: 16pt; }}
p.flush {{ text-indent: 0; }} p.right {{ text-align: right; }} p.cc {{ font-size: 14pt; }}
h1 {{ margin: 0 0 {PITCH:.3f}mm; font-size: 22pt; text-align: center; letter-spacing: 0; }}
p.head {{ margin-top: {35 - PITCH:.3f}mm; font-size: 42pt; line-height: 1.2; text-align: center;
  text-indent: 0; color: #E60012; letter-spacing: 0; }}
p.number {{ margin-top: {2 * PITCH:.3f}mm; text-align: center; text-indent: 0; }}
p.mark {{ font-size: 9pt; text-indent: 0; letter-spacing: 0; }}
p.mark img {{ width: 13mm; height: 13mm; image-rendering: pixelated; }}
hr {{ border: 0; border-top: 0.5mm solid #E60012; margin: 4mm 0 {2 * PITCH:.3f}mm; }}
</style></head><body>{"".join(paragraphs)}</body></html>"""


def plain_pdf(html: str, archival: bool) -> bytes:
    from weasyprint import HTML

    from replies.pdf.fetcher import LetterURLFetcher

    document = HTML(string=html, url_fetcher=LetterURLFetcher())
    if archival:
        return document.write_pdf(pdf_variant="pdf/a-2b", pdf_tags=True)
    return document.write_pdf()


def stored_letter(letter) -> bytes:
    """The letter as it is stored: rendered, then signed when its agency has a certificate."""
    from replies.pdf import render_letter_pdf

    data = render_letter_pdf(letter)
    try:
        from replies.signing import identity_for, sign_pdf
    except ImportError:  # a tree from before digital signatures
        return data
    identity = identity_for(letter.agency)
    return sign_pdf(data, identity).data if identity else data


def median_time(render, runs: int) -> float:
    render()  # warm: fonts, templates, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    setup()
    from replies.models import ReplyLetter
    from replies.pdf import render_letter_pdf

    # The demo moves its story to the week it is loaded in: the year of the number moves too.
    demo = ReplyLetter.objects.select_related("agency", "proposal__session").get(
        number__startswith="中工商联函〔", number__endswith="〕11号"
    )
    rows = []
    demo_pages = pages_of(render_letter_pdf(demo))
    rows.append(("demo letter", demo, demo_pages))
    for target in (4, 10):
        letter, count = grown(demo, target)
        rows.append((f"{target}-page letter", letter, count))
    print(f"{'letter':<16}{'pages':>6}{'stored (s)':>12}{'plain (s)':>11}{'plain A-2b':>12}"
          f"{'ratio':>8}{'ratio A-2b':>12}")
    ratios = {}
    for name, letter, count in rows:
        ours = median_time(lambda letter=letter: stored_letter(letter), args.runs)
        html = plain_html(letter)
        plain = median_time(lambda html=html: plain_pdf(html, False), args.runs)
        plain_archival = median_time(lambda html=html: plain_pdf(html, True), args.runs)
        ratios[name] = ours / plain_archival
        print(f"{name:<16}{count:>6}{ours:>12.3f}{plain:>11.3f}{plain_archival:>12.3f}"
              f"{ours / plain:>8.2f}{ours / plain_archival:>12.2f}")
    print(f"(plain pages: {pages_of(plain_pdf(plain_html(rows[-1][1]), False))} for the 10-page letter)")

    start = time.perf_counter()
    total_pages = sum(pages_of(render_letter_pdf(demo)) for _ in range(args.batch))
    elapsed = time.perf_counter() - start
    print(f"\nbatch of {args.batch} letters on one worker: {total_pages} pages in {elapsed:.1f} s "
          f"= {total_pages / elapsed:.1f} pages/s")
    ten = ratios["10-page letter"]
    print(f"target: the 10-page letter, signed, at most 1.3 times plain WeasyPrint (PDF/A-2b, tagged) "
          f"— {'met' if ten <= 1.3 else 'MISSED'} ({ten:.2f})")


if __name__ == "__main__":
    main()
