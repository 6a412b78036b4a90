"""Benchmark: how fast reply letters render to PDF.

    .venv/bin/python bench/render_letters.py [--runs 15] [--batch 100]

Prints the median warm render time of the demo letter 中工商联函〔2023〕11号, of the
same letter grown to 4 and to 10 pages, and the pages per second of a batch of
letters rendered one after another in one process (one worker). Uses a throw-away
SQLite database with the demo data unless DATABASE_URL is set. Target: a 4-page
letter in under 0.3 s warm.
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
    rows.append(("demo letter", demo_pages, median_time(lambda: render_letter_pdf(demo), args.runs)))
    for target in (4, 10):
        letter, count = grown(demo, target)
        rows.append((f"{target}-page letter", count,
                     median_time(lambda letter=letter: render_letter_pdf(letter), args.runs)))
    print(f"{'letter':<16}{'pages':>6}{'median warm (s)':>18}")
    for name, count, seconds in rows:
        print(f"{name:<16}{count:>6}{seconds:>18.3f}")

    start = time.perf_counter()
    total_pages = sum(pages_of(render_letter_pdf(demo)) for _ in range(args.batch))
    elapsed = time.perf_counter() - start
    print(f"\nbatch of {args.batch} letters on one worker: {total_pages} pages in {elapsed:.1f} s "
          f"= {total_pages / elapsed:.1f} pages/s")
    four = next(seconds for name, _, seconds in rows if name.startswith("4-page"))
    print(f"target: 4-page letter under 0.300 s warm — {'met' if four < 0.3 else 'MISSED'} ({four:.3f} s)")


if __name__ == "__main__":
    main()
