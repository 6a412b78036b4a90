"""The session's re-handling and feedback periods: 重新办理期限 and 反馈期限.

Reopening a proposal gives every agency on it a new deadline, counted from the day of
reopening by the session's re-handling rule; an answered proposal waits for the
proposer's view for the session's feedback period. The dates below are counted by hand
on the official calendar.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.workflow import DomainError
from history.models import StateChange
from proposals import services as ps
from proposals.deadlines import Unit
from proposals.models import Assignment, Proposal
from tests.factories import history_of, proposal_in_state, record_feedback

pytestmark = pytest.mark.django_db


def _reopen_on(monkeypatch, world, day: datetime.date, *, amount: int, unit: str) -> Proposal:
    session = world.session
    session.rehandling_due_amount, session.rehandling_due_unit = amount, unit
    session.save()
    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    record_feedback(world, proposal, satisfied=False)
    monkeypatch.setattr(ps.common, "today", lambda: day)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    return proposal


def test_reopening_counts_a_new_deadline_for_every_agency(monkeypatch, world):
    proposal = _reopen_on(monkeypatch, world, datetime.date(2024, 1, 31),
                          amount=1, unit=Unit.CALENDAR_MONTHS)
    assignments = list(proposal.assignments.order_by("role"))
    before = {a.pk: a.assigned_on for a in assignments}
    # 1月31日 + 1个月: February 2024 has 29 days.
    assert [a.due_on for a in assignments] == [datetime.date(2024, 2, 29)] * len(assignments)
    assert {a.pk: a.assigned_on for a in assignments} == before  # the assignment date stays
    for assignment in assignments:
        change = history_of(assignment).get()
        assert change.action == "rehandling_due"
        assert change.actor == world.liaison
        assert change.data["start"] == "2024-01-31"
        assert change.data["to"] == "2024-02-29"


def test_rehandling_in_working_days_skips_national_day_and_counts_its_makeup_days(monkeypatch, world):
    # Friday 26 September 2025 + 10 working days: Sun 28 Sep (调休) 1, 29 Sep 2, 30 Sep 3,
    # 1–8 October off, 9 Oct 4, 10 Oct 5, Sat 11 Oct (调休) 6, 13–16 Oct 7–10.
    proposal = _reopen_on(monkeypatch, world, datetime.date(2025, 9, 26),
                          amount=10, unit=Unit.WORKING_DAYS)
    assert set(proposal.assignments.values_list("due_on", flat=True)) == {datetime.date(2025, 10, 16)}


def test_rehandling_in_working_days_skips_the_spring_festival(monkeypatch, world):
    # Thursday 12 February 2026 + 5 working days: 13 Feb 1, Sat 14 Feb (调休) 2,
    # 15–23 February off, 24–26 Feb 3–5.
    proposal = _reopen_on(monkeypatch, world, datetime.date(2026, 2, 12),
                          amount=5, unit=Unit.WORKING_DAYS)
    assert set(proposal.assignments.values_list("due_on", flat=True)) == {datetime.date(2026, 2, 26)}


def test_reopening_in_a_year_without_an_official_calendar_is_refused(monkeypatch, world):
    session = world.session
    session.rehandling_due_amount, session.rehandling_due_unit = 10, Unit.WORKING_DAYS
    session.save()
    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    record_feedback(world, proposal, satisfied=False)
    dues = dict(proposal.assignments.values_list("pk", "due_on"))
    changes = StateChange.objects.count()
    monkeypatch.setattr(ps.common, "today", lambda: datetime.date(2099, 3, 1))
    with pytest.raises(DomainError, match="2099"):
        ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.round) == (Proposal.State.REPLIED, 1)
    assert dict(proposal.assignments.values_list("pk", "due_on")) == dues
    assert StateChange.objects.count() == changes


def test_the_detail_page_explains_a_rehandling_deadline(client, monkeypatch, world):
    day = timezone.localdate()
    proposal = _reopen_on(monkeypatch, world, day, amount=20, unit=Unit.CALENDAR_DAYS)
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "按重新办理期限计算" in page
    assert "重新办理后20日" in page
    due = day + datetime.timedelta(days=20)
    assert f"{due.year}年{due.month}月{due.day}日" in page


def test_an_extension_after_reopening_shows_as_a_change(client, monkeypatch, world):
    day = timezone.localdate()
    proposal = _reopen_on(monkeypatch, world, day, amount=20, unit=Unit.CALENDAR_DAYS)
    lead = proposal.assignments.get(role=Assignment.Role.LEAD)
    ps.assignment_change_due(assignment=lead, due_on=day + datetime.timedelta(days=40),
                             actor=world.liaison, reason="需跨部门协调")
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "需跨部门协调" in page
    assert "按本届规定（重新办理后20日）" in page


def _replied_days_ago(world, days: int) -> Proposal:
    session = world.session
    session.feedback_due_amount, session.feedback_due_unit = 15, Unit.CALENDAR_DAYS
    session.save()
    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    at = timezone.now() - datetime.timedelta(days=days)
    StateChange.objects.filter(proposal=proposal, action="reply").update(at=at)
    return proposal


def test_an_answered_proposal_shows_when_feedback_is_due(client, world):
    proposal = _replied_days_ago(world, 5)
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    due = timezone.localdate() + datetime.timedelta(days=10)
    assert f"征询意见截止日期：{due.year}年{due.month}月{due.day}日" in page
    assert "答复后15日" in page
    assert "逾期" not in page.split("征询意见截止日期")[1].split("</p>")[0]


def test_feedback_not_received_in_time_shows_as_overdue(client, world):
    proposal = _replied_days_ago(world, 18)
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "逾期3天" in page.split("征询意见截止日期")[1].split("</p>")[0]


def test_feedback_recorded_ends_the_feedback_period(client, world):
    proposal = _replied_days_ago(world, 18)
    record_feedback(world, proposal)
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "征询意见截止日期" not in page


def test_every_agency_sees_why_a_proposal_is_handled_again(client, world):
    from django.urls import reverse

    from proposals.models import Feedback
    from replies.models import Section

    proposal, _letter = world.signed_letter()
    ps.feedback_record(proposal=proposal, handling="basically_satisfied", result="dissatisfied",
                       received_on=datetime.date(2023, 7, 20), comment="答复未涉及资金来源。",
                       actor=world.liaison)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison, reason="请补充资金保障措施。")
    assert Feedback.objects.filter(proposal=proposal, round=1).exists()
    for user in (world.lead_officer, world.lead_approver):
        client.force_login(user)
        page = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
        assert "重新办理（第2轮）的原因" in page
        assert "请补充资金保障措施。" in page and "答复未涉及资金来源。" in page
        assert "对办理结果不满意" in page
        earlier = Section.objects.filter(recommendation__proposal=proposal).first()
        card = page[page.index(f'id="section-{earlier.pk}"'):]
        assert "上一轮" in card[:800]


def test_a_first_round_shows_no_reopening(client, world):
    from django.urls import reverse

    proposal = world.assigned()
    client.force_login(world.lead_officer)
    page = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assert "重新办理（" not in page
