"""Subject profiles and term counts follow every change to a proposal (the pair the demo
missed is tested on the demo itself, in tests/test_demo.py)."""

from __future__ import annotations

import pytest

from proposals import services as ps
from search.models import SubjectProfile, TermCount
from search.services import index_proposal, rebuild_all

pytestmark = pytest.mark.django_db


def make(world, session, title, body, recommendations):
    proposal = ps.proposal_create(
        session=session, title=title, body=body, actor=world.liaison,
        proposers=[{"name": "农工党测试市委会", "kind": "party"}],
        recommendations=[{"title": t, "body": b} for t, b in recommendations],
    )
    index_proposal(proposal)
    return proposal


def counts() -> dict[str, int]:
    return dict(TermCount.objects.filter(proposals__gt=0).values_list("term", "proposals"))


def test_profiles_and_counts_follow_edits_and_a_rebuild_agrees(world):
    first = make(world, world.session, "关于扩大长者饭堂覆盖面的建议", "长者饭堂数量少。", [("新建长者饭堂", "")])
    second = make(world, world.session, "关于发展普惠托育的建议", "托育机构少。", [("扩大托育供给", "")])
    assert counts()["饭堂"] == 1 and counts()["托育"] == 1 and "助餐" not in counts()
    ps.proposal_update(proposal=first, actor=world.liaison, body="长者饭堂数量少，助餐点不足。")
    index_proposal(first)
    assert counts()["助餐"] == 1 and counts()["饭堂"] == 1
    incremental = counts()
    rebuild_all()
    assert counts() == incremental
    assert SubjectProfile.objects.count() == 2
    second.delete()
    assert "托育" not in counts() and SubjectProfile.objects.count() == 1
