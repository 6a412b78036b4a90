"""Similar proposals: the measure on hand-made texts, the candidates of this and earlier
sessions, their order and scores, and the panel on the proposal page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services as ps
from proposals.models import Proposal
from search.services import rebuild_all
from search.similarity import (
    Document,
    dice,
    distinctive_terms,
    similar_for_page,
    similar_proposals,
    similarity,
    subject_terms,
    title_core,
)
from tests.factories import SessionFactory

# ---------------------------------------------------------------- the measure


def test_a_title_loses_its_frame_and_bigrams_that_say_nothing_are_dropped():
    assert title_core("关于加强养老服务的建议") == "加强养老服务"
    # 加强 is a word every proposal uses; 务的 and 的建 hold a function character.
    assert subject_terms("加强养老服务的建设") == ["强养", "养老", "老服", "服务", "建设"]


def test_dice_counts_shared_bigrams_against_both_sets():
    assert dice(frozenset("ab"), frozenset("bc")) == 2 * 1 / (2 + 2)
    assert dice(frozenset(), frozenset()) == 0


def test_similarity_is_half_titles_half_whole_texts():
    a = Document.of("关于养老服务的建议", ["社区食堂"])   # title 养老 老服 服务; body 社区 区食 食堂
    b = Document.of("养老服务", [""])
    assert a.title == {"养老", "老服", "服务"} and len(a.full) == 6
    assert similarity(a, b) == pytest.approx(0.5 * 1 + 0.5 * (2 * 3 / (6 + 3)))
    assert similarity(a, a) == 1


def test_candidates_are_looked_for_by_the_title_then_the_most_frequent_bigrams():
    terms = distinctive_terms("关于公交的建议", ["地铁地铁接驳", "地铁票价"])
    assert terms == ["公交", "地铁", "铁地", "铁接", "接驳", "铁票", "票价"]


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
    assert [s.score for s in found] == pytest.approx([
        1.0,
        0.5 * 1 + 0.5 * (2 * 11 / (15 + 11)),
        0.5 * 1 + 0.5 * (2 * 7 / (15 + 7)),
    ])
    assert [s.percent for s in found] == [100, 92, 82]


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
    assert len(similar_proposals(proposal, min_score=0.9)) == 2
    assert len(similar_proposals(proposal, top=1)) == 1
    # 农村道路建设 shares 建设 with the body: a candidate, scoring 0.5·0 + 0.5·(2·1 / (15 + 6)).
    scores = {s.proposal.pk: s.score for s in similar_proposals(proposal, min_score=0, top=10)}
    assert scores[unrelated.pk] == pytest.approx(0.5 * (2 * 1 / (15 + 6)))
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
    for percent in ("100%", "92%", "82%"):
        assert percent in body
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
