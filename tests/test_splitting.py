"""Proposing recommendations from a proposal's full text."""

from __future__ import annotations

from pathlib import Path

import pytest

from proposals.splitting import ProposedRecommendation, clean_title, split_recommendations

SEED_LETTER = Path(__file__).resolve().parents[2] / "shared" / "seed" / "reply-letter-132020.txt"


def titles(text: str) -> list[str]:
    return [item.title for item in split_recommendations(text)]


ASSOCIATIONS = """\
关于充分发挥行业协会作用，为经济高质量发展贡献力量的建议

近年来，我市大力推进行业协会市场化、社会化、职业化改革，形成了一批较有影响的行业协会。
但仍存在行业协会受重视程度不足、职能定位不清晰、“发声”渠道较少等问题。

为此，建议：

一、做优做强行业协会，促进其“强筋健体”。行业协会是政府联系企业的桥梁。
建议完善行业协会商会管理体制机制，制定相关行业政策前多听取行业协会意见。

二、充分发挥行业协会在维护产业链供应链韧性上的作用，鼓励行业协会牵头起草产业规划、产业政策。
引导行业协会立足本地、扎根行业。

三、关于增强行业协会对行业的监测分析针对性的建议
适当运用财政资金鼓励行业协会对行业进行实时监测。
运用数据向有关部门建言献策。

四、建议适当加大政府购买公共服务力度。敢于担当，鼓励按规定向行业协会购买行业管理等公共服务项目。
"""


def test_chinese_numbering_after_a_marker():
    items = split_recommendations(ASSOCIATIONS)
    assert [item.title for item in items] == [
        "做优做强行业协会，促进其“强筋健体”",
        "充分发挥行业协会在维护产业链供应链韧性上的作用，鼓励行业协会牵头起草产业规划、产业政策",
        "增强行业协会对行业的监测分析针对性",
        "适当加大政府购买公共服务力度",
    ]
    assert items[0].body == (
        "行业协会是政府联系企业的桥梁。\n建议完善行业协会商会管理体制机制，制定相关行业政策前多听取行业协会意见。"
    )
    assert items[1].body == "引导行业协会立足本地、扎根行业。"
    assert items[2].body == "适当运用财政资金鼓励行业协会对行业进行实时监测。\n运用数据向有关部门建言献策。"
    assert items[3].body == "敢于担当，鼓励按规定向行业协会购买行业管理等公共服务项目。"
    assert all(isinstance(item, ProposedRecommendation) for item in items)


PROBLEMS_THEN_RECOMMENDATIONS = """\
关于加快推进老旧小区加装电梯工作的建议

一、存在的问题
（一）审批流程繁琐。加装电梯涉及规划、住建、市场监管等多个部门。
（二）资金筹措困难。财政补贴标准偏低。
二、对策建议
（一）简化审批流程。推行“一窗受理、并联审批”。
（二）加大财政补贴力度。对符合条件的项目给予每台不低于15万元的补贴。
（三）建立业主协商调解机制。
由街道、社区牵头组织业主协商。
三、结语
加装电梯是民生实事，希望有关部门高度重视。
"""


def test_numbered_marker_section_and_nested_numbering():
    items = split_recommendations(PROBLEMS_THEN_RECOMMENDATIONS)
    assert [item.title for item in items] == [
        "简化审批流程", "加大财政补贴力度", "建立业主协商调解机制",
    ]
    assert items[0].body == "推行“一窗受理、并联审批”。"
    assert items[1].body == "对符合条件的项目给予每台不低于15万元的补贴。"
    # The closing section (三、结语) is not part of the last recommendation.
    assert items[2].body == "由街道、社区牵头组织业主协商。"


def test_arabic_numbers_with_a_dot_and_decimals_in_the_text():
    text = """\
我市公共自行车系统运行十年，站点布局已不适应出行需求。建议如下：
1. 按客流数据调整公共自行车站点。2022年全市日均骑行量下降至1.5万人次。
1.5万人次中近半集中在中心城区。
2.推动公共自行车与公交站点接驳：在主要公交站点300米内设置站点。
3．完善运营维护考核机制
"""
    items = split_recommendations(text)
    assert [item.title for item in items] == [
        "按客流数据调整公共自行车站点",
        "推动公共自行车与公交站点接驳",
        "完善运营维护考核机制",
    ]
    assert items[0].body == "2022年全市日均骑行量下降至1.5万人次。\n1.5万人次中近半集中在中心城区。"
    assert items[1].body == "在主要公交站点300米内设置站点。"
    assert items[2].body == ""


def test_arabic_numbers_with_a_comma_without_marker():
    text = """\
中小学生心理健康问题日益突出，需要家庭、学校、社会共同关注。
1、配齐配强中小学专职心理教师。每所学校至少配备一名专职心理教师。
2、建立学生心理健康监测预警机制。
3、推动家校社协同开展心理健康教育。
"""
    assert titles(text) == [
        "配齐配强中小学专职心理教师", "建立学生心理健康监测预警机制", "推动家校社协同开展心理健康教育",
    ]


def test_parenthesised_chinese_numbers_full_width_digits_and_circled():
    assert titles("建议：\n（一）加强统筹协调\n（二）完善考核机制\n") == ["加强统筹协调", "完善考核机制"]
    assert titles("建议：\n(一)加强统筹协调。\n(二)完善考核机制。\n") == ["加强统筹协调", "完善考核机制"]
    assert titles("１．加强统筹协调。\n２．完善考核机制。") == ["加强统筹协调", "完善考核机制"]
    assert titles("①加强统筹协调。\n②完善考核机制。") == ["加强统筹协调", "完善考核机制"]


@pytest.mark.skipif(not SEED_LETTER.exists(), reason="the user's example letter (../shared/seed) is not beside this checkout")
def test_the_example_letter_pasted_whole():
    """The example reply letter: six headings 关于……的建议, one cut by a page break."""
    items = split_recommendations(SEED_LETTER.read_text(encoding="utf-8"))
    assert [item.title for item in items] == [
        "做优做强行业协会,促进其“强筋健体”",
        "充分发挥行业协会在维护产业链供应链韧性上的作用，鼓励行业协会牵头起草产业规划、产业政策",
        "增强行业协会对行业的监测分析针对性，适当运用财政资金鼓励一些行业协会对行业进行一些实时监测，"
        "运用数据向有关部门建言献策",
        "适当加大政府购买公共服务力度，敢于担当，鼓励按规定向行业协会购买行业管理等公共服务项目",
        "加强对行业协会规范发展的指导，打造品牌行业协会",
        "提高政治参与度，探索创新参与社会治理",
    ]
    assert all(item.body.startswith("吸收采纳该项建议。") for item in items)
    # Lines cut by the page breaks of the PDF are joined again.
    assert "推动中山数字经济" not in items[0].body  # that sentence is in the letter's preamble
    assert "完善“1+8”社会组织综合监管体系，建立健全年度报告" in items[0].body
    assert "市投资促进局高度重视发挥市场力量开展招商引资" in items[3].body


def test_numbers_out_of_sequence_stay_in_the_body():
    text = "一、加强统筹协调。\n具体措施：\n1. 建立联席会议制度。\n2. 明确牵头部门。\n二、完善考核机制。\n四、这一行编号跳过了。"
    items = split_recommendations(text)
    assert [item.title for item in items] == ["加强统筹协调", "完善考核机制"]
    assert items[0].body == "具体措施：\n1. 建立联席会议制度。\n2. 明确牵头部门。"
    assert items[1].body == "四、这一行编号跳过了。"


def test_a_numbered_list_of_problems_before_the_recommendations():
    text = """\
当前存在以下问题：
1. 站点布局不合理。
2. 车辆老化严重。
为此，提出如下建议：
1. 按客流数据调整站点。
2. 分批更新车辆。
3. 引入社会资本参与运营。
"""
    assert titles(text) == ["按客流数据调整站点", "分批更新车辆", "引入社会资本参与运营"]


def test_a_recommendation_named_like_a_measure_is_not_taken_for_the_marker():
    text = "一、加强监管措施\n严格执法。\n二、完善配套措施\n加大投入。"
    assert titles(text) == ["加强监管措施", "完善配套措施"]


@pytest.mark.parametrize("text", ["", "   \n\n", "只有一段没有编号的文字。\n第二段也没有。"])
def test_nothing_to_split(text):
    assert split_recommendations(text) == []


def test_a_heading_alone_on_its_line_takes_the_next_line():
    assert titles("一、\n加强统筹协调。\n二、\n完善考核机制。") == ["加强统筹协调", "完善考核机制"]


def test_long_headings_are_cut_to_the_title_length():
    heading = "，".join(["加强统筹协调推进各项工作落实到位"] * 30)
    items = split_recommendations(f"一、{heading}\n二、完善考核机制。")
    assert len(items[0].title) <= 300
    assert items[0].title.endswith("落实到位")
    assert heading in items[0].body


def test_at_most_ninety_nine_recommendations():
    text = "\n".join(f"{n}. 第{n}条建议。" for n in range(1, 121))
    assert len(split_recommendations(text)) == 99


@pytest.mark.parametrize(("raw", "expected"), [
    ("关于做优做强行业协会的建议", "做优做强行业协会"),
    ("关于做优做强行业协会的建议。", "做优做强行业协会"),
    ("建议加大财政投入", "加大财政投入"),
    ("建议：加大财政投入。", "加大财政投入"),
    ("加大财政投入；", "加大财政投入"),
    ("几点建议", "几点建议"),
    ("关于", "关于"),
])
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected
