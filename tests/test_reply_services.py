"""Section and reply-letter services: every legal and illegal move, permissions and rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.workflow import ConcurrentEdit, DomainError, IllegalMove
from history.models import StateChange
from proposals import services as ps
from proposals.models import Proposal
from replies import services as rs
from replies.models import DocumentCounter, ReplyLetter, Section
from tests.factories import (
    AgencyFactory,
    history_of,
    letter_in_state,
    proposal_in_state,
    record_feedback,
    section_in_state,
    user_in,
)

SIGNED_ON = datetime.date(2023, 7, 7)
DAY = datetime.date(2023, 3, 1)
DUE = datetime.date(2023, 6, 1)


def wrong_states(model):
    return [
        pytest.param(move, state, id=f"{move}-from-{state}")
        for move in model.MOVES
        for state in model.State.values
        if state not in model.MOVES[move].sources
    ]


def assert_last_change(obj, action, source, target, actor, reason=""):
    change = history_of(obj).last()
    assert (change.action, change.source, change.target, change.actor, change.reason) == (
        action, source, target, actor, reason,
    )
    return change


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# ---------------------------------------------------------------- sections: illegal moves

SECTION_MOVES = {
    "submit": lambda w, s: rs.section_submit(section=s, actor=w.lead_officer),
    "approve": lambda w, s: rs.section_approve(section=s, actor=w.lead_approver),
    "return": lambda w, s: rs.section_return(section=s, actor=w.lead_approver, reason="请补充数据"),
    "revise": lambda w, s: rs.section_revise(section=s, actor=w.lead_officer, reason="数据有更新"),
}


def test_every_section_move_is_covered():
    assert set(SECTION_MOVES) == set(Section.MOVES)


@pytest.mark.parametrize(("move", "state"), wrong_states(Section))
def test_section_move_from_a_wrong_state_is_refused(world, move, state):
    section = section_in_state(world, state)
    history_count = StateChange.objects.count()
    version = section.version
    with pytest.raises(IllegalMove) as caught:
        SECTION_MOVES[move](world, section)
    message = caught.value.message
    assert f"不能{Section.MOVES[move].label}" in message
    assert f"当前状态为“{Section.State(state).label}”" in message
    assert "办理意见" in message
    section.refresh_from_db()
    assert (section.state, section.version) == (state, version)
    assert StateChange.objects.count() == history_count


def test_approving_a_draft_says_why(world):
    section = section_in_state(world, "draft")
    with pytest.raises(IllegalMove) as caught:
        rs.section_approve(section=section, actor=world.lead_approver)
    assert caught.value.message == (
        "不能审核通过：该办理意见当前状态为“草稿”，只有处于“待审核”状态时才能审核通过。"
    )


# ---------------------------------------------------------------- sections: legal moves


def test_create_a_draft_section(world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    section = rs.section_create(recommendation=recommendation, agency=world.co,
                                actor=world.co_officer, adoption="planned", body="  已列入计划。 ")
    assert (section.state, section.version, section.position) == ("draft", 1, 1)
    assert (section.adoption.code, section.body, section.created_by) == (
        "planned", "已列入计划。", world.co_officer,
    )
    assert_last_change(section, "create", "", "draft", world.co_officer)
    assert history_of(section).last().proposal == proposal

    second = rs.section_create(recommendation=recommendation, agency=world.lead,
                               actor=world.lead_officer)
    assert second.position == 2


def test_submit_approve_return_revise(world):
    section = section_in_state(world, "draft")
    rs.section_submit(section=section, actor=world.lead_officer)
    section.refresh_from_db()
    assert (section.state, section.version) == ("submitted", 2)
    assert_last_change(section, "submit", "draft", "submitted", world.lead_officer)

    rs.section_return(section=section, actor=world.lead_approver, reason="  请补充数据 ")
    section.refresh_from_db()
    assert (section.state, section.version) == ("draft", 3)
    assert_last_change(section, "return", "submitted", "draft", world.lead_approver, "请补充数据")

    rs.section_submit(section=section, actor=world.lead_officer)
    rs.section_approve(section=section, actor=world.lead_approver)
    section.refresh_from_db()
    assert (section.state, section.version) == ("approved", 5)
    assert_last_change(section, "approve", "submitted", "approved", world.lead_approver)

    rs.section_revise(section=section, actor=world.lead_officer, reason="数据有更新")
    section.refresh_from_db()
    assert (section.state, section.version) == ("draft", 6)
    assert_last_change(section, "revise", "approved", "draft", world.lead_officer, "数据有更新")


@pytest.mark.parametrize(
    ("adoption", "body", "missing"),
    [
        pytest.param(None, "正文", ["采纳情况"], id="no-adoption"),
        pytest.param("adopted", "  ", ["办理意见正文"], id="no-text"),
        pytest.param(None, "", ["采纳情况", "办理意见正文"], id="nothing"),
    ],
)
def test_submit_needs_adoption_and_text(world, adoption, body, missing):
    proposal = world.assigned()
    section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                                actor=world.lead_officer, adoption=adoption, body=body)
    with pytest.raises(DomainError) as caught:
        rs.section_submit(section=section, actor=world.lead_officer)
    for word in missing:
        assert word in caught.value.message
    section.refresh_from_db()
    assert (section.state, section.version) == ("draft", 1)


@pytest.mark.parametrize("action", ["return", "revise"])
@pytest.mark.parametrize("reason", ["", "  "])
def test_section_return_and_revise_need_a_reason(world, action, reason):
    state = "submitted" if action == "return" else "approved"
    section = section_in_state(world, state)
    service, actor = (
        (rs.section_return, world.lead_approver) if action == "return"
        else (rs.section_revise, world.lead_officer)
    )
    with pytest.raises(DomainError) as caught:
        service(section=section, actor=actor, reason=reason)
    assert caught.value.field == "reason"
    assert fresh(section).state == state


@pytest.mark.parametrize("letter_state", ["in_review", "signed"])
def test_revise_refused_once_the_letter_went_for_signing(world, letter_state):
    letter = letter_in_state(world, letter_state)
    section = Section.objects.filter(recommendation__proposal=letter.proposal).first()
    with pytest.raises(IllegalMove):
        rs.section_revise(section=section, actor=world.lead_officer, reason="数据有更新")
    assert fresh(section).state == "approved"


def test_revise_allowed_while_the_letter_is_a_draft(world):
    letter = letter_in_state(world, "draft")
    section = Section.objects.filter(recommendation__proposal=letter.proposal).first()
    rs.section_revise(section=section, actor=world.lead_officer, reason="数据有更新")
    assert fresh(section).state == "draft"


def test_section_for_an_agency_not_assigned_is_refused(world):
    proposal = world.assigned()
    stranger = AgencyFactory(code="stranger")
    with pytest.raises(DomainError) as caught:
        rs.section_create(recommendation=proposal.recommendations.first(), agency=stranger)
    assert "不是第" in caught.value.message
    assert not Section.objects.exists()


@pytest.mark.parametrize(
    "state", ["submitted", "registered", "converted", "withdrawn", "replied", "closed"]
)
def test_sections_only_while_the_proposal_is_handled(world, state):
    proposal = proposal_in_state(world, state)
    sections = Section.objects.count()
    with pytest.raises(IllegalMove) as caught:
        rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                          actor=world.lead_officer)
    assert f"“{Proposal.State(state).label}”" in caught.value.message
    assert Section.objects.count() == sections


def test_position_taken_is_refused(world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.first()
    rs.section_create(recommendation=recommendation, agency=world.lead, actor=world.lead_officer)
    with pytest.raises(DomainError) as caught:
        rs.section_create(recommendation=recommendation, agency=world.lead, actor=world.lead_officer,
                          position=1)
    assert caught.value.field == "position"


def test_moving_a_section_onto_a_taken_position_is_refused(world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.first()
    first = rs.section_create(recommendation=recommendation, agency=world.lead,
                              actor=world.lead_officer, body="第一段")
    second = rs.section_create(recommendation=recommendation, agency=world.lead,
                               actor=world.lead_officer, body="第二段")
    with pytest.raises(DomainError) as caught:
        rs.section_update(section=second, actor=world.lead_officer, position=first.position)
    assert caught.value.field == "position"
    second.refresh_from_db()
    assert (second.position, second.version) == (2, 1)


# ---------------------------------------------------------------- sections: editing


def test_update_a_draft(world):
    section = section_in_state(world, "draft")
    rs.section_update(section=section, actor=world.lead_officer, expected_version=1,
                      adoption="reference", body=" 留作参考。 ")
    section.refresh_from_db()
    assert (section.adoption.code, section.body, section.version) == ("reference", "留作参考。", 2)
    change = history_of(section).last()
    assert (change.action, change.actor, change.data) == (
        "update", world.lead_officer, {"fields": ["adoption", "body"]},
    )


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_only_a_draft_section_can_be_edited(world, state):
    section = section_in_state(world, state)
    with pytest.raises(IllegalMove) as caught:
        rs.section_update(section=section, actor=world.lead_officer, body="改")
    assert f"“{Section.State(state).label}”" in caught.value.message
    assert fresh(section).body == "已办理。"


def test_stale_section_edit_is_refused(world):
    section = section_in_state(world, "draft")
    seen_by_a = fresh(section)
    seen_by_b = fresh(section)
    rs.section_update(section=seen_by_b, actor=world.lead_officer, expected_version=1,
                      body="乙保存的意见")

    with pytest.raises(ConcurrentEdit) as caught:
        rs.section_update(section=seen_by_a, actor=world.lead_officer, expected_version=1,
                          body="甲保存的意见")
    assert set(caught.value.changes) == {"body"}
    assert "乙保存的意见" in str(caught.value.changes["body"])
    assert caught.value.current_version == 2
    assert "第2版" in caught.value.message
    section.refresh_from_db()
    assert (section.body, section.version) == ("乙保存的意见", 2)


def test_unknown_adoption_code_is_refused(world):
    section = section_in_state(world, "draft")
    with pytest.raises(DomainError) as caught:
        rs.section_update(section=section, actor=world.lead_officer, adoption="nonsense")
    assert caught.value.field == "adoption"
    assert fresh(section).adoption.code == "adopted"


# ---------------------------------------------------------------- letters: illegal moves

LETTER_MOVES = {
    "submit": lambda w, x: rs.letter_submit(letter=x, actor=w.lead_officer),
    "return": lambda w, x: rs.letter_return(letter=x, actor=w.lead_approver, reason="请修改"),
    "sign": lambda w, x: rs.letter_sign(letter=x, actor=w.lead_approver, signed_on=SIGNED_ON),
    "issue": lambda w, x: rs.letter_issue(letter=x, actor=w.office,
                                          issued_on=datetime.date(2023, 7, 9)),
    "void": lambda w, x: rs.letter_void(letter=x, actor=w.lead_approver, reason="文字有误"),
}


def test_every_letter_move_is_covered():
    assert set(LETTER_MOVES) == set(ReplyLetter.MOVES)


@pytest.mark.parametrize(("move", "state"), wrong_states(ReplyLetter))
def test_letter_move_from_a_wrong_state_is_refused(world, move, state):
    letter = letter_in_state(world, state)
    history_count = StateChange.objects.count()
    counters = list(DocumentCounter.objects.values_list("prefix", "year", "last_serial"))
    before = fresh(letter)
    with pytest.raises(IllegalMove) as caught:
        LETTER_MOVES[move](world, letter)
    message = caught.value.message
    assert f"不能{ReplyLetter.MOVES[move].label}" in message
    assert f"当前状态为“{ReplyLetter.State(state).label}”" in message
    assert "答复函" in message
    after = fresh(letter)
    assert (after.state, after.version, after.number, after.issued_on, after.void_reason) == (
        before.state, before.version, before.number, before.issued_on, before.void_reason,
    )
    assert StateChange.objects.count() == history_count
    assert list(DocumentCounter.objects.values_list("prefix", "year", "last_serial")) == counters


def test_signing_a_signed_letter_says_why(world):
    letter = letter_in_state(world, "signed")
    with pytest.raises(IllegalMove) as caught:
        rs.letter_sign(letter=letter, actor=world.lead_approver)
    assert caught.value.message == (
        "不能签发：该答复函当前状态为“已签发”，只有处于“待签发”状态时才能签发。"
    )


# ---------------------------------------------------------------- letters: legal moves


def test_create_a_letter_with_default_wording(world):
    proposal, letter = world.ready_letter()
    assert (letter.state, letter.round, letter.agency, letter.version) == ("draft", 1, world.lead, 1)
    assert letter.title == f"测试市工商联关于市政协十三届二次会议第{proposal.number}号提案答复的函"
    assert letter.addressee == "民建测试市委会"
    assert letter.opening == (
        f"你们提出的《关于充分发挥行业协会作用的建议》（提案第{proposal.number}号）收悉，"
        "经综合市民政局意见，现答复如下："
    )
    assert (letter.signatory, letter.closing, letter.klass) == ("测试市工商业联合会", "专此答复。", "A")
    assert letter.cc == ["市政协提案委", "市政府办公室", "市民政局"]
    assert letter.number is None
    assert_last_change(letter, "create", "", "draft", world.lead_officer)


def test_a_member_is_addressed_as_such(world):
    proposal = world.assigned(proposers=[{"name": "张某某", "kind": "member"}])
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert letter.addressee == "张某某委员"
    assert letter.opening.startswith("您提出的")


def test_submit_and_return_a_letter(world):
    letter = letter_in_state(world, "draft")
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    letter.refresh_from_db()
    assert (letter.state, letter.version) == ("in_review", 2)
    assert_last_change(letter, "submit", "draft", "in_review", world.lead_officer)

    rs.letter_return(letter=letter, actor=world.lead_approver, reason=" 请核对数字 ")
    letter.refresh_from_db()
    assert (letter.state, letter.version) == ("draft", 3)
    assert_last_change(letter, "return", "in_review", "draft", world.lead_approver, "请核对数字")


def test_sign_fixes_number_text_and_signer(world):
    letter = letter_in_state(world, "in_review")
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=SIGNED_ON)
    letter.refresh_from_db()
    assert letter.state == "signed"
    assert letter.number == "测工商联函〔2023〕1号"
    assert (letter.doc_prefix, letter.doc_year, letter.doc_serial) == ("测工商联函", 2023, 1)
    assert (letter.signed_on, letter.signed_by) == (SIGNED_ON, world.lead_approver)
    assert letter.signed_at is not None
    assert [part["ordinal"] for part in letter.parts] == [1, 2]
    change = assert_last_change(letter, "sign", "in_review", "signed", world.lead_approver)
    assert change.data == {"number": "测工商联函〔2023〕1号"}
    letter.proposal.refresh_from_db()
    assert letter.proposal.state == "replied"


def test_signed_text_does_not_follow_later_section_edits(world):
    letter = letter_in_state(world, "signed")
    parts = letter.parts
    Section.objects.filter(recommendation__proposal=letter.proposal).update(body="事后改动")
    letter.refresh_from_db()
    assert letter.parts == parts
    assert "事后改动" not in str(letter.parts)


@pytest.mark.parametrize("who", ["office", "lead_approver"])
def test_issue(world, who):
    letter = letter_in_state(world, "signed")
    rs.letter_issue(letter=letter, actor=getattr(world, who), issued_on=datetime.date(2023, 7, 9))
    letter.refresh_from_db()
    assert (letter.state, letter.issued_on) == ("issued", datetime.date(2023, 7, 9))
    assert_last_change(letter, "issue", "signed", "issued", getattr(world, who))


def test_issue_not_before_the_letter_date(world):
    letter = letter_in_state(world, "signed")
    with pytest.raises(DomainError) as caught:
        rs.letter_issue(letter=letter, actor=world.office, issued_on=SIGNED_ON - datetime.timedelta(1))
    assert caught.value.field == "issued_on"
    assert fresh(letter).state == "signed"


@pytest.mark.parametrize("state", ["signed", "issued"])
def test_void_keeps_the_number(world, state):
    letter = letter_in_state(world, state)
    number = letter.number
    rs.letter_void(letter=letter, actor=world.lead_approver, reason=" 引用文件有误 ")
    letter.refresh_from_db()
    assert (letter.state, letter.number, letter.void_reason) == ("voided", number, "引用文件有误")
    assert_last_change(letter, "void", state, "voided", world.lead_approver, "引用文件有误")


@pytest.mark.parametrize(
    ("state", "move"), [("in_review", "return"), ("signed", "void")]
)
def test_letter_return_and_void_need_a_reason(world, state, move):
    letter = letter_in_state(world, state)
    service = rs.letter_return if move == "return" else rs.letter_void
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        service(letter=letter, actor=world.lead_approver, reason="   ")
    assert caught.value.field == "reason"
    assert fresh(letter).state == state
    assert StateChange.objects.count() == history_count


# ---------------------------------------------------------------- letters: creating


def test_co_handler_cannot_create_a_letter(world):
    proposal = world.assigned()
    with pytest.raises(DomainError) as caught:
        rs.letter_create(proposal=proposal, agency=world.co, actor=world.co_officer)
    assert "会办单位不单独答复" in caught.value.message
    assert not ReplyLetter.objects.exists()


def test_one_current_letter_per_agency_and_round(world):
    proposal, _letter = world.ready_letter()
    with pytest.raises(DomainError) as caught:
        rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert "已有" in caught.value.message
    assert ReplyLetter.objects.count() == 1


def test_no_letter_for_an_agency_not_assigned(world):
    proposal = world.assigned()
    stranger = AgencyFactory(code="stranger")
    with pytest.raises(DomainError):
        rs.letter_create(proposal=proposal, agency=stranger)
    assert not ReplyLetter.objects.exists()


@pytest.mark.parametrize("state", ["submitted", "registered", "converted", "withdrawn"])
def test_no_letter_before_assignment(world, state):
    proposal = proposal_in_state(world, state)
    with pytest.raises(IllegalMove):
        rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert not ReplyLetter.objects.exists()


# ---------------------------------------------------------------- letters: editing


def test_update_a_draft_letter(world):
    letter = letter_in_state(world, "draft")
    rs.letter_update(letter=letter, actor=world.lead_officer, expected_version=1,
                     note=" 联系人及电话：何某，123 ", cc=["市政协提案委", " ", "市民政局 "])
    letter.refresh_from_db()
    assert (letter.note, letter.cc, letter.version) == ("联系人及电话：何某，123", ["市政协提案委", "市民政局"], 2)
    change = history_of(letter).last()
    assert (change.action, change.actor, change.data) == ("update", world.lead_officer,
                                                          {"fields": ["cc", "note"]})


def test_letter_fields_outside_the_wording_are_refused(world):
    letter = letter_in_state(world, "draft")
    with pytest.raises(DomainError) as caught:
        rs.letter_update(letter=letter, actor=world.lead_officer, number="测工商联函〔2023〕9号")
    assert "number" in caught.value.message
    assert fresh(letter).number is None


def test_invalid_disclosure_is_refused(world):
    letter = letter_in_state(world, "draft")
    with pytest.raises(DomainError) as caught:
        rs.letter_update(letter=letter, actor=world.lead_officer, disclosure="随便公开")
    assert caught.value.field == "disclosure"
    assert fresh(letter).version == 1


@pytest.mark.parametrize("state", ["in_review", "signed", "issued", "voided"])
def test_only_a_draft_letter_can_be_edited(world, state):
    letter = letter_in_state(world, state)
    before = fresh(letter)
    with pytest.raises(IllegalMove) as caught:
        rs.letter_update(letter=letter, actor=world.lead_officer, title="改过的标题")
    assert f"“{ReplyLetter.State(state).label}”" in caught.value.message
    after = fresh(letter)
    assert (after.title, after.version, after.parts) == (before.title, before.version, before.parts)


def test_stale_letter_edit_is_refused(world):
    letter = letter_in_state(world, "draft")
    seen_by_a = fresh(letter)
    rs.letter_update(letter=fresh(letter), actor=world.lead_officer, expected_version=1,
                     note="乙的附注", addressee="乙的主送")
    with pytest.raises(ConcurrentEdit) as caught:
        rs.letter_update(letter=seen_by_a, actor=world.lead_officer, expected_version=1,
                         note="甲的附注")
    assert set(caught.value.changes) == {"note"}
    assert "乙的附注" in str(caught.value.changes["note"])
    assert caught.value.current_version == 2
    letter.refresh_from_db()
    assert (letter.note, letter.addressee, letter.version) == ("乙的附注", "乙的主送", 2)


# ---------------------------------------------------------------- letters: class (分类)


def letter_with(world, adoptions):
    """A draft lead letter whose recommendation n is answered with ``adoptions[n - 1]``."""
    proposal = world.assigned(recommendations=len(adoptions))
    for recommendation, adoption in zip(proposal.recommendations.order_by("ordinal"), adoptions,
                                        strict=True):
        world.approved_section(recommendation, world.lead, adoption)
    return rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)


@pytest.mark.parametrize(
    ("adoptions", "expected"),
    [
        (["adopted", "adopted"], "A"),
        (["reference", "explained"], "C"),
        (["in_progress", "planned"], "B"),
        (["adopted", "reference"], "B"),
        (["adopted", "in_progress", "reference"], "B"),
    ],
)
def test_new_letter_takes_the_suggested_class(world, adoptions, expected):
    assert letter_with(world, adoptions).klass == expected


def test_choosing_the_suggested_class_needs_no_reason(world):
    letter = letter_with(world, ["adopted", "reference"])
    rs.letter_set_class(letter=letter, klass="B", actor=world.lead_officer)
    letter.refresh_from_db()
    assert (letter.klass, letter.class_reason) == ("B", "")


def test_another_class_needs_a_reason_kept_on_the_letter_and_in_history(world):
    letter = letter_with(world, ["adopted", "reference"])
    with pytest.raises(DomainError) as caught:
        rs.letter_set_class(letter=letter, klass="A", actor=world.lead_officer, reason=" ")
    assert "理由" in caught.value.message
    assert "B类" in caught.value.message
    assert fresh(letter).klass == "B"

    rs.letter_set_class(letter=letter, klass="A", actor=world.lead_officer,
                        reason="第二条实际已办结")
    letter.refresh_from_db()
    assert (letter.klass, letter.class_reason, letter.version) == ("A", "第二条实际已办结", 2)
    change = assert_last_change(letter, "set_class", "B", "A", world.lead_officer, "第二条实际已办结")
    assert change.data == {"suggested": "B"}
    assert change.action_label == "确定分类"

    rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert fresh(letter).state == "in_review"


def test_class_must_be_one_of_the_configured(world):
    letter = letter_with(world, ["adopted"])
    with pytest.raises(DomainError) as caught:
        rs.letter_set_class(letter=letter, klass="Z", actor=world.lead_officer, reason="试试")
    assert caught.value.field == "klass"
    assert fresh(letter).klass == "A"


@pytest.mark.parametrize("state", ["in_review", "signed"])
def test_class_is_fixed_once_sent_for_signing(world, state):
    letter = letter_in_state(world, state)
    with pytest.raises(IllegalMove):
        rs.letter_set_class(letter=letter, klass="C", actor=world.lead_officer, reason="改")
    assert fresh(letter).klass == "A"


# ---------------------------------------------------------------- letters: complete before signing


def test_submit_needs_every_recommendation_answered(world):
    proposal = world.assigned(recommendations=3)
    world.approved_section(proposal.recommendations.get(ordinal=2), world.lead)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    with pytest.raises(DomainError) as caught:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert "第1条、第3条" in caught.value.message
    assert fresh(letter).state == "draft"


def test_a_co_handler_section_may_answer_a_recommendation(world):
    proposal = world.assigned(recommendations=2)
    world.approved_section(proposal.recommendations.get(ordinal=1), world.lead)
    world.approved_section(proposal.recommendations.get(ordinal=2), world.co)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert fresh(letter).state == "in_review"


@pytest.mark.parametrize("co_state", ["draft", "submitted"])
def test_submit_needs_every_section_approved(world, co_state):
    proposal, letter = world.ready_letter()
    section = rs.section_create(recommendation=proposal.recommendations.get(ordinal=2),
                                agency=world.co, actor=world.co_officer, adoption="adopted",
                                body="会办意见。")
    if co_state == "submitted":
        rs.section_submit(section=section, actor=world.co_officer)
    with pytest.raises(DomainError) as caught:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    label = Section.State(co_state).label
    assert f"第2条（市民政局，{label}）" in caught.value.message
    assert fresh(letter).state == "draft"


def test_sign_checks_completeness_again(world):
    proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    # a co-handler adds an opinion after the letter went for signing
    rs.section_create(recommendation=proposal.recommendations.first(), agency=world.co,
                      actor=world.co_officer, adoption="adopted", body="补充意见。")
    with pytest.raises(DomainError):
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=SIGNED_ON)
    assert fresh(letter).state == "in_review"
    assert fresh(letter).number is None
    assert not DocumentCounter.objects.filter(last_serial__gt=0).exists()


def test_a_stale_class_needs_a_reason_before_signing(world):
    proposal = world.assigned(recommendations=2)
    world.approved_section(proposal.recommendations.get(ordinal=1), world.lead, "adopted")
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert letter.klass == "A"
    world.approved_section(proposal.recommendations.get(ordinal=2), world.lead, "reference")
    with pytest.raises(DomainError) as caught:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert caught.value.field == "class_reason"
    assert fresh(letter).state == "draft"


# ---------------------------------------------------------------- separate handlers (分办)


def separately_assigned(world):
    proposal = proposal_in_state(world, "registered")
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": "separate", "assigned_on": DAY, "due_on": DUE},
        {"agency": world.co, "role": "separate", "assigned_on": DAY, "due_on": DUE},
    ])
    proposal.refresh_from_db()
    return proposal


def sign(letter, officer, approver):
    rs.letter_submit(letter=letter, actor=officer)
    return rs.letter_sign(letter=letter, actor=approver, signed_on=SIGNED_ON)


def test_separate_handlers_each_reply(world):
    proposal = separately_assigned(world)
    first, second = proposal.recommendations.order_by("ordinal")
    world.approved_section(first, world.lead, "adopted", "工商联的答复。")
    world.approved_section(second, world.co, "reference", "民政局的答复。")
    lead_letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    co_letter = rs.letter_create(proposal=proposal, agency=world.co, actor=world.co_officer)
    assert (lead_letter.klass, co_letter.klass) == ("A", "C")
    assert "经综合" not in lead_letter.opening

    sign(co_letter, world.co_officer, world.co_approver)
    proposal.refresh_from_db()
    assert proposal.state == "assigned"
    co_letter.refresh_from_db()
    assert co_letter.number == "测民函〔2023〕1号"
    assert [s["body"] for p in co_letter.parts for s in p["sections"]] == ["民政局的答复。"]

    sign(lead_letter, world.lead_officer, world.lead_approver)
    proposal.refresh_from_db()
    assert proposal.state == "replied"
    lead_letter.refresh_from_db()
    assert lead_letter.number == "测工商联函〔2023〕1号"
    assert [s["body"] for p in lead_letter.parts for s in p["sections"]] == ["工商联的答复。"]


def test_separate_handler_needs_at_least_one_section(world):
    proposal = separately_assigned(world)
    letter = rs.letter_create(proposal=proposal, agency=world.co, actor=world.co_officer)
    with pytest.raises(DomainError) as caught:
        rs.letter_submit(letter=letter, actor=world.co_officer)
    assert "还没有任何办理意见" in caught.value.message


# ---------------------------------------------------------------- re-handling after 不满意


def test_reopen_revise_and_answer_again(world):
    proposal, first_letter = world.signed_letter()
    record_feedback(world, proposal, satisfied=False)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.round) == ("reopened", 2)

    section = Section.objects.get(recommendation__proposal=proposal,
                                  recommendation__ordinal=1)
    rs.section_revise(section=section, actor=world.lead_officer, reason="重新办理")
    rs.section_update(section=section, actor=world.lead_officer, adoption="in_progress",
                      body="二次答复的意见。", commitment=("年内完成。", datetime.date(2023, 12, 31)))
    rs.section_submit(section=section, actor=world.lead_officer)
    rs.section_approve(section=section, actor=world.lead_approver)

    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert (letter.round, letter.klass) == (2, "B")
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 9, 1))
    letter.refresh_from_db()
    first_letter.refresh_from_db()
    assert first_letter.state == "signed"
    assert letter.number == "测工商联函〔2023〕2号"
    assert letter.number != first_letter.number
    assert letter.parts[0]["sections"][0]["body"] == "二次答复的意见。"
    assert first_letter.parts[0]["sections"][0]["body"] == "已办理。"

    proposal.refresh_from_db()
    assert proposal.state == "replied"
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target) == ("reply", "reopened", "replied")

    feedback = record_feedback(world, proposal, satisfied=True)
    assert feedback.round == 2
    ps.proposal_close(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert proposal.state == "closed"


def test_round_one_letter_does_not_answer_round_two(world):
    proposal, _letter = world.signed_letter()
    record_feedback(world, proposal, satisfied=False)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    assert ps.proposal_mark_replied_if_complete(proposal=proposal) is False
    proposal.refresh_from_db()
    assert proposal.state == "reopened"


# ---------------------------------------------------------------- permissions


# (what to prepare, the call); each call acts on the lead agency's work.
SECTION_CALLS = {
    "section_create": ("proposal", lambda w, obj, actor: rs.section_create(
        recommendation=obj.recommendations.first(), agency=w.lead, actor=actor)),
    "section_update": ("draft", lambda w, obj, actor: rs.section_update(
        section=obj, actor=actor, body="改")),
    "section_submit": ("draft", lambda w, obj, actor: rs.section_submit(section=obj, actor=actor)),
    "section_approve": ("submitted", lambda w, obj, actor: rs.section_approve(
        section=obj, actor=actor)),
    "section_return": ("submitted", lambda w, obj, actor: rs.section_return(
        section=obj, actor=actor, reason="退回")),
    "section_revise": ("approved", lambda w, obj, actor: rs.section_revise(
        section=obj, actor=actor, reason="修改")),
}

LETTER_CALLS = {
    "letter_create": ("ready", lambda w, obj, actor: rs.letter_create(
        proposal=obj, agency=w.lead, actor=actor)),
    "letter_update": ("draft", lambda w, obj, actor: rs.letter_update(
        letter=obj, actor=actor, note="改")),
    "letter_set_class": ("draft", lambda w, obj, actor: rs.letter_set_class(
        letter=obj, actor=actor, klass="A")),
    "letter_submit": ("draft", lambda w, obj, actor: rs.letter_submit(letter=obj, actor=actor)),
    "letter_return": ("in_review", lambda w, obj, actor: rs.letter_return(
        letter=obj, actor=actor, reason="退回")),
    "letter_sign": ("in_review", lambda w, obj, actor: rs.letter_sign(
        letter=obj, actor=actor, signed_on=SIGNED_ON)),
    "letter_issue": ("signed", lambda w, obj, actor: rs.letter_issue(
        letter=obj, actor=actor, issued_on=SIGNED_ON)),
    "letter_void": ("signed", lambda w, obj, actor: rs.letter_void(
        letter=obj, actor=actor, reason="作废")),
}

CALLS = {**SECTION_CALLS, **LETTER_CALLS}

# Who may call each service on the lead agency's work.
ALLOWED = {
    "section_create": "lead_officer",
    "section_update": "lead_officer",
    "section_submit": "lead_officer",
    "section_approve": "lead_approver",
    "section_return": "lead_approver",
    "section_revise": "lead_officer",
    "letter_create": "lead_officer",
    "letter_update": "lead_officer",
    "letter_set_class": "lead_officer",
    "letter_submit": "lead_officer",
    "letter_return": "lead_approver",
    "letter_sign": "lead_approver",
    "letter_issue": "office",
    "letter_void": "lead_approver",
}
APPROVER_ONLY = {"section_approve", "section_return", "letter_return", "letter_sign", "letter_void",
                 "letter_issue"}


def target(world, service):
    what, _call = CALLS[service]
    if what == "proposal":
        return world.assigned()
    if what == "ready":
        proposal = world.assigned()
        for recommendation in proposal.recommendations.all():
            world.approved_section(recommendation, world.lead)
        return proposal
    if service.startswith("section_"):
        return section_in_state(world, what)
    return letter_in_state(world, what)


def snapshot(obj):
    obj = fresh(obj)
    if isinstance(obj, Proposal):
        return (obj.state, obj.letters.count(), Section.objects.filter(
            recommendation__proposal=obj).count())
    return (obj.state, obj.version)


@pytest.mark.parametrize("service", list(CALLS))
@pytest.mark.parametrize("who", ["co_officer", "co_approver", "liaison", "outsider"])
def test_other_agencies_are_refused(world, service, who):
    obj = target(world, service)
    actor = user_in(AgencyFactory(code="other"), "approver", "outsider") if who == "outsider" \
        else getattr(world, who)
    before = snapshot(obj)
    history_count = StateChange.objects.count()
    with pytest.raises(PermissionDenied):
        CALLS[service][1](world, obj, actor)
    assert snapshot(obj) == before
    assert StateChange.objects.count() == history_count


@pytest.mark.parametrize("service", sorted(APPROVER_ONLY))
def test_officers_cannot_approve_sign_return_or_void(world, service):
    obj = target(world, service)
    before = snapshot(obj)
    with pytest.raises(PermissionDenied):
        CALLS[service][1](world, obj, world.lead_officer)
    assert snapshot(obj) == before


def test_office_staff_cannot_sign(world):
    letter = letter_in_state(world, "in_review")
    with pytest.raises(PermissionDenied):
        rs.letter_sign(letter=letter, actor=world.office)
    assert fresh(letter).state == "in_review"


@pytest.mark.parametrize("service", list(CALLS))
def test_the_right_person_may(world, service):
    obj = target(world, service)
    history_count = StateChange.objects.count()
    CALLS[service][1](world, obj, getattr(world, ALLOWED[service]))
    assert StateChange.objects.count() > history_count
    assert StateChange.objects.latest("id").actor == getattr(world, ALLOWED[service])


def test_an_approver_may_also_draft(world):
    section = section_in_state(world, "draft")
    rs.section_update(section=section, actor=world.lead_approver, body="签发人改")
    assert fresh(section).body == "签发人改"
