"""延期申请: an agency asks for a later due date; the liaison staff approve or refuse it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from proposals import extensions as ext
from proposals.models import Assignment, ExtensionRequest, Proposal
from tests.factories import history_of, proposal_in_state

pytestmark = pytest.mark.django_db

LATER = datetime.date(2023, 8, 1)


@pytest.fixture
def lead(world) -> Assignment:
    proposal = world.assigned()
    return proposal.assignments.get(agency=world.lead)


def ask(world, assignment, due_on=LATER, reason="需等待专项资金批复。", actor=None):
    return ext.extension_request(assignment=assignment, due_on=due_on, reason=reason,
                                 actor=actor or world.lead_officer)


def test_an_officer_asks_and_the_liaison_staff_approve(world, lead):
    before = lead.due_on
    request = ask(world, lead)
    assert (request.state, request.current_due_on, request.requested_due_on) == (
        "pending", before, LATER)
    lead.refresh_from_db()
    assert lead.due_on == before  # nothing changes until it is approved

    ext.extension_approve(request=request, actor=world.liaison)
    lead.refresh_from_db()
    request.refresh_from_db()
    assert lead.due_on == LATER
    assert (request.state, request.approved_due_on, request.decided_by) == (
        "approved", LATER, world.liaison)
    extend = history_of(lead).get(action="extend")
    assert extend.reason == "市工商联申请延期：需等待专项资金批复。"
    assert extend.data["from"] == before.isoformat()
    assert [c.action for c in history_of(request)] == ["request_extension", "approve"]


def test_the_liaison_staff_may_approve_another_date_with_a_note(world, lead):
    request = ask(world, lead)
    ext.extension_approve(request=request, actor=world.liaison, due_on=datetime.date(2023, 7, 15),
                          note="延期至7月15日")
    lead.refresh_from_db()
    assert lead.due_on == datetime.date(2023, 7, 15)
    assert "审批意见：延期至7月15日" in history_of(lead).get(action="extend").reason


def test_a_refusal_needs_a_reason_and_keeps_the_date(world, lead):
    before = lead.due_on
    request = ask(world, lead)
    with pytest.raises(DomainError) as caught:
        ext.extension_reject(request=request, actor=world.liaison)
    assert caught.value.field == "reason"
    ext.extension_reject(request=request, actor=world.liaison, note="请按期办理。")
    request.refresh_from_db()
    lead.refresh_from_db()
    assert (request.state, request.decision_note, lead.due_on) == ("rejected", "请按期办理。", before)


def test_a_decided_request_cannot_be_decided_again(world, lead):
    request = ask(world, lead)
    ext.extension_reject(request=request, actor=world.liaison, note="不同意。")
    with pytest.raises(IllegalMove):
        ext.extension_approve(request=request, actor=world.liaison)
    lead.refresh_from_db()
    assert lead.due_on != LATER


def test_the_agency_may_withdraw_and_ask_again(world, lead):
    request = ask(world, lead)
    with pytest.raises(DomainError, match="待审批"):
        ask(world, lead, due_on=datetime.date(2023, 9, 1))
    ext.extension_withdraw(request=request, actor=world.lead_approver)
    request.refresh_from_db()
    assert request.state == "withdrawn"
    second = ask(world, lead, due_on=datetime.date(2023, 9, 1))
    assert second.state == "pending"


@pytest.mark.parametrize("due_on, field", [
    (datetime.date(2023, 6, 1), "due_on"),   # the current due date itself
    (datetime.date(2023, 5, 1), "due_on"),   # earlier
    (datetime.date(2024, 7, 1), "due_on"),   # more than a year later
])
def test_a_date_not_later_than_the_current_one_is_refused(world, lead, due_on, field):
    assert lead.due_on == datetime.date(2023, 6, 1)
    with pytest.raises(DomainError) as caught:
        ask(world, lead, due_on=due_on)
    assert caught.value.field == field
    assert not ExtensionRequest.objects.exists()


def test_a_request_needs_a_reason(world, lead):
    with pytest.raises(DomainError):
        ask(world, lead, reason="  ")
    assert not ExtensionRequest.objects.exists()


def test_only_the_agencys_own_staff_may_ask(world, lead):
    for outsider in (world.co_officer, world.liaison, world.office):
        with pytest.raises(PermissionDenied):
            ask(world, lead, actor=outsider)
    assert not ExtensionRequest.objects.exists()


def test_only_liaison_staff_decide(world, lead):
    request = ask(world, lead)
    for outsider in (world.lead_approver, world.office):
        with pytest.raises(PermissionDenied):
            ext.extension_approve(request=request, actor=outsider)
        with pytest.raises(PermissionDenied):
            ext.extension_reject(request=request, actor=outsider, note="不同意。")
    request.refresh_from_db()
    assert request.state == "pending"


def test_an_answered_or_finished_assignment_needs_no_extension(world):
    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    lead = proposal.assignments.get(agency=world.lead)
    count = StateChange.objects.count()
    with pytest.raises(IllegalMove):
        ask(world, lead, due_on=datetime.date(2023, 12, 1))
    assert StateChange.objects.count() == count


# ---------------------------------------------------------------- the pages


def test_the_handling_page_offers_the_request_and_shows_it_pending(client, world, lead):
    client.force_login(world.lead_officer)
    handling = reverse("replies:handling", args=[lead.proposal_id])
    page = client.get(handling).content.decode()
    url = reverse("proposals:extension_request", args=[lead.pk])
    assert url in page

    response = client.post(url, {"due_on": "2023-08-01", "reason": "需等待规划调整。"})
    assert response.status_code == 302
    page = client.get(handling).content.decode()
    assert "已申请延期至2023年8月1日，待审批" in page
    assert url not in page


def test_a_bad_date_shows_the_reason_on_the_form(client, world, lead):
    client.force_login(world.lead_officer)
    response = client.post(reverse("proposals:extension_request", args=[lead.pk]),
                           {"due_on": "2023-05-01", "reason": "需等待规划调整。"})
    assert response.status_code == 200
    assert "申请的期限应晚于现在的办理期限（2023年6月1日）" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_the_liaison_staff_decide_from_their_list(client, world, lead):
    request = ask(world, lead)
    client.force_login(world.liaison)
    home = client.get(reverse("home")).content.decode()
    assert "有1份延期申请待审批" in home
    listing = client.get(reverse("proposals:extensions")).content.decode()
    assert lead.proposal.title in listing
    assert "（延长61天）" in listing

    decide = reverse("proposals:extension_decide", args=[request.pk])
    response = client.post(decide, {"decision": "reject", "due_on": "", "note": ""})
    assert response.status_code == 200
    assert "不批准延期需要填写理由。" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "pending"

    response = client.post(decide, {"decision": "approve", "due_on": "2023-07-20", "note": ""})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.due_on == datetime.date(2023, 7, 20)
    listing = client.get(reverse("proposals:extensions")).content.decode()
    assert "没有待审批的延期申请。" in listing
    assert "批准至2023年7月20日" in listing


# ---------------------------------------------------------------- who is told


def test_liaison_staff_hear_of_a_request_and_the_agency_of_the_decision(world, lead):
    from notifications.models import Notification

    request = ask(world, lead)
    asked = Notification.objects.filter(kind="extension_requested")
    assert {n.recipient for n in asked} == {world.liaison}
    assert "由2023年6月1日延至2023年8月1日" in asked.get().text
    assert asked.get().link == reverse("proposals:extension_decide", args=[request.pk])

    ext.extension_reject(request=request, actor=world.liaison, note="请按期办理。")
    decided = Notification.objects.filter(kind="extension_decided")
    # The officer who asked, and the agency's approver; not the co-handler.
    assert {n.recipient for n in decided} == {world.lead_officer, world.lead_approver}
    assert "审批意见：请按期办理。" in decided.first().text


def test_reopening_tells_each_agency_its_new_deadline(world, monkeypatch):
    from notifications.models import Notification
    from proposals import services as ps
    from tests.factories import record_feedback

    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    record_feedback(world, proposal, satisfied=False)
    monkeypatch.setattr(ps.common, "today", lambda: datetime.date(2023, 8, 10))
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    told = Notification.objects.filter(kind="reopened")
    assert {n.recipient for n in told} == {world.lead_officer, world.lead_approver,
                                          world.co_officer, world.co_approver}
    assert all("请于2023年9月10日前再次答复" in n.text for n in told)
