"""Excel workbooks (.xlsx) of lists and tables, written with openpyxl.

A sheet is headers and rows: each :class:`Column` names its (Chinese) header and the
kind of its values, so dates are written as dates, counts as numbers and rates as
numbers in a percentage format. Every sheet has its header row frozen and filterable
and columns wide enough for their content. :func:`xlsx_response` sends the workbook
as a download named in Chinese (RFC 6266 / RFC 5987 ``filename*``).

List pages export themselves on their own URL with ``?format=xlsx``
(:func:`wants_xlsx`), so an export has exactly the page's filters and permissions.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, INTEGER, NUMBER, DATE, DATETIME, PERCENT = "text", "integer", "number", "date", "datetime", "percent"
FORMATS = {
    INTEGER: "0",
    NUMBER: "0.0",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
    PERCENT: "0.0%",
}
MIN_WIDTH, MAX_WIDTH = 6, 60
SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="FFE8EEF4", end_color="FFE8EEF4")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """One column: its header, the kind of its values and, if fixed, its width in characters.

    Kinds: ``text``; ``integer`` and ``number`` (one decimal); ``date`` and ``datetime``;
    ``percent``, given in percent (80.0 is written as the number 0.8 shown as 80.0%).
    ``wrap`` breaks long text over lines instead of widening the column.
    """

    header: str
    kind: str = TEXT
    width: float | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Cell:
    """A value written with its own kind, in a column whose other cells have another."""

    value: object
    kind: str


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


def wants_xlsx(request) -> bool:
    """The page was asked for as an Excel file (``?format=xlsx``)."""
    return request.GET.get("format") == "xlsx"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(title: str) -> str:
    """``title`` as Excel allows a sheet name: no []:*?/\\, at most 31 characters."""
    cleaned = SHEET_TITLE_FORBIDDEN.sub("", str(title)).strip("' ") or "Sheet"
    return cleaned[:SHEET_TITLE_MAX]


def _cell_value(value, kind: str):
    """The value as it is stored in the cell for ``kind``; None leaves the cell empty."""
    if value is None or value == "":
        return None
    if kind == PERCENT:
        return float(value) / 100
    if kind in (INTEGER, NUMBER):
        return value
    if kind == DATETIME and isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if kind == DATE and isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date | int | float):
        return value
    # Text as text: never a formula, and without the control characters XML refuses.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _shown(value, kind: str) -> str:
    """Roughly what the cell shows, to size its column."""
    if value is None:
        return ""
    if kind == PERCENT:
        return f"{value:.1f}%"
    if kind == DATE:
        return "2000-00-00"
    if kind == DATETIME:
        return "2000-00-00 00:00"
    return str(value)


def _unpack(value, kind: str) -> tuple[object, str]:
    return (value.value, value.kind) if isinstance(value, Cell) else (value, kind)


def _widths(columns: Sequence[Column], rows: list[Sequence]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max(
            [display_width(column.header)]
            + [display_width(_shown(*_unpack(row[index], column.kind))) for row in rows],
        )
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _write_sheet(book: Workbook, sheet: Sheet) -> None:
    columns = list(sheet.columns)
    rows = [list(row) for row in sheet.rows]
    ws = book.create_sheet(sheet_title(sheet.title))
    for index, width in enumerate(_widths(columns, rows), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(max(1, len(columns)))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=_cell_value(column.header, TEXT))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            value, kind = _unpack(value, column.kind)
            cell = WriteOnlyCell(ws, value=_cell_value(value, kind))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that starts with "=" stays text
            if kind in FORMATS and cell.value is not None:
                cell.number_format = FORMATS[kind]
            if column.wrap:
                cell.alignment = WRAP
            cells.append(cell)
        ws.append(cells)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The .xlsx file of ``sheets``, in order."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book, sheet)
    if not book.worksheets:
        _write_sheet(book, Sheet("Sheet", [Column("")], []))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment named ``filename`` (UTF-8, RFC 5987), ``fallback`` for older clients."""
    ascii_name = re.sub(r'[^A-Za-z0-9._-]', "_", fallback) or "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(sheets: Iterable[Sheet], *, filename: str, fallback: str = "export.xlsx") -> HttpResponse:
    """The workbook of ``sheets`` as a download named ``filename``."""
    data = workbook_bytes(sheets)
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "private, no-store"
    return response


def today_stamp() -> str:
    """Today's date for file names: 20230615."""
    return timezone.localdate().strftime("%Y%m%d")
