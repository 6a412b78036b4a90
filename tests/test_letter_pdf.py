"""The printed letter, read back from the PDF: elements, grid, justification, safety.

Expected positions come from GB/T 9704-2012 (A4, text block 156 × 225 mm at 37 mm
from the top and 28 mm from the left, 22 lines of 28 characters), not from the code.
"""

from __future__ import annotations

import datetime
import http.server
import io
import threading
from collections import defaultdict

import pdfplumber
import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from pypdf import PdfReader

from replies import services as rs
from replies.models import AdoptionStatus, ReplyLetter
from replies.pdf import missing_characters, render_letter_pdf
from replies.pdf.render import html_to_pdf

MM = 25.4 / 72  # millimetres per point
LEFT, RIGHT = 28.0, 28.0 + 156.0
TOP, BOTTOM = 37.0, 37.0 + 225.0
PITCH = 225.0 / 22
CHAR = 156.0 / 28
INDENT = LEFT + 2 * CHAR

LONG_TEXT = (
    "市民政局积极配合各行业管理部门，完善政策举措、畅通政社交流渠道。一是不断完善行业协会商会管理"
    "体制机制，制定相关行业政策前多听取行业协会专业人员意见。二是积极参与政府政策制定，为社会经济"
    "发展建言献策，引导推动行业协会商会在助推经济发展、创新基层治理、提供社会服务、加强行业自律等"
    "方面提供智力支持。截至目前，我市有行业协会商会167家，其中行业协会78家、异地商会89家。"
)


def lines_of(page) -> list[dict]:
    """Text lines of a PDF page: grouped by row, with their left and right edges in mm."""
    rows = defaultdict(list)
    for char in page.chars:
        rows[round(char["top"] * MM, 0)].append(char)
    merged: dict[float, list] = {}
    for key in sorted(rows):
        # Characters of one line may differ by a fraction of a millimetre.
        near = next((k for k in merged if abs(k - key) <= 1.5), None)
        merged.setdefault(near if near is not None else key, []).extend(rows[key])
    result = []
    for chars in merged.values():
        chars.sort(key=lambda c: c["x0"])
        result.append({
            "top": min(c["top"] for c in chars) * MM,
            "text": "".join(c["text"] for c in chars),
            "left": chars[0]["x0"] * MM,
            "right": chars[-1]["x1"] * MM,
            "size": round(max(c["size"] for c in chars), 1),
            "font": chars[0]["fontname"],
        })
    return sorted(result, key=lambda line: line["top"])


def pdf_pages(data: bytes) -> list[list[dict]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [lines_of(page) for page in pdf.pages]


def page_sizes(data: bytes):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(round(p.width * MM, 1), round(p.height * MM, 1)) for p in pdf.pages]


def body_lines(page: list[dict]) -> list[dict]:
    return [line for line in page if line["size"] == 16.0 and TOP - 1 <= line["top"] <= BOTTOM]


def signed(world, *, bodies=None, style="document", opening_extra="", signed_on=None):
    """A signed letter of the world's lead agency, each recommendation answered with ``bodies``."""
    world.lead.letter_style = style
    world.lead.letterhead = "测试市工商联(总商会)文件"
    world.lead.save()
    proposal = world.assigned(recommendations=len(bodies or [LONG_TEXT, LONG_TEXT]))
    for recommendation, body in zip(proposal.recommendations.all(), bodies or [LONG_TEXT, LONG_TEXT],
                                    strict=True):
        world.approved_section(recommendation, world.lead, "adopted", body)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    rs.letter_update(letter=letter, actor=world.lead_officer, addressee="民建测试市委会",
                     opening=letter.opening + opening_extra, note="（联系人及电话：王某，12345678）")
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver,
                   signed_on=signed_on or datetime.date(2023, 7, 7))
    letter.refresh_from_db()
    rs.letter_issue(letter=letter, actor=world.office, issued_on=datetime.date(2023, 7, 7))
    letter.refresh_from_db()
    return letter


@pytest.fixture
def letter(world):
    return signed(world, bodies=[LONG_TEXT, LONG_TEXT, LONG_TEXT + "\n" + LONG_TEXT])


@pytest.fixture
def pdf(letter):
    return render_letter_pdf(letter)


def all_text(pages) -> str:
    return "\n".join(line["text"] for page in pages for line in page)


def test_every_element_prints_in_order(letter, pdf):
    text = all_text(pdf_pages(pdf)).replace(" ", "")
    expected = [
        "（A类）", "测试市工商联(总商会)文件", "测工商联函〔2023〕1号",
        "测试市工商联关于市政协十三届二次会议", "民建测试市委会：", "你们提出的《关于充分发挥行业协会作用的建议》",
        "一、关于第1条建议的标题的建议", "吸收采纳该项建议。市民政局", "二、关于第2条建议的标题的建议",
        "三、关于第3条建议的标题的建议", "专此答复。", "测试市工商业联合会", "2023年7月7日",
        "（联系人及电话：王某，12345678）", "公开方式：主动公开", "抄送：市政协提案委、市政府办公室", "印发",
    ]
    position = 0
    for piece in expected:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing or out of order"
        position = found + len(piece)


def test_page_is_a4_and_fonts_have_the_standard_sizes(pdf):
    pages = pdf_pages(pdf)
    assert set(page_sizes(pdf)) == {(210.0, 297.0)}
    first = pages[0]
    title = [line for line in first if line["text"].startswith("测试市工商联关于")]
    assert title and title[0]["size"] == 22.0
    body = body_lines(pages[1])
    assert len(body) > 10 and all(line["size"] == 16.0 for line in body)


def running_text(pages) -> list[dict]:
    """The lines from the addressee to 专此答复。, across pages, in order."""
    lines = [line for page in pages for line in body_lines(page)]
    start = next(i for i, line in enumerate(lines) if line["text"].endswith("委会："))
    end = next(i for i, line in enumerate(lines) if line["text"] == "专此答复。")
    return lines[start + 1:end + 1]


def test_body_lines_fill_the_text_block_and_are_justified(pdf):
    lines = running_text(pdf_pages(pdf))
    checked = 0
    for line, following in zip(lines, lines[1:], strict=False):
        assert line["left"] == pytest.approx(LEFT, abs=0.5) or \
            line["left"] == pytest.approx(INDENT, abs=0.5), line
        if following["left"] == pytest.approx(LEFT, abs=0.5):
            # The next line continues the paragraph, so this one must reach the right edge.
            assert line["right"] == pytest.approx(RIGHT, abs=0.5), line
            checked += 1
        assert line["right"] <= RIGHT + 0.5
    assert checked > 20


def test_a_full_page_has_22_lines_on_the_grid(pdf):
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    middle = body_lines(pages[1])
    assert len(middle) == 22
    for index, line in enumerate(middle):
        # Each line's glyphs sit in their 10.227 mm row.
        row_top = TOP + index * PITCH
        assert row_top <= line["top"] <= row_top + PITCH - 16 * MM, (index, line)


def test_lines_shortened_by_punctuation_rules_are_still_justified(world):
    # 26 characters fit on an indented first line; the 27th is a comma, which may not
    # start a line, so the 26th character moves down with it and the first line, one
    # character short, is spaced out to the edge.
    phrase = AdoptionStatus.objects.get(code="adopted").phrase  # heads the first line
    paragraph = "一" * (26 - len(phrase)) + "，" + "二" * 40 + "。"
    letter = signed(world, bodies=[paragraph])
    pages = pdf_pages(render_letter_pdf(letter))
    lines = [line for page in pages for line in body_lines(page)]
    first = next(line for line in lines if line["text"].startswith(phrase))
    assert first["text"].endswith("一") and len(first["text"]) == 25  # one short of 26
    # The adoption phrase heads the paragraph; find the line that holds the comma.
    flat = [line for line in lines if ("一" in line["text"] or "二" in line["text"])
            and "关于" not in line["text"]]
    comma_line = next(line for line in flat if "，" in line["text"])
    assert not comma_line["text"].startswith("，")
    assert first["right"] == pytest.approx(RIGHT, abs=0.5)
    for line in flat[:-1]:
        assert line["right"] == pytest.approx(RIGHT, abs=0.5), line
    opening_marks = [line for line in lines if line["text"].rstrip().endswith(("（", "《", "“"))]
    assert opening_marks == []


def test_page_numbers_alternate_sides_seven_mm_below_the_block(pdf):
    pages = pdf_pages(pdf)
    for number, page in enumerate(pages, start=1):
        marks = [line for line in page if line["text"].replace(" ", "") == f"—{number}—"]
        assert len(marks) == 1, page[-1]
        mark = marks[0]
        assert mark["size"] == 14.0
        assert mark["top"] == pytest.approx(BOTTOM + 7, abs=1.0)
        if number % 2:
            assert mark["right"] == pytest.approx(RIGHT - 14 * MM, abs=0.6)
        else:
            assert mark["left"] == pytest.approx(LEFT + 14 * MM, abs=0.6)


def test_letter_format_has_no_page_number_on_page_one_and_the_number_flush_right(world):
    letter = signed(world, style="letter", bodies=[LONG_TEXT, LONG_TEXT, LONG_TEXT])
    pdf = render_letter_pdf(letter)
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert not any(line["text"].replace(" ", "") == "—1—" for line in pages[0])
    assert any(line["text"].replace(" ", "") == "—2—" for line in pages[1])
    number = next(line for line in pages[0] if "测工商联函〔2023〕" in line["text"])
    assert number["right"] == pytest.approx(RIGHT, abs=0.5)
    head = next(line for line in pages[0] if "文件" in line["text"])
    assert head["top"] == pytest.approx(30.0, abs=1.5)
    text = all_text(pages)
    assert "印发" not in text


def test_document_format_header_positions(pdf):
    first = pdf_pages(pdf)[0]
    head = next(line for line in first if line["text"].endswith("文件"))
    assert head["top"] == pytest.approx(TOP + 35, abs=1.5)
    mark = next(line for line in first if line["text"] == "（A类）")
    assert mark["left"] == pytest.approx(LEFT, abs=0.5)
    number = next(line for line in first if "测工商联函〔2023〕1号" in line["text"])
    centre = (number["left"] + number["right"]) / 2
    assert centre == pytest.approx(LEFT + 78, abs=0.5)


def test_signature_date_four_characters_in_with_the_seal_over_it(world, tmp_path):
    seal = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((10, 10, 390, 390), outline=(230, 0, 18, 255), width=24)
    buffer = io.BytesIO()
    seal.save(buffer, format="PNG")
    world.lead.seal.save("seal.png", ContentFile(buffer.getvalue()), save=True)
    letter = signed(world, bodies=[LONG_TEXT])
    data = render_letter_pdf(letter)
    pages = pdf_pages(data)
    last = next(page for page in pages if any(line["text"] == "2023年7月7日" for line in page))
    date = next(line for line in last if line["text"] == "2023年7月7日")
    name = next(line for line in last if line["text"] == "测试市工商业联合会")
    assert date["right"] == pytest.approx(RIGHT - 4 * CHAR, abs=0.6)
    assert (name["left"] + name["right"]) / 2 == pytest.approx((date["left"] + date["right"]) / 2, abs=0.6)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[pages.index(last)]
        # the seal, and below the text block the verification mark's QR code
        images = [image for image in page.images if image["top"] * MM < BOTTOM]
        assert len(images) == 1
        image = images[0]
        width = (image["x1"] - image["x0"]) * MM
        assert width == pytest.approx(42, abs=0.5)
        centre_x = (image["x0"] + image["x1"]) / 2 * MM
        assert centre_x == pytest.approx((date["left"] + date["right"]) / 2, abs=1.0)
        top = image["top"] * MM
        body_above = [line for line in last if line["size"] == 16.0 and line["top"] < name["top"]]
        assert top - (body_above[-1]["top"] + PITCH) < PITCH  # within one line of the body
    unsealed = render_letter_pdf(letter, seal=False)
    with pdfplumber.open(io.BytesIO(unsealed)) as pdf:
        # no seal anywhere; only the verification mark's QR code, below the text block
        assert all(image["top"] * MM > BOTTOM for page in pdf.pages for image in page.images)


def test_draft_preview_is_marked_and_has_no_number(world):
    proposal, letter = world.ready_letter()
    data = render_letter_pdf(letter, draft=True)
    text = all_text(pdf_pages(data))
    # The mark is drawn at a slant, so its two characters stand on different text lines.
    assert "草" in text and "稿" in text
    assert "〕\u3000\u3000号" in text and "〕1号" not in text
    final = all_text(pdf_pages(render_letter_pdf(world.signed_letter()[1])))
    assert "草" not in final and "稿" not in final


def test_characters_no_font_has_are_reported(world):
    proposal, letter = world.ready_letter()
    assert missing_characters(letter) == []
    rs.letter_update(letter=letter, actor=world.lead_officer, addressee="张\U000f0001委员")
    letter.refresh_from_db()
    assert missing_characters(letter) == ["\U000f0001"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.hits
    server.shutdown()


def test_markup_in_user_text_prints_literally_and_fetches_nothing(world, listener):
    url, hits = listener
    hostile = (f'<img src="{url}/user.png"><link rel="attachment" href="file:///etc/passwd">'
               f'<style>@import url({url}/x.css);</style>')
    letter = signed(world, bodies=[LONG_TEXT + hostile], opening_extra=hostile)
    data = render_letter_pdf(letter)
    assert hits == []
    text = all_text(pdf_pages(data)).replace(" ", "")
    assert '<imgsrc="' in text.replace("\n", "")
    reader = PdfReader(io.BytesIO(data))
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    assert b"root:x:0:0" not in data


def test_hostile_template_markup_fetches_and_embeds_nothing(listener):
    url, hits = listener
    html = (f'<html><head><link rel="stylesheet" href="{url}/style.css">'
            f'<link rel="attachment" href="file:///etc/passwd"></head>'
            f'<body><img src="{url}/a.png"><img src="file:///etc/hostname">'
            f'<p style="background: url({url}/b.png)">x</p></body></html>')
    data = html_to_pdf(html)
    assert hits == []
    reader = PdfReader(io.BytesIO(data))
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in str(names)
    assert b"root:x:0:0" not in data
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        # no seal anywhere; only the verification mark's QR code, below the text block
        assert all(image["top"] * MM > BOTTOM for page in pdf.pages for image in page.images)


def test_a_signed_letter_renders_from_its_frozen_text(world):
    letter = signed(world, bodies=[LONG_TEXT])
    section = letter.proposal.recommendations.first().sections.first()
    section.body = "签发后改动的文字"
    section.save()
    text = all_text(pdf_pages(render_letter_pdf(ReplyLetter.objects.get(pk=letter.pk))))
    assert "签发后改动的文字" not in text
    assert "市民政局积极配合" in text


@pytest.mark.parametrize("extra", [0, 20, *range(38, 56, 3)])
def test_signature_and_date_stay_together_with_some_body_above(world, extra):
    # Letters of growing length put the signature near the foot of a page and over it.
    letter = signed(world, bodies=[LONG_TEXT, "短句。" * (1 + extra * 3)])
    pages = pdf_pages(render_letter_pdf(letter, seal=False))
    holding = [i for i, page in enumerate(pages) if any(line["text"] == "2023年7月7日" for line in page)]
    assert len(holding) == 1
    page = pages[holding[0]]
    name_index = next(i for i, line in enumerate(page) if line["text"] == "测试市工商业联合会")
    date_index = next(i for i, line in enumerate(page) if line["text"] == "2023年7月7日")
    assert date_index == name_index + 1
    body_above = [line for line in page[:name_index] if line["size"] == 16.0]
    assert body_above, "the signature must not stand alone on a page"
    last_page = pages[-1]
    assert any(line["text"].startswith("抄送：") for line in last_page)
