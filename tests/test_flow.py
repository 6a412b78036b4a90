"""The whole flow, from logging a proposal to closing it, through the services."""

import datetime

from history.models import StateChange
from proposals import services as ps
from proposals.models import Proposal
from replies.models import ReplyLetter


def test_proposal_goes_from_logging_to_closing(world):
    proposal = world.assigned()
    assert proposal.number == "132001"
    assert proposal.state == Proposal.State.ASSIGNED

    recommendation = proposal.recommendations.get(ordinal=1)
    world.approved_section(recommendation, world.co, "in_progress", "市民政局意见。\n下一步工作。")
    proposal, letter = world.signed_letter(proposal)

    assert letter.state == ReplyLetter.State.SIGNED
    assert letter.number == "测工商联函〔2023〕1号"
    assert letter.klass == "B"  # one section suggests A, another B
    assert letter.opening.startswith("你们提出的《关于充分发挥行业协会作用的建议》（提案第132001号）收悉，经综合市民政局意见")
    assert [p["heading"] for p in letter.parts] == ["一、关于第1条建议的标题的建议", "二、关于第2条建议的标题的建议"]
    assert [s["agency"] for s in letter.parts[0]["sections"]] == ["co", "lead"]
    assert proposal.state == Proposal.State.REPLIED

    ps.feedback_record(proposal=proposal, handling="satisfied", result="basically_satisfied",
                       received_on=datetime.date(2023, 8, 1), actor=world.liaison)
    ps.proposal_close(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED
    actions = list(proposal.history.values_list("action", flat=True))
    assert actions[:3] == ["create", "register", "assign"]
    assert actions[-2:] == ["feedback", "close"]
    assert StateChange.objects.filter(action="sign", data__number=letter.number).exists()
