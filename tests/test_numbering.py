"""Proposal numbers (提案号) and document numbers (发文字号)."""

from __future__ import annotations

import datetime

import pytest

from core.workflow import DomainError
from proposals import services as ps
from proposals.models import Proposal, Session
from replies import services as rs
from replies.models import DocumentCounter, ReplyLetter
from replies.numbering import (
    DocumentNumber,
    allocate_document_number,
    note_document_number,
    parse_document_number,
)
from tests.factories import SessionFactory, history_of, record_feedback

# ---------------------------------------------------------------- proposal numbers


def numbers(world, count):
    return [world.proposal().number for _ in range(count)]


def last_serial(session) -> int:
    return Session.objects.get(pk=session.pk).last_serial


def same_committee(world, **kwargs) -> Session:
    values = {"code": "13-3", "committee": world.session.committee, "term": 13, "meeting": 3,
              "year": 2024, "name": "市政协十三届三次会议"}
    values.update(kwargs)
    return SessionFactory(**values)


def test_allocated_numbers_are_term_meeting_and_serial(world):
    assert numbers(world, 3) == ["132001", "132002", "132003"]
    assert last_serial(world.session) == 3


def test_numbers_follow_the_session(world):
    session = SessionFactory(code="9-1", term=9, meeting=1, year=2018, name="市政协九届一次会议")
    proposal = ps.proposal_create(session=session, title="案由", proposers=[{"name": "甲"}],
                                  actor=world.liaison)
    assert proposal.number == "91001"


def test_a_typed_number_moves_the_counter(world):
    assert world.proposal(number="132050").number == "132050"
    assert last_serial(world.session) == 50
    assert numbers(world, 2) == ["132051", "132052"]


def test_a_lower_typed_number_leaves_the_counter(world):
    world.proposal(number="132050")
    world.proposal(number="132010")
    assert last_serial(world.session) == 50
    assert numbers(world, 1) == ["132051"]


@pytest.mark.parametrize("typed", ["1320500", "99001", "133050", "20230001"])
def test_a_number_outside_the_session_pattern_leaves_the_counter(world, typed):
    world.proposal(number=typed)
    assert last_serial(world.session) == 0
    assert numbers(world, 1) == ["132001"]


def test_a_number_taken_in_another_session_of_the_committee_is_skipped(world):
    later = same_committee(world)
    ps.proposal_create(session=later, number="132003", title="案由", proposers=[{"name": "甲"}],
                       actor=world.liaison)
    assert numbers(world, 4) == ["132001", "132002", "132004", "132005"]


def test_a_refused_proposal_does_not_use_up_a_number(world):
    with pytest.raises(DomainError):
        ps.proposal_create(session=world.session, title="案由", proposers=[], actor=world.liaison)
    assert last_serial(world.session) == 0
    assert numbers(world, 1) == ["132001"]


def test_serials_run_out_after_999(world):
    world.proposal(number="132999")
    with pytest.raises(DomainError) as caught:
        world.proposal()
    assert "已用完" in caught.value.message
    assert "999" in caught.value.message
    assert world.session.name in caught.value.message
    assert Proposal.objects.count() == 1
    assert last_serial(world.session) == 999


def test_running_out_counts_numbers_taken_elsewhere(world):
    world.proposal(number="132998")
    ps.proposal_create(session=same_committee(world), number="132999", title="案由",
                       proposers=[{"name": "甲"}], actor=world.liaison)
    with pytest.raises(DomainError) as caught:
        world.proposal()
    assert "已用完" in caught.value.message


def test_last_free_serial_is_used(world):
    world.proposal(number="132998")
    assert numbers(world, 1) == ["132999"]


# ---------------------------------------------------------------- document numbers: text


def test_document_number_text():
    text = str(DocumentNumber("测工商联函", 2023, 1))
    assert text == "测工商联函\u30142023\u30151号"
    assert text == "测工商联函〔2023〕1号"
    assert str(DocumentNumber("中工商联函", 2023, 11)) == "中工商联函〔2023〕11号"
    assert str(DocumentNumber("中工商联函", 2024, 105)) == "中工商联函〔2024〕105号"


@pytest.mark.parametrize(
    "text",
    [
        "中工商联函〔2023〕11号",
        "中工商联函[2023]11号",
        "中工商联函(2023)11号",
        "中工商联函（2023）11号",
        "中工商联函［2023］11号",
        "中工商联函【2023】11号",
        "  中工商联函〔2023〕11号 ",
    ],
)
def test_parse_accepts_the_brackets_people_type(text):
    assert parse_document_number(text) == DocumentNumber("中工商联函", 2023, 11)


@pytest.mark.parametrize("text", ["中工商联函〔2023〕011号", "中工商联函[2023]0011号"])
def test_parse_refuses_leading_zeros(text):
    with pytest.raises(DomainError) as caught:
        parse_document_number(text)
    assert caught.value.field == "number"
    assert "前导零" in caught.value.message
    assert "应写作 11" in caught.value.message


@pytest.mark.parametrize("text", ["中工商联函〔2023〕0号", "中工商联函〔2023〕00号"])
def test_parse_refuses_serial_zero(text):
    with pytest.raises(DomainError) as caught:
        parse_document_number(text)
    assert caught.value.field == "number"
    assert "应写作 0" not in caught.value.message
    assert "从1开始" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "中工商联函2023年11号",
        "〔2023〕11号",
        "中工商联函〔23〕11号",
        "中工商联函〔20230〕11号",
        "中工商联函〔2023〕号",
        "中工商联函〔2023〕11",
        "中工商联函〔2023〕11号附件",
        "中 工商联函〔2023〕11号",
        "中工商联函〔2023〕-1号",
        "中工商联函〔2023〕1.5号",
        "中工商联函〔2023〕〔2023〕11号",
        "中工商联函〔2023]11号x",
    ],
)
def test_parse_refuses_garbage(text):
    with pytest.raises(DomainError) as caught:
        parse_document_number(text)
    assert caught.value.field == "number"
    assert "格式不对" in caught.value.message
    assert "中工商联函〔2023〕11号" in caught.value.message  # shows an example


def test_parse_refuses_an_impossible_year():
    with pytest.raises(DomainError) as caught:
        parse_document_number("中工商联函〔1800〕1号")
    assert "年份" in caught.value.message


def test_parse_reads_back_what_is_printed():
    for number in (DocumentNumber("测工商联函", 2023, 1), DocumentNumber("市府办函", 2031, 1234)):
        assert parse_document_number(str(number)) == number


# ---------------------------------------------------------------- document numbers: counters

SIGNED_ON = datetime.date(2023, 7, 7)


def signed(world, signed_on=SIGNED_ON):
    _proposal, letter = world.signed_letter(signed_on=signed_on)
    return letter


def test_letters_are_numbered_one_after_another(world):
    assert [signed(world).number for _ in range(3)] == [
        "测工商联函〔2023〕1号", "测工商联函〔2023〕2号", "测工商联函〔2023〕3号",
    ]
    assert DocumentCounter.objects.get(prefix="测工商联函", year=2023).last_serial == 3


def test_counters_are_per_prefix_and_year(world):
    first = signed(world)
    next_year = signed(world, signed_on=datetime.date(2024, 1, 3))
    back_in_2023 = signed(world)
    assert (first.number, next_year.number, back_in_2023.number) == (
        "测工商联函〔2023〕1号", "测工商联函〔2024〕1号", "测工商联函〔2023〕2号",
    )
    assert (next_year.doc_prefix, next_year.doc_year, next_year.doc_serial) == ("测工商联函", 2024, 1)
    assert allocate_document_number("测民函", 2023) == DocumentNumber("测民函", 2023, 1)


def test_the_year_comes_from_the_letter_date(world):
    letter = signed(world, signed_on=datetime.date(2025, 12, 31))
    assert letter.number == "测工商联函〔2025〕1号"


def test_note_moves_the_counter_past_an_imported_number(world):
    note_document_number(parse_document_number("测工商联函〔2023〕40号"))
    assert signed(world).number == "测工商联函〔2023〕41号"
    note_document_number(DocumentNumber("测工商联函", 2023, 7))  # lower: counter stays
    assert signed(world).number == "测工商联函〔2023〕42号"


def test_note_starts_a_new_counter(world):
    note_document_number(DocumentNumber("测工商联函", 2030, 5))
    assert DocumentCounter.objects.get(prefix="测工商联函", year=2030).last_serial == 5
    assert allocate_document_number("测工商联函", 2030).serial == 6


def test_serials_already_on_letters_are_skipped(world):
    first = signed(world)
    # as after an import that stored letters without noting their numbers
    DocumentCounter.objects.filter(prefix="测工商联函", year=2023).update(last_serial=0)
    second = signed(world)
    assert (first.doc_serial, second.doc_serial) == (1, 2)


def test_a_voided_number_is_never_reused(world):
    proposal, letter = world.signed_letter(signed_on=SIGNED_ON)
    assert letter.number == "测工商联函〔2023〕1号"
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="引用数据有误")
    proposal.refresh_from_db()
    assert proposal.state == "replied"

    replacement = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert replacement.round == 1
    rs.letter_submit(letter=replacement, actor=world.lead_officer)
    rs.letter_sign(letter=replacement, actor=world.lead_approver, signed_on=SIGNED_ON)
    replacement.refresh_from_db()
    letter.refresh_from_db()
    assert replacement.number == "测工商联函〔2023〕2号"
    assert (letter.state, letter.number) == ("voided", "测工商联函〔2023〕1号")

    proposal.refresh_from_db()
    assert proposal.state == "replied"
    assert list(history_of(proposal).filter(action="reply").values_list("source", "target")) == [
        ("assigned", "replied"),
    ]
    assert signed(world).number == "测工商联函〔2023〕3号"


def test_a_replacement_is_only_possible_after_voiding(world):
    proposal, _letter = world.signed_letter(signed_on=SIGNED_ON)
    with pytest.raises(DomainError):
        rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert ReplyLetter.objects.count() == 1


def test_the_answered_proposal_can_be_closed_after_replacement(world):
    proposal, letter = world.signed_letter(signed_on=SIGNED_ON)
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="引用数据有误")
    replacement = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=replacement, actor=world.lead_officer)
    rs.letter_sign(letter=replacement, actor=world.lead_approver, signed_on=SIGNED_ON)
    record_feedback(world, proposal, satisfied=True)
    ps.proposal_close(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert proposal.state == "closed"
