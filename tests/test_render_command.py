"""``manage.py render_letter``: one letter to a file or to standard output."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from proposals import answers
from replies import services as rs
from replies.management.commands import render_letter
from replies.models import ReplyLetter
from tests.factories import letter_in_state


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("render_letter", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def signed(world):
    return letter_in_state(world, "signed")


def test_by_number_writes_the_stored_final_pdf(signed, tmp_path):
    target = tmp_path / "letter.pdf"
    _out, err = run(signed.number, "-o", str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    signed.refresh_from_db()
    with default_storage.open(signed.pdf.name, "rb") as stored:
        assert data == stored.read()
    assert signed.number in pdf_text(data)
    assert "草稿" not in pdf_text(data)
    assert str(target) in err


def test_by_id_and_by_number_typed_with_other_brackets(signed, tmp_path):
    by_id, typed = tmp_path / "a.pdf", tmp_path / "b.pdf"
    run(str(signed.pk), "-o", str(by_id))
    run(signed.number.replace("〔", "[").replace("〕", "]"), "-o", str(typed))
    assert by_id.read_bytes() == typed.read_bytes()
    assert by_id.read_bytes().startswith(b"%PDF")


def test_without_the_seal(signed, tmp_path, monkeypatch):
    calls = []
    real = render_letter.render_letter_pdf
    monkeypatch.setattr(render_letter, "render_letter_pdf", lambda *a, **k: calls.append(k) or real(*a, **k))
    target = tmp_path / "unsealed.pdf"
    run(signed.number, "-o", str(target), "--no-seal")
    assert calls == [{"seal": False}]
    assert target.read_bytes().startswith(b"%PDF")
    assert signed.number in pdf_text(target.read_bytes())


def test_draft_preview(world, tmp_path):
    letter = letter_in_state(world, "in_review")
    target = tmp_path / "draft.pdf"
    run(str(letter.pk), "-o", str(target), "--draft")
    text = pdf_text(target.read_bytes())
    assert "草稿" in text
    assert letter.title in text
    letter.refresh_from_db()
    assert (letter.number, bool(letter.pdf)) == (None, False)


def test_an_unsigned_letter_renders_as_draft_and_says_so(world, tmp_path):
    letter = letter_in_state(world, "draft")
    target = tmp_path / "draft.pdf"
    _out, err = run(str(letter.pk), "-o", str(target))
    assert "尚未签发" in err
    assert "草稿" in pdf_text(target.read_bytes())


def test_a_voided_letter_renders_as_final(world, tmp_path):
    letter = letter_in_state(world, "voided")
    target = tmp_path / "voided.pdf"
    run(letter.number, "-o", str(target))
    text = pdf_text(target.read_bytes())
    assert letter.number in text
    assert "草稿" not in text


def test_an_imported_historic_letter_renders_with_its_own_number(world, tmp_path):
    proposal = world.assigned()
    ReplyLetter.objects.create(
        proposal=proposal, agency=world.lead, state=ReplyLetter.State.SIGNED,
        number="测工商联函〔2019〕27号", doc_prefix="测工商联函", doc_year=2019, doc_serial=27,
        klass="B", title="测试市工商联关于第5号提案答复的函", addressee="民建测试市委会",
        opening="你们提出的提案收悉，现答复如下：", signatory="测试市工商业联合会",
        signed_on=datetime.date(2019, 8, 1),
        parts=[{"ordinal": 1, "heading": "一、关于第1条建议的标题的建议", "phrase": "列入计划。",
                "sections": [{"agency": "lead", "adoption": "planned", "body": "正在研究。"}]}],
    )
    answers.refresh(proposal)  # written straight to the table, as a migration of old data would
    target = tmp_path / "old.pdf"
    run("测工商联函〔2019〕27号", "-o", str(target))
    text = pdf_text(target.read_bytes())
    assert "测工商联函〔2019〕27号" in text
    assert "草稿" not in text


def test_to_standard_output_as_bytes(signed):
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    call_command("render_letter", signed.number, "-o", "-", stdout=stdout, stderr=io.StringIO())
    stdout.flush()
    data = raw.getvalue()
    assert data.startswith(b"%PDF-")
    assert data == rs.letter_pdf_bytes(letter=ReplyLetter.objects.get(pk=signed.pk))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("测工商联函〔2023〕99号", "没有发文字号为“测工商联函〔2023〕99号”的答复函"),
        ("999999", "没有编号为 999999 的答复函"),
        ("不是字号", "格式不对"),
    ],
)
def test_unknown_letters_are_a_clear_error(db, tmp_path, key, message):
    target = tmp_path / "none.pdf"
    with pytest.raises(CommandError, match=message):
        run(key, "-o", str(target))
    assert not target.exists()


def test_output_is_required(signed):
    with pytest.raises(CommandError, match="-o"):
        run(signed.number)


def test_an_unwritable_output_is_a_clear_error(signed, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        run(signed.number, "-o", str(tmp_path / "missing-dir" / "x.pdf"))


def test_characters_without_a_font_are_reported(signed, tmp_path, monkeypatch):
    monkeypatch.setattr(render_letter, "missing_characters", lambda letter: ["𠮷"])
    _out, err = run(signed.number, "-o", str(tmp_path / "x.pdf"))
    assert "𠮷" in err
