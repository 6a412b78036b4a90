"""Signing stores the final PDF for good: checksum, byte-identical downloads, tampering refused."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from core.workflow import DomainError, IllegalMove
from proposals import answers
from replies import services as rs
from replies import tasks
from replies.models import DocumentCounter, ReplyLetter
from tests.factories import letter_in_state

SIGNED_ON = datetime.date(2023, 7, 7)


def pdf_text(data: bytes) -> str:
    """The text of a PDF without any whitespace, so letter-spaced lines compare plainly."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def stored_bytes(letter: ReplyLetter) -> bytes:
    with default_storage.open(letter.pdf.name, "rb") as stored:
        return stored.read()


def sign(world, letter, on=SIGNED_ON, callbacks=None):
    """Sign through the service and run what it leaves for after the commit."""
    with callbacks(execute=True):
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=on)
    letter.refresh_from_db()
    return letter


def signed(world, callbacks):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    return sign(world, letter, callbacks=callbacks)


@pytest.fixture
def callbacks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


class Spy:
    """Wraps a function of ours, counting calls; ``fail`` makes the next calls raise."""

    def __init__(self, function):
        self.function, self.calls, self.fail = function, [], []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.fail:
            raise self.fail.pop(0)
        return self.function(*args, **kwargs)


@pytest.fixture
def render_spy(monkeypatch):
    spy = Spy(rs.stored.render_letter_pdf)
    monkeypatch.setattr(rs.stored, "render_letter_pdf", spy)
    return spy


# ---------------------------------------------------------------- signing stores the PDF


def test_signing_stores_the_final_pdf_with_its_checksum(world, callbacks):
    letter = signed(world, callbacks)

    assert letter.pdf.name == f"letters/2023/letter-2023-{letter.pk}.pdf"
    assert letter.pdf.name.isascii()
    data = stored_bytes(letter)
    assert data.startswith(b"%PDF")
    assert letter.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert len(letter.pdf_sha256) == 64
    text = pdf_text(data)
    assert letter.number in text
    assert "草稿" not in text


def test_the_pdf_is_rendered_only_after_the_signature_commits(world, callbacks, render_spy):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    with callbacks(execute=False) as pending:
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=SIGNED_ON)
    letter.refresh_from_db()
    assert (letter.state, bool(letter.pdf), render_spy.calls) == ("signed", False, [])
    assert len(pending) == 2  # rendering the PDF, and refreshing the search index

    for callback in pending:  # the commit: the task runs inline, as it does without a broker
        callback()
    letter.refresh_from_db()
    assert letter.pdf and letter.pdf_sha256
    assert len(render_spy.calls) == 1
    (rendered,), options = render_spy.calls[0]
    assert rendered.pk == letter.pk and options == {}  # final, with the seal


def test_a_failed_render_does_not_undo_the_signature(world, callbacks, render_spy, caplog):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    render_spy.fail = [RuntimeError("字体文件损坏")]
    with caplog.at_level(logging.ERROR):
        letter = sign(world, letter, callbacks=callbacks)
    assert letter.state == "signed" and letter.number
    assert not letter.pdf
    # The first download stores it.
    data = rs.letter_pdf_bytes(letter=letter)
    letter.refresh_from_db()
    assert data == stored_bytes(letter)
    assert letter.pdf_sha256 == hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- never rendered again


def test_downloads_are_byte_identical_to_the_stored_file(world, callbacks, render_spy):
    letter = signed(world, callbacks)
    assert len(render_spy.calls) == 1
    first = rs.letter_pdf_bytes(letter=letter)
    second = rs.letter_pdf_bytes(letter=ReplyLetter.objects.get(pk=letter.pk))
    assert first == second == stored_bytes(letter)
    assert len(render_spy.calls) == 1  # read back, never rendered again


def test_storing_again_leaves_the_stored_pdf_untouched(world, callbacks, render_spy):
    letter = signed(world, callbacks)
    name, digest, data = letter.pdf.name, letter.pdf_sha256, stored_bytes(letter)
    render_spy.fail = [AssertionError("a stored PDF must not be rendered again")]

    again = rs.letter_store_pdf(letter=letter)
    assert (again.pdf.name, again.pdf_sha256) == (name, digest)
    assert tasks.render_signed_letter(letter.pk) == digest
    letter.refresh_from_db()
    assert (letter.pdf.name, letter.pdf_sha256, stored_bytes(letter)) == (name, digest, data)
    assert len(render_spy.calls) == 1


def test_later_changes_elsewhere_do_not_change_the_stored_pdf(world, callbacks):
    letter = signed(world, callbacks)
    data = stored_bytes(letter)
    agency = letter.agency
    agency.letterhead = "改名后的机关文件"
    agency.save()
    assert rs.letter_pdf_bytes(letter=ReplyLetter.objects.get(pk=letter.pk)) == data


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_an_unsigned_letter_gets_no_stored_pdf(world, state):
    letter = letter_in_state(world, state)
    with pytest.raises(IllegalMove, match="签发后才能生成正式PDF"):
        rs.letter_store_pdf(letter=letter)
    with pytest.raises(IllegalMove):
        rs.letter_pdf_bytes(letter=letter)
    letter.refresh_from_db()
    assert not letter.pdf and not letter.pdf_sha256


# ---------------------------------------------------------------- tampering


def test_a_tampered_file_is_refused_and_logged(world, callbacks, caplog):
    letter = signed(world, callbacks)
    data = stored_bytes(letter)
    middle = len(data) // 2
    altered = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    with open(default_storage.path(letter.pdf.name), "wb") as stored:
        stored.write(altered)  # one bit, same length

    with caplog.at_level(logging.ERROR, logger="replies.services"):
        with pytest.raises(rs.StoredPDFError) as caught:
            rs.letter_pdf_bytes(letter=letter)
    assert letter.number in caught.value.message
    assert "校验值不符" in caught.value.message
    assert any("fails its checksum" in record.getMessage() for record in caplog.records)


def test_a_missing_file_is_refused_not_rendered_again(world, callbacks, render_spy):
    letter = signed(world, callbacks)
    default_storage.delete(letter.pdf.name)
    with pytest.raises(rs.StoredPDFError, match="无法读取"):
        rs.letter_pdf_bytes(letter=letter)
    assert len(render_spy.calls) == 1


# ---------------------------------------------------------------- voiding and replacing


def test_a_voided_letter_keeps_its_pdf(world, callbacks):
    letter = signed(world, callbacks)
    name, digest, data = letter.pdf.name, letter.pdf_sha256, stored_bytes(letter)
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="引用文件有误")
    letter.refresh_from_db()
    assert letter.state == "voided"
    assert (letter.pdf.name, letter.pdf_sha256) == (name, digest)
    assert rs.letter_pdf_bytes(letter=letter) == data


def test_a_letter_voided_before_its_pdf_was_stored_still_gets_one(world):
    letter = letter_in_state(world, "voided")  # no commit, so no task ran
    assert not letter.pdf
    data = rs.letter_pdf_bytes(letter=letter)
    letter.refresh_from_db()
    assert letter.pdf and letter.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert letter.number in pdf_text(data)


def test_a_replacement_gets_a_new_number_and_its_own_pdf(world, callbacks):
    first = signed(world, callbacks)
    first_data = stored_bytes(first)
    rs.letter_void(letter=first, actor=world.lead_approver, reason="答复内容有误")

    second = rs.letter_create(proposal=first.proposal, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=second, actor=world.lead_officer)
    second = sign(world, second, on=datetime.date(2023, 7, 20), callbacks=callbacks)

    assert (first.number, second.number) == ("测工商联函〔2023〕1号", "测工商联函〔2023〕2号")
    assert second.pdf.name != first.pdf.name
    second_data = stored_bytes(second)
    assert second.pdf_sha256 == hashlib.sha256(second_data).hexdigest() != first.pdf_sha256
    assert "测工商联函〔2023〕2号" in pdf_text(second_data)
    first.refresh_from_db()
    assert rs.letter_pdf_bytes(letter=first) == first_data


# ---------------------------------------------------------------- letters from before


def test_an_imported_letter_gets_its_pdf_on_first_request(world):
    proposal = world.assigned()
    letter = ReplyLetter.objects.create(
        proposal=proposal, agency=world.lead, state=ReplyLetter.State.ISSUED,
        number="测工商联函〔2021〕8号", doc_prefix="测工商联函", doc_year=2021, doc_serial=8,
        klass="A", title="测试市工商联关于第1号提案答复的函", addressee="民建测试市委会",
        opening="你们提出的提案收悉，现答复如下：", signatory="测试市工商业联合会",
        signed_on=datetime.date(2021, 6, 30), issued_on=datetime.date(2021, 7, 1),
        parts=[{"ordinal": 1, "heading": "一、关于第1条建议的标题的建议", "phrase": "吸收采纳该项建议。",
                "sections": [{"agency": "lead", "adoption": "adopted", "body": "已办理。"}]}],
    )
    answers.refresh(proposal)  # written straight to the table, as a migration of old data would
    data = rs.letter_pdf_bytes(letter=letter)
    letter.refresh_from_db()
    assert letter.pdf.name == f"letters/2021/letter-2021-{letter.pk}.pdf"
    assert data == stored_bytes(letter)
    assert "测工商联函〔2021〕8号" in pdf_text(data)


# ---------------------------------------------------------------- characters no font has


@pytest.fixture
def no_font_for(monkeypatch):
    def patch(*chars):
        monkeypatch.setattr(rs.letters, "missing_characters", lambda letter: list(chars))

    return patch


def test_missing_characters_block_sending_for_signing(world, no_font_for):
    _proposal, letter = world.ready_letter()
    no_font_for("𠮷", "䶮")
    with pytest.raises(DomainError) as caught:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert "无法打印" in caught.value.message
    assert "𠮷、䶮" in caught.value.message
    letter.refresh_from_db()
    assert letter.state == "draft"


def test_missing_characters_block_signing_before_a_number_is_taken(world, no_font_for, callbacks):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    no_font_for("𠮷")
    with callbacks(execute=True) as pending:
        with pytest.raises(DomainError, match="𠮷"):
            rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=SIGNED_ON)
    assert pending == []
    letter.refresh_from_db()
    assert (letter.state, letter.number, bool(letter.pdf)) == ("in_review", None, False)
    assert not DocumentCounter.objects.exists()


def test_without_missing_characters_signing_goes_ahead(world, no_font_for, callbacks):
    no_font_for()
    letter = signed(world, callbacks)
    assert letter.state == "signed" and letter.pdf


# ---------------------------------------------------------------- the render task


def test_render_task_tolerates_a_deleted_letter(db):
    assert tasks.render_signed_letter.apply(args=[987654]).get() is None


def test_render_task_declares_retries():
    task = tasks.render_signed_letter
    assert task.max_retries == 5
    assert OSError in task.autoretry_for
    assert task.retry_backoff


def test_render_task_retries_a_passing_storage_error(world, render_spy):
    letter = letter_in_state(world, "signed")
    render_spy.fail = [OSError("磁盘暂时不可用")]
    # throw=False: run as a worker would, where a Retry is sent again instead of raised.
    result = tasks.render_signed_letter.apply(args=[letter.pk], throw=False)
    letter.refresh_from_db()
    assert result.get() == letter.pdf_sha256 != ""
    assert len(render_spy.calls) == 2


def test_render_task_does_not_retry_a_refusal(world, render_spy):
    letter = letter_in_state(world, "in_review")
    with pytest.raises(IllegalMove):
        tasks.render_signed_letter.apply(args=[letter.pk]).get()
    assert render_spy.calls == []
