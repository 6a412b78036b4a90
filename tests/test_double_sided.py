"""版记 placement (GB/T 9704 §7.5, §8): after the attachments, and — printed on both sides —
on an even page, with any blank page added before it and the 版记 page left unnumbered."""

from __future__ import annotations

import dataclasses
import io

import pdfplumber
import pytest

from replies.pdf.compose import Attached, LetterContent, compose

RECORD = {"cc", "issuer", "issued"}
PARAGRAPH = "我们认真研究了提案提出的各项建议。"


def content(paragraphs: int, **changes) -> LetterContent:
    base = LetterContent(
        style="document", class_mark="（A类）", letterhead="测试市工商联(总商会)文件",
        number="测工商联函〔2023〕1号", title="关于市政协十三届二次会议第132001号提案答复的函",
        addressee="张委员", opening=[], parts=[("一、关于加强管理", [PARAGRAPH] * paragraphs)],
        closing="专此答复。", signatory="测试市工商业联合会", date="2023年7月7日", note="",
        disclosure="公开方式：主动公开", cc=["市政协提案委", "市政府办公室"],
        issued_by="测试市工商业联合会", issued_date="2023年7月8日", seal_url=None, draft=False,
    )
    return dataclasses.replace(base, **changes)


def shape(sheets) -> list[tuple[int, str, bool]]:
    """Each page: its number, what it holds (text / record / both / blank), whether numbered."""
    found = []
    for sheet in sheets:
        kinds = {text.line.css_class for text in sheet.texts} - {"page-number"}
        has_record = bool(kinds & RECORD)
        has_text = bool(kinds - RECORD) or sheet.inset is not None
        what = "both" if has_record and has_text else "record" if has_record else "text" if has_text else "blank"
        numbered = any(text.line.css_class == "page-number" for text in sheet.texts)
        found.append((sheet.number, what, numbered))
    return found


def letter_where(predicate) -> LetterContent:
    """A letter whose single-sided layout satisfies ``predicate`` (its shape)."""
    for count in range(1, 80):
        letter = content(count)
        if predicate(shape(compose(letter))):
            return letter
    raise AssertionError("no such letter")


def test_single_sided_the_record_closes_the_last_page():
    letter = letter_where(lambda pages: pages[-1] == (2, "both", True))
    assert shape(compose(letter)) == [(1, "text", True), (2, "both", True)]


def test_double_sided_a_record_on_an_odd_page_moves_to_the_even_page_after_it():
    letter = letter_where(lambda pages: pages[-1] == (3, "both", True))
    assert shape(compose(dataclasses.replace(letter, double_sided=True))) == [
        (1, "text", True), (2, "text", True), (3, "text", True), (4, "record", True)]


def test_double_sided_a_record_on_an_even_page_stays():
    letter = letter_where(lambda pages: pages[-1] == (2, "both", True))
    assert shape(compose(dataclasses.replace(letter, double_sided=True))) == shape(compose(letter))


def test_double_sided_a_blank_page_before_the_record_and_neither_numbered():
    # the text fills page 2: the record would go on page 3 (odd)
    letter = letter_where(lambda pages: pages[-1] == (3, "record", True))
    assert shape(compose(dataclasses.replace(letter, double_sided=True))) == [
        (1, "text", True), (2, "text", True), (3, "blank", False), (4, "record", False)]


def test_the_record_follows_the_attachments_and_their_pages_go_on_numbered():
    two_pages = content(1, attachments=[Attached(1, "附件一", "pdf", 2)])
    letter = [(1, "text", True), (2, "text", True), (3, "text", True), (4, "text", True)]
    assert shape(compose(two_pages)) == [*letter, (5, "record", True)]
    assert shape(compose(dataclasses.replace(two_pages, double_sided=True))) == [
        *letter, (5, "blank", False), (6, "record", False)]
    one_page = content(1, attachments=[Attached(1, "附件一", "pdf", 1)], double_sided=True)
    assert shape(compose(one_page)) == [*letter[:3], (4, "record", True)]


@pytest.mark.parametrize(("printing", "deployment", "double"), [
    ("double", False, True), ("single", True, False), ("", True, True), ("", False, False)])
def test_the_agency_or_else_the_deployment_decides(world, settings, printing, deployment, double):
    from replies.pdf.compose import letter_content

    settings.LETTER_DOUBLE_SIDED = deployment
    world.lead.printing = printing
    world.lead.save()
    _proposal, letter = world.ready_letter()
    assert letter_content(letter).double_sided is double


def test_in_the_pdf_the_blank_page_and_the_record_page_carry_no_number(world):
    from replies.pdf.render import html_to_pdf, letter_document

    _proposal, letter = world.ready_letter()
    single = letter_where(lambda pages: pages[-1] == (3, "record", True))
    html, _insets = letter_document(letter, content=dataclasses.replace(single, double_sided=True))
    with pdfplumber.open(io.BytesIO(html_to_pdf(html))) as pdf:
        below = 262 * 72 / 25.4  # under the text block, where page numbers go
        footers = [page.crop((0, below, page.width, page.height)).extract_text().strip() for page in pdf.pages]
        texts = [page.extract_text() for page in pdf.pages]
    assert footers == ["— 1 —", "— 2 —", "", ""]
    assert texts[2].strip() == ""
    assert "抄送" in texts[3] and "印发" in texts[3]
