"""The GB/T 9704-2012 grid: lines broken, justified and placed on pages in Python.

WeasyPrint draws the letter, but it has no line grid and does not justify Chinese
text, so this module does the typesetting: every paragraph is broken into lines
that obey the line-breaking rules for Chinese punctuation, every line but a
paragraph's last is spaced out to reach the right edge of the text block, and
every line is given its row on a page of 22 rows. The template then only places
what it is told.

All lengths are in millimetres, measured from the top-left corner of the text block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .fonts import PT_MM, Stack, stack

# ---------------------------------------------------------------- the grid

BLOCK_TOP = 37.0  # text block from the top of the page
BLOCK_LEFT = 28.0  # from the left (binding) edge
BLOCK_WIDTH = 156.0
BLOCK_HEIGHT = 225.0
ROWS = 22
CHARS = 28
PITCH = BLOCK_HEIGHT / ROWS  # 10.227 mm between lines
CHAR = BLOCK_WIDTH / CHARS  # 5.571 mm per character
BODY_PT = 16.0
TITLE_PT = 22.0
SMALL_PT = 14.0  # 4号: closing block and page numbers
LETTERHEAD_MAX_PT = 42.0
# Letter-spacing that puts 16 pt characters on the 5.571 mm character pitch.
BODY_SPACING = CHAR - BODY_PT * PT_MM
# A line may run this far past its measure before it counts as too long.
FIT_TOLERANCE = 0.1

# ---------------------------------------------------------------- line-breaking rules

# May not start a line: closing punctuation.
NO_START = set("，。、；：？！）》」』】〕〉”’．,.;:?!)]}%％℃·・～")
# May not end a line: opening punctuation.
NO_END = set("（《「『【〔〈“‘([{")
# Runs kept whole: Latin words and numbers (with their decimal points and signs),
# and the doubled dash and ellipsis.
_UNBREAKABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/:+'@_]*[A-Za-z0-9%]|[A-Za-z0-9]|—+|…+")


def tokens(text: str) -> list[str]:
    """Split ``text`` into the units a line may break between.

    Opening punctuation is glued to what follows it and closing punctuation to
    what precedes it, so no line starts or ends with the wrong mark.
    """
    units: list[str] = []
    position = 0
    while position < len(text):
        match = _UNBREAKABLE.match(text, position)
        if match:
            units.append(match.group())
            position = match.end()
        else:
            units.append(text[position])
            position += 1
    glued: list[str] = []
    pending_open = ""
    for unit in units:
        if unit in NO_END:
            pending_open += unit
            continue
        if glued and not pending_open and (unit[0] in NO_START or unit[0] == "…"):
            glued[-1] += unit
            continue
        glued.append(pending_open + unit)
        pending_open = ""
    if pending_open:
        if glued:
            glued[-1] += pending_open
        else:
            glued.append(pending_open)
    return glued


# ---------------------------------------------------------------- lines


@dataclass
class Line:
    """One line of text as it is drawn: where it starts, its size and its spacing."""

    text: str
    role: str  # font role: body, title, heading, kai, small
    size_pt: float
    x: float  # left edge, from the left of the text block
    spacing: float  # letter-spacing in mm
    width: float  # from the left edge of the first glyph to the right edge of the last
    justified: bool = False
    css_class: str = ""


def measure(text: str, font: Stack, size_pt: float, spacing: float) -> float:
    """Width from the first glyph's left edge to the last glyph's right edge."""
    if not text:
        return 0.0
    size = size_pt * PT_MM
    return sum(font.advance_em(c) for c in text) * size + spacing * (len(text) - 1)


def break_paragraph(
    text: str,
    *,
    role: str = "body",
    size_pt: float = BODY_PT,
    spacing: float = BODY_SPACING,
    width: float = BLOCK_WIDTH,
    first_indent: float = 2 * CHAR,
    indent: float = 0.0,
    justify: bool = True,
    css_class: str = "",
) -> list[Line]:
    """Break one paragraph into lines; all but the last are justified to ``width``.

    Nothing runs past ``width``: a unit wider than a line (a pasted link, a long code) is
    cut where the line is full, as word processors do. Spaces where a line breaks are
    dropped — neither kept at the end of a line (where they would hold the text back from
    the right edge) nor carried to the start of the next.
    """
    font = stack(role)
    units = tokens(text)
    lines: list[Line] = []
    start = 0
    while start < len(units):
        left = first_indent if not lines else indent
        measure_width = width - left
        if lines:
            while start < len(units) and units[start].isspace():
                start += 1
            if start >= len(units):
                break
        if measure(units[start], font, size_pt, spacing) > measure_width + FIT_TOLERANCE:
            head = _longest_fit(units[start], font, size_pt, spacing, measure_width)
            units[start:start + 1] = [head, units[start][len(head):]]
        end = start + 1
        # the line's glyph advances (em) and characters so far, grown one unit at a time
        advance = sum(font.advance_em(c) for c in units[start])
        chars = len(units[start])
        while end < len(units):
            advance += sum(font.advance_em(c) for c in units[end])
            chars += len(units[end])
            if advance * size_pt * PT_MM + spacing * (chars - 1) > measure_width + FIT_TOLERANCE:
                if measure(units[end], font, size_pt, spacing) > width - indent + FIT_TOLERANCE:
                    # A unit no line can hold starts here and fills the rest of this line,
                    # rather than leaving it half empty and widely spaced.
                    used = measure("".join(units[start:end]), font, size_pt, spacing)
                    room = measure_width - used - spacing
                    head = _longest_fit(units[end], font, size_pt, spacing, room)
                    if measure(head, font, size_pt, spacing) <= room + FIT_TOLERANCE:
                        units[end:end + 1] = [head, units[end][len(head):]]
                        end += 1
                break
            end += 1
        last = end >= len(units) or all(unit.isspace() for unit in units[end:])
        line_text = "".join(units[start:end])
        if not last:
            line_text = line_text.rstrip()
        natural = measure(line_text, font, size_pt, spacing)
        line_spacing = spacing
        justified = False
        if justify and not last and len(line_text) > 1:
            glyphs = natural - spacing * (len(line_text) - 1)
            line_spacing = (measure_width - glyphs) / (len(line_text) - 1)
            natural = measure_width
            justified = True
        lines.append(Line(line_text, role, size_pt, left, line_spacing, natural, justified, css_class))
        start = end
    return lines


def _longest_fit(unit: str, font: Stack, size_pt: float, spacing: float, width: float) -> str:
    """The longest beginning of ``unit`` that fits ``width`` (one character at least)."""
    fitting = 1
    while fitting < len(unit) and \
            measure(unit[:fitting + 1], font, size_pt, spacing) <= width + FIT_TOLERANCE:
        fitting += 1
    return unit[:fitting]


def centred(text: str, *, role: str, size_pt: float, spacing: float = 0.0,
            width: float = BLOCK_WIDTH, css_class: str = "") -> Line:
    font = stack(role)
    natural = measure(text, font, size_pt, spacing)
    return Line(text, role, size_pt, (width - natural) / 2, spacing, natural, False, css_class)


def flush_right(text: str, *, role: str, size_pt: float, spacing: float, right: float,
                css_class: str = "") -> Line:
    """A line whose last glyph ends ``right`` mm short of the block's right edge."""
    font = stack(role)
    natural = measure(text, font, size_pt, spacing)
    return Line(text, role, size_pt, BLOCK_WIDTH - right - natural, spacing, natural, False, css_class)


# ---------------------------------------------------------------- titles


_KEEP_WHOLE = re.compile(r"第[0-9A-Za-z]+号|《[^》]*》|[0-9A-Za-z]+")
# Where a title reads well when broken, best first.
_GOOD_BREAKS = re.compile(r"(?=关于)|(?<=关于)|(?<=会议)|(?=第[0-9])|(?<=号)|(?=提案答复)|(?=答复)|(?=的函)")


def title_lines(title: str) -> list[Line]:
    """The title in 22 pt, centred; a long one breaks where it reads well.

    A two-line title is as even as it can be with the upper line no longer than the
    lower (a trapezoid); three lines make a diamond, the middle line longest. A proposal
    number (第132020号), a quoted title (《…》) and Latin or digit runs are never split.
    """
    font = stack("title")
    size = TITLE_PT

    def width(text: str) -> float:
        return measure(text, font, size, 0.0)

    if width(title) <= BLOCK_WIDTH + FIT_TOLERANCE:
        return [centred(title, role="title", size_pt=size, css_class="title")]
    protected = set()
    for match in _KEEP_WHOLE.finditer(title):
        protected.update(range(match.start() + 1, match.end()))
    cuts = [i for i in range(1, len(title)) if i not in protected
            and title[i] not in NO_START and title[i - 1] not in NO_END]
    good = {m.start() for m in _GOOD_BREAKS.finditer(title)} & set(cuts)

    def score(pieces: list[str]) -> tuple:
        widths = [width(p) for p in pieces]
        if max(widths) > BLOCK_WIDTH + FIT_TOLERANCE:
            return (1,)
        bad_cuts = sum(1 for b in breaks_of(pieces) if b not in good)
        if len(pieces) == 2:
            shape = 0 if widths[0] <= widths[1] else 1
        else:
            shape = 0 if widths[1] >= max(widths[0], widths[2]) else 1
        return (0, bad_cuts, shape, max(widths) - min(widths))

    def breaks_of(pieces: list[str]) -> list[int]:
        positions, total = [], 0
        for piece in pieces[:-1]:
            total += len(piece)
            positions.append(total)
        return positions

    best: list[str] | None = None
    for count in (2, 3):
        candidates = []
        if count == 2:
            candidates = [[title[:a], title[a:]] for a in cuts]
        else:
            candidates = [[title[:a], title[a:b], title[b:]] for a in cuts for b in cuts if b > a]
        scored = [(score(c), c) for c in candidates]
        scored = [s for s in scored if s[0][0] == 0]
        if scored:
            best = min(scored, key=lambda s: s[0])[1]
            break
    if best is None:
        best = [line.text for line in break_paragraph(
            title, role="title", size_pt=size, spacing=0.0, first_indent=0.0, justify=False)]
    return [centred(piece, role="title", size_pt=size, css_class="title") for piece in best]


def letterhead_size(text: str, width: float = BLOCK_WIDTH) -> float:
    """The largest size, up to 42 pt, at which the header mark fits the width."""
    font = stack("title")
    at_one_pt = measure(text, font, 1.0, 0.0)
    if at_one_pt <= 0:
        return LETTERHEAD_MAX_PT
    return min(LETTERHEAD_MAX_PT, (width - 4.0) / at_one_pt)


# ---------------------------------------------------------------- pages


@dataclass
class Row:
    """A line given its place: page row ``index`` (0–21)."""

    line: Line
    index: int

    @property
    def top(self) -> float:
        return self.index * PITCH


@dataclass
class Page:
    number: int
    rows: list[Row] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)  # rules, seal, header elements

    @property
    def is_odd(self) -> bool:
        return self.number % 2 == 1


@dataclass
class Block:
    """Consecutive lines that flow together.

    ``keep_with_next`` holds the block's last line on the page of the next block's
    first line (headings); ``keep_together`` keeps the whole block on one page,
    with ``lead`` lines of the block before it (the signature keeps company).
    """

    lines: list[Line | None]  # None is a blank line
    keep_with_next: bool = False
    keep_together: bool = False
    lead: int = 0
    kind: str = "text"


class Paginator:
    """Places blocks row by row onto pages of 22 rows."""

    def __init__(self, first_row: int):
        self.pages = [Page(1)]
        self.row = first_row
        self.placed: list[tuple[Block, list[Row]]] = []

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page(len(self.pages) + 1))
        self.row = 0

    def rows_left(self) -> int:
        return ROWS - self.row

    def _put(self, line: Line | None) -> Row | None:
        if self.row >= ROWS:
            self.new_page()
        row = None
        if line is not None:
            row = Row(line, self.row)
            self.page.rows.append(row)
        self.row += 1
        return row

    def add(self, block: Block, following: Block | None = None) -> list[tuple[Page, Row]]:
        needed = len(block.lines)
        if block.keep_together and needed > self.rows_left():
            self._carry_over(block.lead)
        if block.keep_with_next and following is not None and following.lines:
            if needed + 1 > self.rows_left() and needed + 1 <= ROWS:
                self.new_page()
        placed: list[tuple[Page, Row]] = []
        for line in block.lines:
            if line is None and self.row == 0 and block.kind == "text":
                continue  # no blank line at the top of a page
            row = self._put(line)
            if row is not None:
                placed.append((self.page, row))
        return placed

    def _carry_over(self, lead: int) -> None:
        """Start a new page, moving the last ``lead`` text rows of this page onto it."""
        moved: list[Row] = []
        if lead:
            text_rows = [r for r in self.page.rows if r.line.css_class in {"body", "heading"}]
            for row in text_rows[-lead:]:
                self.page.rows.remove(row)
                moved.append(row)
        self.new_page()
        for row in moved:
            self._put(row.line)
