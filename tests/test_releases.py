"""退办 / 改办: an agency asks to be released from an assignment that is not its business;
the liaison staff release it and reassign in the same step, or refuse with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from notifications.models import Notification
from proposals import releases
from proposals import services as ps
from proposals.models import ReleaseRequest
from proposals.stats import session_statistics
from tests.factories import AgencyFactory, history_of, user_in

pytestmark = pytest.mark.django_db
D = datetime.date
ASSIGNED = D(2023, 3, 1)  # a Wednesday: five working days later is Wednesday 8 March


@pytest.fixture
def on(monkeypatch):
    """Set the services' today."""
    def set_today(day):
        monkeypatch.setattr(ps.common, "today", lambda: day)
    set_today(D(2023, 3, 3))
    return set_today


@pytest.fixture
def right(db):
    agency = AgencyFactory(code="right", name="测试市住房和城乡建设局", short_name="市住建局",
                           title_name="测试市住建局")
    user_in(agency, "officer")
    return agency


def ask(world, proposal, agency=None, suggested=None, reason="本提案涉及的停车设施建设不属于本单位职责。"):
    agency = agency or world.co
    officer = world.co_officer if agency == world.co else world.lead_officer
    return releases.release_request(assignment=proposal.assignments.get(agency=agency), reason=reason,
                                    suggested_agency=suggested, actor=officer)


def test_the_window_is_counted_in_working_days_from_assignment(world):
    assert world.session.release_days == 5
    assert world.session.release_until(ASSIGNED) == D(2023, 3, 8)
    # over the 2023 Qingming holiday (5 April) and its make-up day the count skips and adds
    assert world.session.release_until(D(2023, 4, 3)) == D(2023, 4, 11)
    world.session.release_days = 0
    assert world.session.release_until(ASSIGNED) is None


def test_a_year_without_a_known_calendar_counts_monday_to_friday(world):
    assert world.session.release_until(D(2099, 12, 31)) == D(2100, 1, 7)  # Thu → next Thu


def test_a_co_handler_is_released_and_the_work_reassigned_in_one_step(world, right, on):
    proposal = world.assigned()
    request = ask(world, proposal, suggested=right)
    assert (request.state, request.role, request.assigned_on) == ("pending", "co", ASSIGNED)
    told = Notification.objects.filter(kind=Notification.Kind.RELEASE_REQUESTED, recipient=world.liaison)
    assert "建议改由市住建局办理" in told.get().text

    on(D(2023, 3, 10))  # the liaison staff decide after the window: the request was in time
    releases.release_approve(request=request, actor=world.liaison, agency=right)
    request.refresh_from_db()
    assert (request.state, request.reassigned_to, request.assignment) == ("approved", right, None)
    new = proposal.assignments.get(agency=right)
    # the released role, from the day of reassignment, due by the session's rule (co: 1 month)
    assert (new.role, new.assigned_on, new.due_on) == ("co", D(2023, 3, 10), D(2023, 4, 10))
    assert not proposal.assignments.filter(agency=world.co).exists()
    assert [c.action for c in history_of(request)] == ["request_release", "approve"]
    reassign = history_of(new).get(action="reassign")
    assert reassign.reason == "市民政局退办，改由市住建局办理"
    assert reassign.data == {"agency": "right", "role": "co", "from": "co", "due_on": "2023-04-10"}
    assert Notification.objects.filter(kind=Notification.Kind.RELEASE_DECIDED,
                                       recipient=world.co_officer).exists()
    assert Notification.objects.filter(kind=Notification.Kind.ASSIGNED,
                                       recipient__memberships__agency=right).exists()


def test_the_lead_may_only_be_released_to_another_lead(world, right, on):
    proposal = world.assigned()
    request = ask(world, proposal, agency=world.lead)
    with pytest.raises(DomainError, match="主办单位，同意退办时须指定改办的单位"):
        releases.release_approve(request=request, actor=world.liaison)
    # an agency already on the proposal cannot take the lead's place either
    with pytest.raises(DomainError, match="已是本提案的承办单位"):
        releases.release_approve(request=request, actor=world.liaison, agency=world.co)
    releases.release_approve(request=request, actor=world.liaison, agency=right,
                             assigned_on=D(2023, 3, 6), due_on=D(2023, 6, 30), note="同意改办。")
    roles = dict(proposal.assignments.values_list("agency__code", "role"))
    assert roles == {"right": "lead", "co": "co"}
    assert proposal.assignments.get(agency=right).due_on == D(2023, 6, 30)


def test_a_co_handler_may_be_released_without_a_successor(world, on):
    proposal = world.assigned()
    releases.release_approve(request=ask(world, proposal), actor=world.liaison)
    assert list(proposal.assignments.values_list("agency__code", flat=True)) == ["lead"]


def test_refusing_needs_a_reason_and_keeps_the_assignment(world, on):
    proposal = world.assigned()
    request = ask(world, proposal)
    with pytest.raises(DomainError):
        releases.release_refuse(request=request, actor=world.liaison, note="")
    releases.release_refuse(request=request, actor=world.liaison, note="养老设施用地属贵局职责。")
    request.refresh_from_db()
    assert request.state == "refused"
    assert proposal.assignments.filter(agency=world.co).exists()
    told = Notification.objects.get(kind=Notification.Kind.RELEASE_DECIDED, recipient=world.co_officer)
    assert "养老设施用地属贵局职责" in told.text
    with pytest.raises(IllegalMove):  # decided once
        releases.release_approve(request=request, actor=world.liaison)


def test_requests_are_refused_after_the_window_after_writing_and_twice(world, on):
    proposal = world.assigned()
    on(D(2023, 3, 9))
    with pytest.raises(IllegalMove, match="交办已超过5个工作日（退办申请截至2023年3月8日）"):
        ask(world, proposal)
    on(D(2023, 3, 8))
    ask(world, proposal)
    with pytest.raises(DomainError, match="已有一份待审批的退办申请"):
        ask(world, proposal)
    world.approved_section(proposal.recommendations.get(ordinal=1), world.lead)
    with pytest.raises(IllegalMove, match="已撰写办理意见"):
        ask(world, proposal, agency=world.lead)
    with pytest.raises(DomainError, match="不能是本单位"):
        ask(world, world.assigned(), agency=world.lead, suggested=world.lead)
    world.session.release_days = 0
    world.session.save()
    with pytest.raises(IllegalMove, match="不接受退办申请"):
        ask(world, world.assigned())


def test_only_the_agency_asks_and_only_liaison_staff_decide(world, on):
    proposal = world.assigned()
    with pytest.raises(PermissionDenied):  # the lead's officer may not speak for the co-handler
        releases.release_request(assignment=proposal.assignments.get(agency=world.co),
                                 reason="不属于本单位。", actor=world.lead_officer)
    request = ask(world, proposal)
    with pytest.raises(PermissionDenied):
        releases.release_approve(request=request, actor=world.co_approver)
    assert ReleaseRequest.objects.get().state == "pending"


def test_withdrawing_the_assignment_ends_a_pending_request(world, on):
    proposal = world.assigned()
    request = ask(world, proposal)
    ps.assignment_remove(assignment=proposal.assignments.get(agency=world.co), actor=world.liaison,
                         reason="交办有误。")
    request.refresh_from_db()
    assert request.state == "withdrawn"
    assert StateChange.objects.filter(action="withdraw", object_id=request.pk, reason="交办已撤回").exists()


def test_the_dashboard_counts_each_agencys_releases(world, right, on):
    for _ in range(3):
        world.assigned()
    released = world.assigned()
    releases.release_approve(request=ask(world, released), actor=world.liaison, agency=right)
    refused = world.assigned()
    releases.release_refuse(request=ask(world, refused), actor=world.liaison, note="属贵局职责。")
    rows = {row["code"]: row for row in session_statistics(world.session, D(2023, 3, 10))["by_agency"]}
    # 市民政局 was given five, kept four, gave one back
    assert (rows["co"]["assigned"], rows["co"]["released"], rows["co"]["release_rate"]) == (4, 1, 20.0)
    assert (rows["right"]["released"], rows["right"]["release_rate"]) == (0, 0.0)
    assert rows["lead"]["release_rate"] == 0.0


# ---------------------------------------------------------------- the pages


def test_an_officer_asks_from_the_handling_page_and_liaison_decides(client, world, right, on):
    proposal = world.assigned()
    client.force_login(world.co_officer)
    page = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assignment = proposal.assignments.get(agency=world.co)
    ask_url = reverse("proposals:release_request", args=[assignment.pk])
    assert ask_url in page
    response = client.post(ask_url, {"reason": "", "suggested_agency": str(right.pk)})
    assert "这个字段是必填项" in response.content.decode()
    assert not ReleaseRequest.objects.exists()
    response = client.post(ask_url, {"reason": "不属于本单位职责。", "suggested_agency": str(right.pk)})
    assert response.status_code == 302
    page = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assert "已申请退办，待审批" in page and ask_url not in page

    client.force_login(world.liaison)
    assert "有1份退办申请待审批" in client.get(reverse("home")).content.decode()
    request = ReleaseRequest.objects.get()
    decide = reverse("proposals:release_decide", args=[request.pk])
    assert decide in client.get(reverse("proposals:releases")).content.decode()
    form = client.get(decide).content.decode()
    assert f'<option value="{right.pk}" selected>' in form  # the suggestion is the default
    response = client.post(decide, {"decision": "approve", "agency": str(right.pk), "assigned_on": "2023-03-10",
                                    "due_on": "", "note": ""})
    assert response.status_code == 302
    assert proposal.assignments.get(agency=right).due_on == D(2023, 4, 10)
    assert "改由市住建局办理" in client.get(reverse("proposals:releases")).content.decode()
    dashboard = client.get(reverse("proposals:dashboard"), {"session": world.session.code}).content.decode()
    assert "退办" in dashboard


def test_after_the_window_the_handling_page_offers_no_release(client, world, on):
    proposal = world.assigned()
    on(D(2023, 3, 20))
    client.force_login(world.co_officer)
    assignment = proposal.assignments.get(agency=world.co)
    page = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assert reverse("proposals:release_request", args=[assignment.pk]) not in page
    page = client.get(reverse("proposals:release_request", args=[assignment.pk])).content.decode()
    assert "不能再申请退办" in page

