"""The moves and state rules a workflow model answers for (core.workflow.Workflow) are
the ones its services allow, with the same text on the page as in the refusal."""

from __future__ import annotations

import pytest

from core.workflow import IllegalMove
from proposals import services as ps
from proposals.models import ExtensionRequest, Proposal
from replies.models import ReplyLetter, Section
from tests.factories import proposal_in_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Proposal, Section, ReplyLetter, ExtensionRequest])
def test_available_moves_are_those_whose_sources_hold_the_state(model):
    for state in model.State.values:
        obj = model(state=state)
        expected = [name for name, move in model.MOVES.items() if state in move.sources]
        assert obj.available_moves() == expected, (model.__name__, state)
        for name in model.MOVES:
            assert obj.can(name) is (name in expected)
            assert bool(obj.refusal(name)) is (name not in expected)


@pytest.mark.parametrize("state", [s.value for s in Proposal.State if s != Proposal.State.REPLIED])
def test_the_feedback_page_warns_with_the_services_refusal(world, client, state):
    proposal = proposal_in_state(world, state)
    with pytest.raises(IllegalMove) as refused:
        ps.feedback_record(proposal=proposal, handling="satisfied", result="satisfied", actor=world.liaison)
    assert str(refused.value) == proposal.refusal("feedback")
    client.force_login(world.liaison)
    page = client.get(f"/proposals/{proposal.pk}/feedback/")
    if page.status_code == 200:
        assert proposal.refusal("feedback") in page.content.decode()


def test_a_state_rule_names_the_current_state(world):
    proposal = world.proposal()
    assert proposal.can("edit") and not proposal.can("feedback")
    assert "待审查" in proposal.refusal("feedback")
