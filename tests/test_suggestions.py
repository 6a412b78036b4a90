"""建议承办单位: agencies suggested on the assign page from earlier assignments, with reasons;
the body and recommendations count, not only the title; nothing is assigned by itself."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from proposals import services as ps
from search.services import rebuild_all
from search.suggestions import suggest_agencies
from tests.factories import AgencyFactory, SessionFactory

D = datetime.date


def make(world, session, title, body, recommendations=()):
    proposal = ps.proposal_create(
        session=session, title=title, body=body, actor=world.liaison,
        proposers=[{"name": "民盟测试市委会", "kind": "party"}],
        recommendations=[{"title": t} for t in recommendations],
    )
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    return proposal


def assign(world, proposal, lead, *cos):
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": lead, "role": "lead", "assigned_on": D(2022, 3, 1), "due_on": D(2022, 6, 1)},
        *({"agency": co, "role": "co", "assigned_on": D(2022, 3, 1), "due_on": D(2022, 5, 1)} for co in cos)])


@pytest.fixture
def history(world):
    earlier = SessionFactory(code="13-1", term=13, meeting=1, year=2022, name="市政协十三届一次会议")
    toilets = AgencyFactory(code="cgj", name="测试市城市管理和综合执法局", short_name="市城管执法局")
    health = AgencyFactory(code="wjj", name="测试市卫生健康局", short_name="市卫健局")
    past = {
        "toilets": make(world, earlier, "关于加强公共厕所建设管理的建议",
                        "我市公共厕所数量不足，部分公厕保洁不到位、异味大，节假日景区公厕排长队。",
                        ["增建公共厕所", "推动机关单位厕所对外开放", "加强公厕保洁考核"]),
        "toilets2": make(world, earlier, "关于推进厕所革命的建议",
                         "老城区公厕设施陈旧，无障碍厕位和第三卫生间缺乏，公厕保洁管理标准不一。",
                         ["改造老旧公厕", "制定公厕保洁管理标准"]),
        "elderly": make(world, earlier, "关于扩大长者饭堂覆盖面的建议",
                        "社区长者饭堂数量少，老年人就餐不便，助餐服务可持续运营难。",
                        ["新建社区长者饭堂", "给予助餐服务运营补贴"]),
        "clinic": make(world, earlier, "关于提升社区卫生服务中心能力的建议",
                       "社区卫生服务中心全科医生不足，家庭医生签约服务质量不高，基层首诊难以落实。",
                       ["增加全科医生编制", "做实家庭医生签约服务"]),
    }
    assign(world, past["toilets"], toilets, world.co)
    assign(world, past["toilets2"], toilets, world.co)
    assign(world, past["elderly"], world.co, health)
    assign(world, past["clinic"], health)
    # Misleading: a general title whose body is all about public toilets.
    new = make(world, world.session, "关于提升城市品质的建议",
               "市民反映公共厕所难找，公厕保洁不到位、异味大，机关单位厕所未对外开放，游客如厕排长队。",
               ["科学增建公共厕所", "推动机关单位厕所对外开放", "完善公厕保洁考核"])
    rebuild_all()
    return {"new": new, "toilets_agency": toilets, "health": health, **past}


def test_the_body_decides_the_lead_not_the_general_title(history, world):
    suggestion = suggest_agencies(history["new"])
    assert suggestion.lead.agency == history["toilets_agency"]
    reasons = [reason.proposal for reason in suggestion.lead.reasons]
    assert reasons[:2] == [history["toilets"], history["toilets2"]] or \
        reasons[:2] == [history["toilets2"], history["toilets"]]
    assert all(reason.role == "lead" for reason in suggestion.lead.reasons)
    # The co-handler both earlier toilet proposals had.
    assert world.co in [vote.agency for vote in suggestion.co_handlers]


def test_no_history_no_suggestion(world):
    proposal = make(world, world.session, "关于加强公共厕所建设管理的建议", "公厕不足。", ["增建公厕"])
    rebuild_all()
    assert not suggest_agencies(proposal)


def test_the_page_suggests_with_reasons_and_fills_the_form_only_when_asked(client, history, world):
    client.force_login(world.liaison)
    url = reverse("proposals:assign", args=[history["new"].pk])
    page = client.get(url).content.decode()
    assert "建议承办单位" in page and "测试市城市管理和综合执法局" in page
    assert history["toilets"].title in page and "市政协十三届一次会议" in page
    assert history["new"].assignments.count() == 0
    filled = client.get(url, {"suggested": "1"})
    rows = filled.context["assignments"]
    assert rows.initial[0]["agency"] == history["toilets_agency"].pk and rows.initial[0]["role"] == "lead"
    assert world.co.pk in [row["agency"] for row in rows.initial[1:]]
    assert history["new"].assignments.count() == 0  # still nothing assigned


def test_others_never_see_it(client, history, world):
    client.force_login(world.lead_officer)
    response = client.get(reverse("proposals:assign", args=[history["new"].pk]))
    assert response.status_code in (403, 404)
