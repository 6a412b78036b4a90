"""Reply letters as PDF, laid out to GB/T 9704-2012.

The public interface:

- :func:`render_letter_pdf` — the PDF of a letter (the final text once signed; a
  preview marked 草稿 when ``draft`` is true).
- :func:`preview_pdf` — the same for previews, kept while the letter prints the same.
- :func:`missing_characters` — characters of a letter that no configured font has.
"""

from .render import missing_characters, outside_lines, preview_pdf, render_letter_pdf

__all__ = ["missing_characters", "outside_lines", "preview_pdf", "render_letter_pdf"]
