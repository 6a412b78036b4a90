"""并案: merging a proposal into another of its session — the service's legal and illegal
moves, the history it writes, and the page's form."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from proposals import services as ps
from proposals.models import Proposal
from tests.factories import SessionFactory, history_of, proposal_in_state

State = Proposal.State


def merge(world, proposal, into, **kwargs):
    return ps.proposal_merge(proposal=proposal, into=into, actor=kwargs.pop("actor", world.liaison),
                             **kwargs)


def unchanged(proposal, state, history_count):
    proposal.refresh_from_db()
    assert proposal.state == state and proposal.merged_into_id is None
    assert StateChange.objects.count() == history_count


# ---------------------------------------------------------------- the service


@pytest.mark.parametrize("source", [State.SUBMITTED, State.REGISTERED])
@pytest.mark.parametrize("target", [State.SUBMITTED, State.REGISTERED, State.ASSIGNED])
def test_a_proposal_under_review_is_merged_into_one_of_its_session(world, source, target):
    proposal = proposal_in_state(world, source)
    into = proposal_in_state(world, target)
    merged = merge(world, proposal, into, reason="  内容基本相同  ")
    proposal.refresh_from_db()
    assert merged.state == proposal.state == State.MERGED
    assert proposal.merged_into == into
    assert list(into.merged_proposals.all()) == [proposal]
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target) == ("merge", source, State.MERGED)
    assert change.actor == world.liaison and change.reason == "内容基本相同"
    assert change.data == {"into": into.number, "with": []}
    assert change.action_label == "并案"
    into.refresh_from_db()
    assert into.state == target


def test_proposals_merged_into_it_follow_it(world):
    first, second, main = world.proposal(), world.proposal(), world.proposal()
    merge(world, first, second)
    merge(world, second, main)
    first.refresh_from_db()
    assert first.merged_into == main
    assert history_of(second).last().data == {"into": main.number, "with": [first.number]}
    assert set(main.merged_proposals.all()) == {first, second}


@pytest.mark.parametrize("state", [s for s in State.values if s not in (State.SUBMITTED, State.REGISTERED)])
def test_only_a_proposal_under_review_can_be_merged(world, state):
    proposal = proposal_in_state(world, state)
    into = world.proposal()
    count = StateChange.objects.count()
    with pytest.raises(IllegalMove, match="不能并案"):
        merge(world, proposal, into)
    proposal.refresh_from_db()
    assert proposal.state == state
    assert StateChange.objects.count() == count


@pytest.mark.parametrize("state", [State.MERGED, State.WITHDRAWN, State.CONVERTED])
def test_a_merged_withdrawn_or_converted_proposal_takes_in_nothing(world, state):
    into = proposal_in_state(world, state)
    proposal = world.proposal()
    count = StateChange.objects.count()
    with pytest.raises(DomainError, match="不能作为并案的主提案"):
        merge(world, proposal, into)
    unchanged(proposal, State.SUBMITTED, count)


def test_not_into_itself_nor_into_another_session(world):
    proposal = world.proposal()
    count = StateChange.objects.count()
    with pytest.raises(DomainError, match="不能并入自身"):
        merge(world, proposal, proposal)
    other = SessionFactory(code="13-1", term=13, meeting=1, year=2022, name="市政协十三届一次会议")
    elsewhere = ps.proposal_create(session=other, title="关于加装电梯的建议", actor=world.liaison,
                                   proposers=[{"name": "张三", "kind": "member"}])
    count = StateChange.objects.count()
    with pytest.raises(DomainError, match="同一届次会议"):
        merge(world, proposal, elsewhere)
    unchanged(proposal, State.SUBMITTED, count)


@pytest.mark.parametrize("role", ["office", "lead_officer", "lead_approver", "co_officer"])
def test_only_liaison_staff_merge(world, role):
    proposal, into = world.proposal(), world.proposal()
    count = StateChange.objects.count()
    with pytest.raises(PermissionDenied):
        merge(world, proposal, into, actor=getattr(world, role))
    unchanged(proposal, State.SUBMITTED, count)


# ---------------------------------------------------------------- the page


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_form_merges_and_both_pages_say_so(client, world):
    proposal, into = world.proposal(), world.proposal()
    client.force_login(world.liaison)
    response = client.post(reverse("proposals:merge", args=[proposal.pk]),
                           {"into": str(into.pk), "reason": "重复提案"})
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert messages_of(response) == [f"第{proposal.number}号提案已并入第{into.number}号提案。"]
    proposal.refresh_from_db()
    assert proposal.state == State.MERGED and proposal.merged_into == into
    body = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "本提案已并入" in body and reverse("proposals:detail", args=[into.pk]) in body
    body = client.get(reverse("proposals:detail", args=[into.pk])).content.decode()
    assert "并入本提案的提案" in body and proposal.number in body


def test_a_refused_merge_says_why_and_changes_nothing(client, world):
    proposal = world.proposal()
    withdrawn = proposal_in_state(world, State.WITHDRAWN)
    client.force_login(world.liaison)
    count = StateChange.objects.count()
    for data, message in (
        ({"into": str(withdrawn.pk)}, "不能作为并案的主提案"),
        ({"into": "999999"}, "请选择要并入的提案"),
        ({"into": "abc"}, "请选择要并入的提案"),
        ({}, "请选择要并入的提案"),
    ):
        response = client.post(reverse("proposals:merge", args=[proposal.pk]), data)
        assert response.status_code == 302
        assert message in messages_of(response)[-1]
    unchanged(proposal, State.SUBMITTED, count)


def test_agency_staff_cannot_merge_and_the_form_is_post_only(client, world):
    proposal, into = world.proposal(), world.proposal()
    client.force_login(world.lead_officer)
    response = client.post(reverse("proposals:merge", args=[proposal.pk]), {"into": str(into.pk)})
    assert response.status_code == 403
    client.force_login(world.liaison)
    assert client.get(reverse("proposals:merge", args=[proposal.pk])).status_code == 405
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_agency_staff_do_not_see_merged_proposals_they_may_not_read(client, world):
    proposal = world.proposal()
    into = world.assigned()
    merge(world, proposal, into)
    client.force_login(world.lead_officer)
    body = client.get(reverse("proposals:detail", args=[into.pk])).content.decode()
    assert "并入本提案的提案" not in body
