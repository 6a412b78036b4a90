"""From a reply letter to laid-out pages: what is printed, and where.

:func:`letter_content` gathers the letter's text (frozen parts once signed, the
approved sections before); :func:`compose` places every element on the grid of
:mod:`.layout`, in the order and positions GB/T 9704-2012 gives for 文件格式 and
信函格式.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..composition import build_parts, letter_paragraphs
from ..models import ReplyLetter
from .fonts import stack
from .layout import (
    BLOCK_HEIGHT,
    BLOCK_TOP,
    BLOCK_WIDTH,
    BODY_PT,
    BODY_SPACING,
    CHAR,
    FIT_TOLERANCE,
    PITCH,
    PT_MM,
    ROWS,
    SMALL_PT,
    Block,
    Line,
    Page,
    Paginator,
    break_paragraph,
    centred,
    flush_right,
    letterhead_size,
    measure,
    title_lines,
)
from .marks import place_verification
from .sheets import Inset, Rule, Seal, Sheet, Text

SMALL_CHAR = SMALL_PT * PT_MM


def chinese_date(value) -> str:
    """2023年7月7日: Arabic numerals, no leading zeros."""
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass
class LetterContent:
    style: str  # "document" (文件格式) or "letter" (信函格式)
    class_mark: str
    letterhead: str
    number: str
    title: str
    addressee: str
    opening: list[str]
    parts: list[tuple[str, list[str]]]
    closing: str
    signatory: str
    date: str
    note: str
    disclosure: str
    cc: list[str]
    issued_by: str
    issued_date: str
    seal_url: str | None
    draft: bool
    attachments: list[Attached] = field(default_factory=list)
    verify_code: str = ""  # printed with its QR code below the last page's text block
    double_sided: bool = False


@dataclass
class Attached:
    """An attachment as printed: its title in the 附件说明, its pages after the letter."""

    id: int
    title: str
    kind: str  # "pdf", "jpeg" or "png"
    pages: int


def letter_content(letter: ReplyLetter, *, draft: bool = False, seal: bool = True) -> LetterContent:
    """The text of ``letter`` as printed; a draft uses the sections as they stand now."""
    agency = letter.agency
    final = letter.state in (ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED,
                             ReplyLetter.State.VOIDED) and not draft
    parts = letter.parts if final and letter.parts else build_parts(letter)
    if final and letter.number:
        number = letter.number
    else:
        year = (letter.signed_on.year if letter.signed_on else None) or _today().year
        number = f"{agency.doc_prefix}〔{year}〕\u3000\u3000号"
    signed_on = letter.signed_on if final else None
    issued_on = letter.issued_on or signed_on
    note = letter.note.strip()
    if note and not note.startswith("（"):
        note = f"（{note}）"
    # Only a signed letter is sealed: a draft or preview never carries the seal.
    has_seal = seal and final and bool(agency.seal)
    return LetterContent(
        style=agency.letter_style,
        class_mark=f"（{letter.klass}类）" if letter.klass else "",
        letterhead=agency.letterhead,
        number=number,
        title=letter.title,
        addressee=letter.addressee,
        opening=_paragraphs(letter.opening),
        parts=[(part["heading"], letter_paragraphs(part)) for part in parts],
        closing=letter.closing.strip(),
        signatory=letter.signatory,
        date=chinese_date(signed_on) if signed_on else "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
        note=note,
        disclosure=f"公开方式：{letter.disclosure}" if letter.disclosure else "",
        cc=[name for name in letter.cc if name],
        issued_by=letter.issued_by or agency.name,
        issued_date=chinese_date(issued_on) if issued_on else "",
        seal_url=f"asset:seal/{agency.pk}" if has_seal else None,
        draft=draft or not final,
        attachments=[Attached(a.pk, a.title, a.kind, a.pages) for a in letter.attachments.all()]
        if letter.pk else [],
        verify_code=letter.verify_code if final and settings.LETTER_VERIFICATION_MARK else "",
        double_sided=agency.double_sided,
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _line(text: str, role: str = "body", css_class: str = "body", x: float = 0.0,
          size_pt: float = BODY_PT, spacing: float = BODY_SPACING) -> Line:
    width = measure(text, stack(role), size_pt, spacing)
    return Line(text, role, size_pt, x, spacing, width, False, css_class)


def _body(text: str, **kwargs) -> list[Line]:
    return break_paragraph(text, css_class=kwargs.pop("css_class", "body"), **kwargs)


def compose(content: LetterContent) -> list[Sheet]:
    """Lay the letter out on pages; returns the sheets in order."""
    letter_style = content.style == "letter"
    header: list[Text] = []
    rules: list[Rule] = []
    red_width = 170.0 if letter_style else BLOCK_WIDTH
    red_left = (BLOCK_WIDTH - red_width) / 2

    head_size = letterhead_size(content.letterhead, BLOCK_WIDTH)
    head_height = head_size * PT_MM
    head = centred(content.letterhead, role="title", size_pt=head_size, css_class="letterhead")
    glyph_offset = (PITCH - BODY_PT * PT_MM) / 2  # from a row's top to its glyphs' top
    if not letter_style:
        # 文件格式: class mark on the first line; header mark 35 mm below the block's top;
        # the number two lines below it; the red rule 4 mm below the number; the title
        # two lines below the rule.
        head_top = 35.0
        header.append(Text(head, head_top, head_height, red=True))
        number_row = 7
        header.append(Text(centred(content.number, role="body", size_pt=BODY_PT,
                                   spacing=BODY_SPACING, css_class="number"), number_row * PITCH))
        rule_top = number_row * PITCH + glyph_offset + BODY_PT * PT_MM + 4.0
        rules.append(Rule(rule_top, 0.0, BLOCK_WIDTH, 0.5, red=True))
        if content.class_mark:
            header.append(Text(_class_mark(content.class_mark), 0.0))
        first_row = number_row + 4
    else:
        # 信函格式: header mark 30 mm from the top of the page; a red double rule 4 mm
        # below it; number flush right and class mark flush left under the rule; the
        # title two lines below them; another double rule 20 mm from the page's foot.
        head_top = 30.0 - BLOCK_TOP
        header.append(Text(head, head_top, head_height, red=True))
        rule_top = head_top + head_height + 4.0
        rules.append(Rule(rule_top, red_left, red_width, 1.0, red=True))
        rules.append(Rule(rule_top + 1.5, red_left, red_width, 0.35, red=True))
        under = rule_top + 1.85 + BODY_PT * PT_MM * 7 / 8 - glyph_offset
        header.append(Text(flush_right(content.number, role="body", size_pt=BODY_PT,
                                       spacing=BODY_SPACING, right=0.0, css_class="number"), under))
        if content.class_mark:
            header.append(Text(_class_mark(content.class_mark), under))
        foot = 297.0 - 20.0 - BLOCK_TOP
        rules.append(Rule(foot - 1.35, red_left, red_width, 0.35, red=True))
        rules.append(Rule(foot - 1.0, red_left, red_width, 1.0, red=True))
        first_row = int((under + 3 * PITCH) // PITCH)
        if (under + 3 * PITCH) % PITCH:
            first_row += 1

    blocks: list[Block] = []
    blocks.append(Block(title_lines(content.title), kind="title"))
    addressee = content.addressee.strip()
    if addressee and addressee[-1] not in "：:":
        addressee += "："
    if addressee:
        blocks.append(Block([None, *_body(addressee, first_indent=0.0)]))
    for paragraph in content.opening:
        blocks.append(Block(_body(paragraph)))
    for heading, paragraphs in content.parts:
        blocks.append(Block(_body(heading, role="heading", css_class="heading"),
                            keep_with_next=True))
        for paragraph in paragraphs:
            blocks.append(Block(_body(paragraph)))
    if content.closing:
        blocks.append(Block(_body(content.closing)))
    if content.attachments:
        blocks.append(Block([None, *attachment_note([a.title for a in content.attachments])]))

    # Signature: date four characters in from the right, the agency centred above it,
    # the seal over both; then the note and the disclosure.
    date_line = flush_right(content.date, role="body", size_pt=BODY_PT, spacing=BODY_SPACING,
                            right=4 * CHAR, css_class="date")
    name_lines = signatory_lines(content.signatory, date_line)
    blocks.append(Block([None, *name_lines, date_line], keep_together=True, lead=1, kind="signature"))
    if content.note:
        blocks.append(Block(_body(content.note, css_class="note")))
    if content.disclosure:
        blocks.append(Block(_body(content.disclosure, css_class="disclosure")))

    paginator = Paginator(first_row)
    signature_rows = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        placed = paginator.add(block, following)
        if block.kind == "signature":
            signature_rows = placed

    sheets = [Sheet(page.number) for page in paginator.pages]
    for page, sheet in zip(paginator.pages, sheets, strict=True):
        sheet.texts = [Text(row.line, row.top) for row in page.rows]
    sheets[0].texts[:0] = header
    sheets[0].rules += rules

    if content.seal_url and signature_rows:
        # Over the agency's name (its last line, for a joint letter's several) and the date.
        page, date_row = next((p, r) for p, r in signature_rows if r.line.css_class == "date")
        size = settings.LETTER_SEAL_MM
        centre_y = date_row.top
        centre_x = date_line.x + date_line.width / 2
        sheets[page.number - 1].seal = Seal(content.seal_url, centre_y - size / 2,
                                            centre_x - size / 2, size)

    sheets += attachment_sheets(content.attachments, first_number=len(sheets) + 1)
    record = _record_lines(content, letter_style)
    unnumbered = place_record(sheets, record, letter_style=letter_style,
                              room=not content.attachments and paginator.row <= ROWS - len(record),
                              double_sided=content.double_sided)
    for sheet in sheets:
        if (letter_style and sheet.number == 1) or sheet.number in unnumbered:
            continue
        sheet.texts.append(_page_number(sheet.number))
    if content.verify_code:
        place_verification(sheets[-1], content.verify_code, first_page_rule=letter_style and len(sheets) == 1)
    return sheets


def place_record(sheets: list[Sheet], record: list[list[Line]], *, letter_style: bool, room: bool,
                 double_sided: bool) -> set[int]:
    """版记 at the foot of the last page: the letter's last page when it has room and no
    attachment follows (attachments come before the 版记), else a page of its own. Printed
    on both sides, the 版记 falls on an even page (the back of the last sheet); when a blank
    page is added to get there, neither it nor the 版记 page is numbered (GB/T 9704 §7.5).
    Returns the page numbers that carry no page number."""
    if not record:
        return set()
    unnumbered: set[int] = set()
    if room:
        target = sheets[-1]
        if double_sided and target.number % 2:
            target = Sheet(target.number + 1)
            sheets.append(target)
    else:
        target = Sheet(sheets[-1].number + 1)
        sheets.append(target)
        if double_sided and target.number % 2:
            unnumbered = {target.number, target.number + 1}  # the blank page, and the 版记's
            target = Sheet(target.number + 1)
            sheets.append(target)
    top_row = ROWS - len(record)
    for offset, row in enumerate(record):
        target.texts += [Text(line, (top_row + offset) * PITCH) for line in row]
    if not letter_style:
        target.rules.append(Rule(top_row * PITCH, 0.0, BLOCK_WIDTH, 0.35))
        issuer_rows = sum(1 for row in record if row[0].css_class == "issuer")
        if issuer_rows and issuer_rows < len(record):  # the thin rule between 抄送 and 印发
            target.rules.append(Rule((ROWS - issuer_rows) * PITCH, 0.0, BLOCK_WIDTH, 0.25))
        target.rules.append(Rule(BLOCK_HEIGHT - 0.35, 0.0, BLOCK_WIDTH, 0.35))
    return unnumbered


def attachment_note(titles: list[str]) -> list[Line]:
    """附件说明: "附件：" two characters in, then the names — numbered 1. 2. … when there are
    several — each name's wrapped lines aligned with its first character; no punctuation
    after a name."""
    label = "附件："
    label_width = measure(label, stack("body"), BODY_PT, BODY_SPACING) + BODY_SPACING
    lines: list[Line] = []
    for i, title in enumerate(titles, start=1):
        prefix = f"{i}. " if len(titles) > 1 else ""
        start = 2 * CHAR + (0 if i == 1 else label_width)
        number_width = measure(prefix, stack("body"), BODY_PT, BODY_SPACING) + BODY_SPACING if prefix else 0.0
        text = (label if i == 1 else "") + prefix + title
        lines += break_paragraph(text, first_indent=start, indent=2 * CHAR + label_width + number_width,
                                 justify=False, css_class="attachment-note")
    return lines


def attachment_sheets(attachments: list[Attached], first_number: int) -> list[Sheet]:
    """Each attachment from a new page: 附件N in 黑体 at the top left of its first page, its
    pages (a PDF's, scaled into the text block) or its image below; page numbers go on."""
    sheets = []
    for index, attachment in enumerate(attachments, start=1):
        for page in range(max(1, attachment.pages)):
            sheet = Sheet(first_number + len(sheets))
            top = 0.0
            if page == 0:
                sheet.texts.append(Text(_line(f"附件{index}", role="heading", css_class="attachment-mark",
                                              spacing=0.0), 0.0))
                top = 2 * PITCH
            sheet.inset = Inset(attachment.id, attachment.kind, page, top, BLOCK_HEIGHT - top)
            sheets.append(sheet)
    return sheets


def signatory_lines(signatory: str, date_line: Line) -> list[Line]:
    """署名: the issuing agency centred over the date. A joint letter's several agencies
    (separated by 、, spaces or line breaks) take one line each, as GB/T
    9704 sets joint signatures; a name too wide to centre there ends at the block's right
    edge, and one wider than the block is broken. Nothing leaves the text block."""
    names = [name for name in re.split(r"[、\s]+", signatory) if name]
    centre = date_line.x + date_line.width / 2
    lines: list[Line] = []
    for name in names or [""]:
        for line in break_paragraph(name, first_indent=0.0, justify=False, css_class="signatory"):
            line.x = max(0.0, min(centre - line.width / 2, BLOCK_WIDTH - line.width))
            lines.append(line)
    return lines


def _class_mark(text: str) -> Line:
    line = _line(text, role="heading", css_class="class-mark")
    if settings.LETTER_CLASS_MARK_SIDE == "right":
        line.x = BLOCK_WIDTH - line.width
    return line


def _record_lines(content: LetterContent, letter_style: bool) -> list[list[Line]]:
    """The rows of the closing block: 抄送 (hanging under its colon) and, in 文件格式,
    the issuing agency and 印发 date on one row."""
    rows: list[list[Line]] = []
    if content.cc:
        text = "抄送：" + "、".join(content.cc)
        if text[-1] != "。":
            text += "。"
        rows += [[line] for line in break_paragraph(
            text, role="body", size_pt=SMALL_PT, spacing=0.0, width=BLOCK_WIDTH - SMALL_CHAR,
            first_indent=SMALL_CHAR, indent=4 * SMALL_CHAR, css_class="cc",
        )]
    if not letter_style and content.issued_date:
        issued = flush_right(content.issued_date + "印发", role="body", size_pt=SMALL_PT, spacing=0.0,
                             right=SMALL_CHAR, css_class="issued")
        # The issuing agency one character in, the date one character from the right, on one
        # row; a name too long for the room left breaks onto rows above it.
        room = issued.x - SMALL_CHAR - SMALL_CHAR
        issuer = break_paragraph(content.issued_by, role="body", size_pt=SMALL_PT, spacing=0.0,
                                 width=SMALL_CHAR + room, first_indent=SMALL_CHAR, indent=SMALL_CHAR,
                                 justify=False, css_class="issuer")
        rows += [[line] for line in issuer[:-1]]
        rows.append([issuer[-1], issued] if issuer else [issued])
    return rows


def _page_number(number: int) -> Text:
    """— N — in 4号, 7 mm below the block: odd pages right, even pages left, one character in."""
    text = f"— {number} —"
    line = _line(text, role="number", css_class="page-number", size_pt=SMALL_PT, spacing=0.0)
    line.x = BLOCK_WIDTH - SMALL_CHAR - line.width if number % 2 else SMALL_CHAR
    return Text(line, BLOCK_HEIGHT + 7.0, SMALL_PT * PT_MM)


# What each printed element is called in a refusal.
ELEMENTS = {
    "title": _("标题"), "body": _("正文"), "heading": _("各部分标题"), "signatory": _("署名"),
    "date": _("成文日期"), "note": _("附注"), "disclosure": _("公开方式"), "cc": _("抄送"),
    "issuer": _("印发机关"), "issued": _("印发日期"), "number": _("发文字号"),
    "letterhead": _("发文机关标志"), "class-mark": _("分类标识"), "page-number": _("页码"),
    "attachment-note": _("附件说明"), "attachment-mark": _("附件标识"), "verification": _("验证码"),
}


# Placed outside the block by GB/T 9704 itself: page numbers below it, the header mark of
# 信函格式 30 mm from the top of the page; and the verification mark, below the block on
# purpose, where nothing of the standard is.
OUTSIDE_BY_THE_STANDARD = {"page-number", "letterhead", "verification"}


def outside_the_block(sheets: list[Sheet]) -> list[tuple[str, str]]:
    """(element, its text) for every line that reaches past the text block's edges: none,
    on a letter the layout could place; anything here is not signed."""
    found = []
    for sheet in sheets:
        for text in sheet.texts:
            line = text.line
            across = line.x < -FIT_TOLERANCE or line.x + line.width > BLOCK_WIDTH + FIT_TOLERANCE
            down = text.top < -FIT_TOLERANCE or text.top + PITCH > BLOCK_HEIGHT + FIT_TOLERANCE
            if across or (down and line.css_class not in OUTSIDE_BY_THE_STANDARD):
                found.append((str(ELEMENTS.get(line.css_class, line.css_class)), line.text))
    return found


__all__ = ["LetterContent", "Page", "Sheet", "compose", "letter_content", "outside_the_block"]
