"""/verify/: anyone checks a signed letter by its code or by the PDF they hold."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader, PdfWriter

from agencies.demo_certificates import make_demo_certificates
from agencies.models import Agency
from replies import services as rs
from replies import verification


@pytest.fixture
def callbacks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def letters(world, callbacks):
    """Two letters of the lead agency signed with its certificate (PDFs stored)."""
    make_demo_certificates(Agency.objects.filter(pk=world.lead.pk))
    signed = []
    for _ in range(2):
        _proposal, letter = world.ready_letter()
        rs.letter_submit(letter=letter, actor=world.lead_officer)
        with callbacks(execute=True):
            rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))
        letter.refresh_from_db()
        signed.append(letter)
    return signed


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def pdf_of(letter) -> bytes:
    with letter.pdf.open("rb") as handle:
        return handle.read()


def upload(data: bytes, code: str = "", client=None):
    client = client or Client()
    return client.post("/verify/", {"code": code, "pdf": SimpleUploadedFile("letter.pdf", data, "application/pdf")})


def test_a_code_shows_the_letter_it_belongs_to(letters):
    letter = letters[0]
    page = text(Client().get("/verify/", {"code": verification.display(letter.verify_code).lower()}))
    for expected in (letter.number, letter.agency.name, "A类" if letter.klass == "A" else letter.klass,
                     "2023年7月7日", "有效", letter.pdf_sha256, "PAdES B-B"):
        assert expected in page
    assert letters[1].number not in page


def test_a_voided_letter_says_so_and_why(world, letters):
    letter = letters[0]
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误，重新签发")
    page = text(Client().get("/verify/", {"code": letter.verify_code}))
    assert "已作废" in page and "文字有误，重新签发" in page


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "ABCD-EFGH"])
def test_an_unknown_code_reveals_nothing(letters, code):
    page = text(Client().get("/verify/", {"code": code}))
    assert "未找到" in page
    assert all(letter.number not in page for letter in letters)


@pytest.mark.parametrize("code", ["123", "ABCD-EFG0", "x" * 40, "ABCD-EFG!"])
def test_a_malformed_code_is_explained(letters, code):
    response = Client().get("/verify/", {"code": code})
    assert response.status_code == 200
    assert "8位字母和数字" in text(response)


def test_the_stored_pdf_is_the_same_and_its_signature_intact(letters):
    letter = letters[0]
    page = text(upload(pdf_of(letter)))
    assert "一致：与存档的签发稿完全相同" in page
    assert "数字签名完好" in page and "证书链可信" in page
    assert letter.number in page


def test_one_changed_byte_is_not_the_same_and_breaks_the_signature(letters):
    letter = letters[0]
    data = bytearray(pdf_of(letter))
    data[len(data) // 3] ^= 0x01
    for code in ("", letter.verify_code):
        page = text(upload(bytes(data), code))
        assert "不一致：与存档的签发稿不同" in page, code
        assert "有1个字节被改动" in page
        assert "数字签名已失效" in page
        assert letter.number in page


def test_a_re_saved_copy_is_not_the_same(letters):
    letter = letters[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of(letter))))
    out = io.BytesIO()
    writer.write(out)
    page = text(upload(out.getvalue(), letter.verify_code))
    assert "不一致" in page and "文件大小不同" in page
    assert "数字签名完好" not in page


def test_another_letters_pdf_is_named_as_such(letters):
    first, second = letters
    page = text(upload(pdf_of(second), first.verify_code))
    assert "不一致" in page
    assert f"另一封答复函（{second.number}）" in page


def test_a_file_of_no_letter_says_it_is_not_found(letters):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    page = text(upload(out.getvalue()))
    assert "未找到对应的答复函" in page
    assert all(letter.number not in page for letter in letters)


def test_a_file_that_is_not_a_pdf_is_refused(letters):
    page = text(upload(b"GIF89a not a pdf"))
    assert "不是PDF文件" in page


def test_an_empty_form_asks_for_a_code_or_a_file(letters):
    page = text(Client().post("/verify/", {"code": ""}))
    assert "请输入验证码，或上传答复函PDF文件" in page


def test_the_page_is_rate_limited(letters, settings):
    cache.clear()
    settings.VERIFY_PER_MINUTE = 3
    client = Client()
    answers = [client.get("/verify/", {"code": "ABCD-EFGH"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.post("/verify/", {"code": letters[0].verify_code}).status_code == 429
    assert client.get("/verify/").status_code == 200  # the empty form is not a look-up
    cache.clear()


def test_a_proposer_and_an_officer_reach_it_too(world, letters):
    client = Client()
    client.force_login(world.lead_officer)
    assert letters[0].number in text(client.get("/verify/", {"code": letters[0].verify_code}))


def test_the_portals_copy_is_told_apart_from_the_signed_letter(world, letters):
    from replies.pdf.render import render_published_pdf

    letter = letters[0]
    letter.disclosure = "主动公开"
    page = text(upload(render_published_pdf(letter)))
    assert "不一致" in page and "公开栏发布的公开版" in page
    assert letter.number in page


def test_a_copy_too_damaged_to_read_still_names_its_letter(letters):
    letter = letters[0]
    data = pdf_of(letter)
    damaged = b"%PDF-" + b"\0" * (len(data) // 2) + data[len(data) // 2 + 5:]
    page = text(upload(damaged))
    assert "不一致：与存档的签发稿不同" in page
    assert letter.number in page


def test_the_unsealed_print_is_told_apart_and_spacing_is_not_a_difference(letters):
    from replies.pdf.render import render_letter_pdf

    letter = letters[0]
    page = text(upload(render_letter_pdf(letter, seal=False)))
    assert "不一致" in page and "无印章打印版" in page
    assert "第1页文字不同" not in page  # the same text, laid out the same
    assert letter.number in page


def test_a_failed_check_does_not_read_as_a_valid_letter(letters):
    data = bytearray(pdf_of(letters[0]))
    data[len(data) // 3] ^= 0x01
    page = text(upload(bytes(data)))
    assert "您上传的文件与这封答复函的签发稿不一致，请以下面系统登记的信息为准" in page
    assert "Common Name" not in page and "签名单位：" in page


def test_no_check_reads_out_the_stored_text(world, letters):
    """The portal's copy masks the contact details; uploading it (or a copy edited to match
    the stored text bit by bit) is told only which page differs, never the archived words."""
    from replies.pdf.render import render_published_pdf

    letter = letters[0]
    letter.note = "联系人及电话：王某，13912345678"
    letter.save(update_fields=["note"])
    page = text(upload(render_published_pdf(letter), letter.verify_code))
    assert "页的文字与存档签发稿不同" in page
    assert "13912345678" not in page and "1391" not in page


def test_a_pdf_that_would_expand_enormously_is_not_read(letters):
    """A few kilobytes of compressed page content that would inflate past the budget."""
    import zlib

    from pypdf.generic import NameObject, StreamObject

    from replies import checking

    bomb = zlib.compress(b"BT (A) Tj ET\n" * (checking.TEXT_BUDGET // 12 + 1000), 9)
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    stream = StreamObject()
    stream._data = bomb
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    assert len(out.getvalue()) < 200_000
    assert checking._text_of(out.getvalue()) == []
    page = text(upload(out.getvalue(), letters[0].verify_code))
    assert "不一致" in page and "内容过大" in page
