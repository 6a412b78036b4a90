"""What a letter says: ordinals, parts in order, the adoption phrase, the suggested class."""

from __future__ import annotations

import pytest

from proposals import services as ps
from replies import services as rs
from replies.composition import (
    build_parts,
    chinese_ordinal,
    letter_agency_ids,
    letter_paragraphs,
    recommendation_heading,
    suggest_class,
    suggested_class,
)

# ---------------------------------------------------------------- chinese_ordinal

KNOWN = {
    1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九",
    10: "十", 11: "十一", 12: "十二", 19: "十九", 20: "二十", 21: "二十一", 30: "三十",
    45: "四十五", 55: "五十五", 70: "七十", 88: "八十八", 90: "九十", 99: "九十九",
}


@pytest.mark.parametrize(("n", "text"), sorted(KNOWN.items()))
def test_known_ordinals(n, text):
    assert chinese_ordinal(n) == text


def _spelled(n: int) -> str:
    """Chinese numerals below 100 as a schoolbook spells them, built independently."""
    units = dict(zip(range(1, 10), "一二三四五六七八九", strict=True))
    if n < 10:
        return units[n]
    words = []
    if n // 10 > 1:
        words.append(units[n // 10])
    words.append("十")
    if n % 10:
        words.append(units[n % 10])
    return "".join(words)


def test_every_ordinal_from_1_to_99():
    spelled = [chinese_ordinal(n) for n in range(1, 100)]
    assert spelled == [_spelled(n) for n in range(1, 100)]
    assert len(set(spelled)) == 99
    assert not any("零" in text for text in spelled)


@pytest.mark.parametrize("n", [0, 100, -3])
def test_out_of_range_ordinals_fall_back_to_digits(n):
    assert chinese_ordinal(n) == str(n)


# ---------------------------------------------------------------- suggest_class

@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (["A"], "A"),
        (["A", "A", "A"], "A"),
        (["C", "C"], "C"),
        (["B", "B"], "B"),
        (["A", "C"], "B"),
        (["A", "B"], "B"),
        (["B", "C"], "B"),
        (["A", "", "A"], "A"),
        ([], ""),
        (["", ""], ""),
    ],
)
def test_suggest_class(classes, expected):
    assert suggest_class(classes) == expected


def test_mixed_classes_without_b_configured(settings):
    settings.LETTER_CLASSES = ["A", "C", "D"]
    assert suggest_class(["C", "A"]) == "A"
    assert suggest_class(["D", "D"]) == "D"


# ---------------------------------------------------------------- parts of a letter


def proposal_with_mixed_answers(world):
    """Three recommendations; 一 answered by the co-handler then the lead, 二 by the lead
    (with a co-handler draft still pending), 三 by the lead. Approved out of order."""
    proposal = world.assigned(recommendations=3)
    first, second, third = proposal.recommendations.order_by("ordinal")
    world.approved_section(third, world.lead, "reference", "第三条的意见。")
    world.approved_section(first, world.co, "in_progress", "民政局：第一段。\n\n民政局：第二段。")
    world.approved_section(first, world.lead, "adopted", "工商联：第一条。")
    world.approved_section(second, world.lead, "planned", "第二条的意见。")
    rs.section_create(recommendation=second, agency=world.co, actor=world.co_officer,
                      adoption="adopted", body="未审核的意见。")
    return proposal


def test_parts_follow_the_recommendations_and_positions(world):
    proposal = proposal_with_mixed_answers(world)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    parts = build_parts(letter)
    assert [p["ordinal"] for p in parts] == [1, 2, 3]
    assert [p["heading"] for p in parts] == [
        "一、关于第1条建议的标题的建议",
        "二、关于第2条建议的标题的建议",
        "三、关于第3条建议的标题的建议",
    ]
    assert [[s["agency"] for s in p["sections"]] for p in parts] == [["co", "lead"], ["lead"], ["lead"]]
    assert [p["phrase"] for p in parts] == ["该项建议正在落实。", "该项建议已列入计划。", "该项建议留作参考。"]
    assert "未审核的意见。" not in str(parts)
    assert parts[0]["sections"][1] == {"agency": "lead", "adoption": "adopted", "body": "工商联：第一条。"}


def test_phrase_heads_the_first_paragraph(world):
    proposal = proposal_with_mixed_answers(world)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    first, second, _third = build_parts(letter)
    assert letter_paragraphs(first) == [
        "该项建议正在落实。民政局：第一段。",
        "民政局：第二段。",
        "工商联：第一条。",
    ]
    assert letter_paragraphs(second) == ["该项建议已列入计划。第二条的意见。"]


def test_paragraphs_without_text_or_phrase():
    assert letter_paragraphs({"phrase": "吸收采纳该项建议。", "sections": [{"body": " \n "}]}) == [
        "吸收采纳该项建议。"
    ]
    assert letter_paragraphs({"phrase": "", "sections": [{"body": "甲\n乙"}, {"body": "丙"}]}) == [
        "甲", "乙", "丙",
    ]


def test_heading_uses_the_ordinal(world):
    proposal = world.proposal(recommendations=12)
    twelfth = proposal.recommendations.get(ordinal=12)
    assert recommendation_heading(twelfth) == "十二、关于第12条建议的标题的建议"


def test_a_separate_handler_letter_holds_only_its_own_sections(world):
    proposal = world.proposal(recommendations=2)
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    day = proposal.submitted_on
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": "separate", "assigned_on": day, "due_on": day},
        {"agency": world.co, "role": "separate", "assigned_on": day, "due_on": day},
    ])
    first, second = proposal.recommendations.order_by("ordinal")
    world.approved_section(first, world.lead, "adopted", "工商联的意见。")
    world.approved_section(second, world.co, "reference", "民政局的意见。")
    letter = rs.letter_create(proposal=proposal, agency=world.co, actor=world.co_officer)
    assert letter_agency_ids(letter) == {world.co.pk}
    parts = build_parts(letter)
    assert [(p["ordinal"], p["sections"][0]["body"]) for p in parts] == [(2, "民政局的意见。")]
    assert suggested_class(letter) == "C"


def test_the_lead_letter_combines_lead_and_co_handlers(world):
    proposal = world.assigned()
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert letter_agency_ids(letter) == {world.lead.pk, world.co.pk}


@pytest.mark.parametrize(
    ("adoptions", "expected"),
    [
        (["adopted", "adopted"], "A"),
        (["reference", "explained"], "C"),
        (["adopted", "explained"], "B"),
        (["in_progress", "in_progress"], "B"),
    ],
)
def test_suggested_class_of_a_letter(world, adoptions, expected):
    proposal = world.assigned(recommendations=len(adoptions))
    for recommendation, adoption in zip(proposal.recommendations.order_by("ordinal"), adoptions,
                                        strict=True):
        world.approved_section(recommendation, world.lead, adoption)
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert suggested_class(letter) == expected


def test_only_approved_sections_suggest_a_class(world):
    proposal = world.assigned(recommendations=2)
    first, second = proposal.recommendations.order_by("ordinal")
    world.approved_section(first, world.lead, "adopted")
    rs.section_create(recommendation=second, agency=world.lead, actor=world.lead_officer,
                      adoption="reference", body="草稿。")
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert suggested_class(letter) == "A"
