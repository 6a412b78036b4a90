"""Similar proposals: the measure on hand-made texts, the candidates of this and earlier
sessions, their order and scores, and the panel on the proposal page."""

from __future__ import annotations

import datetime
import math
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services as ps
from proposals.models import Proposal
from search.profiles import Profile, cosine, profile_of, subject_terms, title_core
from search.services import rebuild_all
from search.similarity import (
    MIN_SCORE,
    TITLE_WEIGHT,
    distinctive_terms,
    similar_for_page,
    similar_proposals,
    similarity,
)
from tests.factories import SessionFactory

# ---------------------------------------------------------------- the measure


def test_a_title_loses_its_frame_and_bigrams_that_say_nothing_are_dropped():
    assert title_core("关于加强养老服务的建议") == "加强养老服务"
    # 加强 is a word every proposal uses; 务的 and 的建 hold a function character.
    assert subject_terms("加强养老服务的建设") == ["强养", "养老", "老服", "服务", "建设"]


def test_the_cosine_weighs_each_shared_term():
    a, b = Counter({"养老": 2, "食堂": 1}), Counter({"养老": 1, "助餐": 1})
    assert cosine(a, b, lambda term: 1) == pytest.approx(2 / (math.sqrt(5) * math.sqrt(2)))
    # A rare shared term weighs more: 养老 counts three times as much as the others.
    weight = {"养老": 3, "食堂": 1, "助餐": 1}.get
    assert cosine(a, b, weight) == pytest.approx(18 / (math.sqrt(37) * math.sqrt(10)))
    assert cosine(a, Counter(), weight) == 0 and cosine(a, Counter({"道路": 1}), weight) == 0


def test_similarity_is_a_fifth_titles_and_the_rest_whole_texts():
    a = profile_of("关于养老服务的建议", ["社区食堂"])   # title 养老 老服 服务; body 社区 区食 食堂
    b = profile_of("养老服务", [""])
    assert set(a.title) == {"养老", "老服", "服务"} and len(a.full) == 6
    flat = lambda term: 1  # noqa: E731
    assert similarity(a, b, flat) == pytest.approx(TITLE_WEIGHT * 1 + (1 - TITLE_WEIGHT) * 3 / (math.sqrt(6) * math.sqrt(3)))
    assert similarity(a, a, flat) == pytest.approx(1)


def test_candidates_are_looked_for_by_the_most_telling_terms():
    profile = Profile(Counter({"公交": 1}), Counter({"公交": 1, "地铁": 3, "接驳": 1, "票价": 1}))
    rare = {"接驳": 5}
    assert distinctive_terms(profile, lambda term: rare.get(term, 1)) == ["接驳", "地铁", "公交", "票价"]
    assert distinctive_terms(profile, lambda term: 1, limit=2) == ["地铁", "公交"]


# ---------------------------------------------------------------- finding similar proposals

TITLE = "关于发展社区养老服务的建议"
BODY = "建设社区食堂，推广居家养老服务。"
# The proposal's subject bigrams: the title's 7 (发展 展社 社区 区养 养老 老服 服务) and the
# body's 12, four of them the title's again: 15 in all.


def make(world, *, session=None, title=TITLE, body="", recommendations=(), state=None):
    proposal = ps.proposal_create(
        session=session or world.session, title=title, body=body, actor=world.liaison,
        proposers=[{"name": "民建测试市委会", "kind": "party"}],
        recommendations=[{"title": t} for t in recommendations],
    )
    if state == "withdrawn":
        ps.proposal_withdraw(proposal=proposal, actor=world.liaison, reason="提案者申请撤回")
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def sessions(world):
    earlier = SessionFactory(code="13-1", term=13, meeting=1, year=2022, name="市政协十三届一次会议")
    later = SessionFactory(code="13-3", term=13, meeting=3, year=2024, name="市政协十三届三次会议")
    return earlier, later


@pytest.fixture
def similar_world(world, sessions):
    earlier, later = sessions
    proposal = make(world, body=BODY)
    answered = make(world, session=earlier, body=BODY, recommendations=["推广居家养老服务"])
    ps.proposal_register(proposal=answered, actor=world.liaison)
    ps.proposal_assign(proposal=answered, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": "lead", "assigned_on": datetime.date(2022, 3, 1),
         "due_on": datetime.date(2022, 6, 1)}])
    answered, letter = world.signed_letter(answered, signed_on=datetime.date(2022, 5, 5))
    built = {
        "proposal": proposal,
        "answered": answered,                                   # the same text: 100%
        "letter": letter,
        "withdrawn": make(world, body="建设社区食堂。", state="withdrawn"),  # 11 bigrams, all shared
        "title_only": make(world),                              # the title's 7 only
        "unrelated": make(world, title="关于加强农村道路建设的建议"),  # shares 建设 only
        "later": make(world, session=later, body=BODY),
    }
    merged = make(world, body=BODY)
    ps.proposal_merge(proposal=merged, into=proposal, actor=world.liaison)
    built["merged"] = merged
    rebuild_all()
    return built


def test_the_most_similar_of_this_and_earlier_sessions_come_first_with_their_scores(similar_world):
    found = similar_proposals(similar_world["proposal"])
    assert [s.proposal for s in found] == [
        similar_world["answered"], similar_world["withdrawn"], similar_world["title_only"],
    ]
    # The same text (one recommendation more) first, then the withdrawn one holding the body's
    # first sentence, then the title alone; each on its own weighted terms.
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.95
    assert all(score >= MIN_SCORE for score in scores)
    assert [s.percent for s in found] == [round(score * 100) for score in scores]


def test_only_a_live_proposal_of_the_same_session_may_be_merged_into(similar_world):
    found = {s.proposal.pk: s for s in similar_proposals(similar_world["proposal"])}
    assert found[similar_world["title_only"].pk].mergeable
    assert not found[similar_world["answered"].pk].mergeable     # an earlier session
    assert not found[similar_world["withdrawn"].pk].mergeable    # withdrawn


def test_earlier_answers_come_with_their_signed_letters(similar_world):
    found = similar_proposals(similar_world["proposal"])
    assert [letter.pk for letter in found[0].letters] == [similar_world["letter"].pk]
    assert found[1].letters == [] and found[2].letters == []


def test_the_threshold_and_the_limit(world, similar_world):
    proposal, unrelated = similar_world["proposal"], similar_world["unrelated"]
    assert len(similar_proposals(proposal, min_score=0.9)) == 1
    assert len(similar_proposals(proposal, top=1)) == 1
    # 农村道路建设 shares 建设 with the body: a candidate, scoring far below the threshold.
    scores = {s.proposal.pk: s.score for s in similar_proposals(proposal, min_score=0, top=10)}
    assert 0 < scores[unrelated.pk] < MIN_SCORE / 4
    assert unrelated.pk not in {s.proposal.pk for s in similar_proposals(proposal)}
    for _ in range(6):
        make(world, body=BODY)
    rebuild_all()
    assert len(similar_proposals(proposal)) == 5


def test_a_later_session_is_never_listed_and_an_earlier_one_sees_no_later(similar_world):
    later = similar_world["later"]
    found = [s.proposal for s in similar_proposals(similar_world["answered"])]
    assert found == []
    assert later not in [s.proposal for s in similar_proposals(similar_world["proposal"])]
    # From the later session, this session's proposals are earlier ones.
    assert similar_world["proposal"] in [s.proposal for s in similar_proposals(later)]


# ---------------------------------------------------------------- on the proposal page


def test_liaison_staff_see_similar_proposals_while_reviewing(client, world, similar_world):
    proposal = similar_world["proposal"]
    client.force_login(world.liaison)
    body = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "相似提案" in body
    for item in similar_proposals(proposal):
        assert f"{item.percent}%" in body
    letter = similar_world["letter"]
    assert reverse("replies:letter_pdf", args=[letter.pk]) in body
    # What was answered then: the agency, the class and the letter, and a note above the table.
    assert reverse("replies:letter_detail", args=[letter.pk]) in body and letter.number in body
    assert f"<span>{letter.agency.short_name}</span> · <span>{letter.klass}类</span>" in body
    assert "与本提案相近，已答复" in body and "请留意当时答复中的承诺" in body
    assert body.count(f'action="{reverse("proposals:merge", args=[proposal.pk])}"') == 1
    assert f'name="into" value="{similar_world["title_only"].pk}"' in body
    # The proposal merged into it is listed as such, not as a similar one.
    assert "并入本提案的提案" in body and similar_world["merged"].number in body


def test_nobody_else_sees_them_and_not_once_assigned(client, world, similar_world):
    proposal = similar_world["proposal"]
    client.force_login(world.office)
    assert "相似提案" not in client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert similar_for_page(world.lead_officer, proposal) == []
    registered = world.proposal(title=TITLE)
    ps.proposal_register(proposal=registered, actor=world.liaison)
    assigned = world.assigned(title=TITLE)
    rebuild_all()
    assert similar_for_page(world.liaison, Proposal.objects.get(pk=registered.pk))
    assert similar_proposals(assigned) and similar_for_page(world.liaison, assigned) == []


def test_the_panel_reads_the_same_number_of_times_however_many_are_similar(client, world, sessions):
    proposal = make(world, body=BODY)
    client.force_login(world.liaison)
    url = reverse("proposals:detail", args=[proposal.pk])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        return len(captured), body.count("similar__score")

    make(world, body=BODY)
    rebuild_all()
    few = count()
    earlier, _later = sessions
    for i in range(6):
        make(world, session=earlier if i % 2 else None, body=BODY)
    rebuild_all()
    many = count()
    assert (few[1], many[1]) == (1, 5)
    assert few[0] == many[0]
