"""Nothing of a signed letter is printed outside the text block, whatever the forms accept.

The layout breaks what is too long for a line — a pasted link, a long code, a joint
letter's several agencies in its signature, a long issuing agency — and drops the spaces
where lines break, so that every line but a paragraph's last reaches the right edge. The
PDF is read back: every character of every page lies inside the 156 × 225 mm block that
begins 37 mm from the top and 28 mm from the left, but for what GB/T 9704 places outside
it (the page numbers below; in 信函格式 the header mark above).
"""

from __future__ import annotations

import io

import pdfplumber
import pytest

from agencies.models import Agency
from replies import services as rs
from replies.models import ReplyLetter, Section
from replies.pdf import outside_lines, render_letter_pdf
from replies.pdf.compose import compose, letter_content, outside_the_block
from replies.pdf.layout import BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH, FIT_TOLERANCE, break_paragraph

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
LINK = "https://zwfw.example.gov.cn/guide/" + "".join(f"x{i:04d}" for i in range(600))  # 3,034 chars
JOINT = "中山市民政局、中山市工业和信息化局、中山市发展和改革局、中山市投资促进局"


def limit(name: str) -> int:
    return ReplyLetter._meta.get_field(name).max_length


# ---------------------------------------------------------------- lines


def test_a_long_unbroken_token_is_broken_where_the_line_is_full():
    lines = break_paragraph(f"详见{LINK}。")
    assert len(lines) > 50
    assert all(line.x + line.width <= BLOCK_WIDTH + FIT_TOLERANCE for line in lines)
    assert "".join(line.text for line in lines) == f"详见{LINK}。"
    assert all(abs(line.x + line.width - BLOCK_WIDTH) < 0.01 for line in lines[:-1])


def test_spaces_where_a_line_breaks_are_dropped_and_the_line_reaches_the_right_edge():
    text = " ".join(["Guangdong-Hong Kong-Macao Greater Bay Area"] * 8)
    lines = break_paragraph(text)
    assert len(lines) > 2
    for line in lines[:-1]:
        assert line.text == line.text.strip()
        assert abs(line.x + line.width - BLOCK_WIDTH) < 0.01
    assert not lines[-1].text.startswith(" ")
    assert " ".join(line.text for line in lines) == text


def test_a_joint_signature_puts_one_agency_on_a_line():
    from replies.pdf.compose import signatory_lines
    from replies.pdf.layout import CHAR, flush_right

    date = flush_right("2023年7月7日", role="body", size_pt=16, spacing=0.37, right=4 * CHAR)
    lines = signatory_lines(JOINT, date)
    assert [line.text for line in lines] == JOINT.split("、")
    assert all(0 <= line.x and line.x + line.width <= BLOCK_WIDTH + FIT_TOLERANCE for line in lines)
    long_name = signatory_lines("中" * limit("signatory"), date)
    assert len(long_name) == 4
    assert all(0 <= line.x and line.x + line.width <= BLOCK_WIDTH + FIT_TOLERANCE for line in long_name)


# ---------------------------------------------------------------- whole letters, read back


def cc_of_the_longest_length() -> list[str]:
    from core.text import CC_TEXT

    names: list[str] = []
    for n in range(200):
        name = ["市政协提案委", "市政府办公室", "市民政局", "市工业和信息化局"][n % 4] + str(n)
        if len("、".join([*names, name])) > CC_TEXT:
            break
        names.append(name)
    return names


def longest_letter(world, style: str) -> ReplyLetter:
    """A letter with the longest value the forms accept in every field, signed."""
    Agency.objects.filter(pk=world.lead.pk).update(letter_style=style)
    world.lead.refresh_from_db()
    proposal, letter = world.ready_letter()
    Section.objects.filter(recommendation__proposal=proposal).update(
        body=(f"附件地址：{LINK}。" + "经研究，我局将会同有关部门认真落实该项建议。" * 200)[:5000])
    rs.letter_update(
        letter=letter, actor=world.lead_officer,
        title=("关于市政协十三届二次会议第132020号提案" + "答复" * 200)[:limit("title")],
        addressee=("民建中山市委会" * 40)[:limit("addressee")],
        opening=f"你们提出的建议收悉。原文见{LINK}。" + "现将办理情况答复如下：" * 40,
        closing=("专此答复。" * 40)[:limit("closing")],
        signatory=JOINT,
        note=("（联系人及电话：何少荣，18824982023，" + "8" * 400 + "）")[:limit("note")],
        cc=cc_of_the_longest_length(),
        issued_by=("中山市工商业联合会" * 20)[:limit("issued_by")],
    )
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    return rs.letter_sign(letter=letter, actor=world.lead_approver)


@pytest.mark.parametrize("style", ["document", "letter"])
def test_every_character_of_the_longest_letter_lies_inside_the_text_block(world, style):
    letter = longest_letter(world, style)
    data = render_letter_pdf(letter)
    left, right = BLOCK_LEFT * MM, (BLOCK_LEFT + BLOCK_WIDTH) * MM
    top, bottom = BLOCK_TOP * MM, (BLOCK_TOP + 225) * MM
    tolerance = 0.5 * MM
    outside = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) > 3
        for number, page in enumerate(pdf.pages, start=1):
            for char in page.chars:
                if char["text"].isspace():
                    continue
                page_number = char["top"] > bottom and char["text"] in "—0123456789"
                # 信函格式: the header mark's top is 30 mm from the page's (GB/T 9704 §10.1).
                header_mark = style == "letter" and number == 1 and char["top"] < top
                # The verification code: below the page number of the last page, on purpose.
                verification = number == len(pdf.pages) and char["top"] > bottom + 12 * MM
                if char["x0"] < left - tolerance or char["x1"] > right + tolerance:
                    outside.append((number, char["text"], round(char["x0"] / MM), round(char["x1"] / MM)))
                elif not (page_number or header_mark or verification) and (
                        char["top"] < top - tolerance or char["bottom"] > bottom + tolerance):
                    outside.append((number, char["text"], round(char["top"] / MM), round(char["bottom"] / MM)))
    assert outside == [], outside[:20]


def test_what_the_layout_could_not_place_is_refused_naming_it(world, monkeypatch):
    """The guard behind the layout: a line placed past the edge stops the letter at 送签."""
    from core.workflow import DomainError
    from replies.pdf import compose as compose_module

    proposal, letter = world.ready_letter()
    assert outside_lines(letter) == []
    original = compose_module.signatory_lines

    def too_wide(signatory, date_line):
        lines = original(signatory, date_line)
        lines[0].x = BLOCK_WIDTH  # as the layout once placed a long signatory
        return lines

    monkeypatch.setattr(compose_module, "signatory_lines", too_wide)
    assert outside_the_block(compose(letter_content(letter)))[0][0] == "署名"
    with pytest.raises(DomainError, match="超出版心.*署名"):
        rs.letter_submit(letter=letter, actor=world.lead_officer)


def test_invisible_characters_are_named_in_words(world):
    from core.text import describe_character

    assert describe_character("\u202e") == "不可见的方向控制符 U+202E"
    assert describe_character("\u200b") == "不可见的零宽字符 U+200B"
    assert describe_character("\ue000") == "私用区字符 U+E000"
    proposal, letter = world.ready_letter()
    ReplyLetter.objects.filter(pk=letter.pk).update(closing="专此答复。\u202e")
    letter.refresh_from_db()
    from core.workflow import DomainError

    with pytest.raises(DomainError) as refused:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert "不可见的方向控制符 U+202E" in refused.value.message
