"""回头看: sections answered 正在落实 / 列入计划 carry a commitment, stated when drafting;
the agency reports progress; liaison staff follow every commitment by agency and session;
reminders, the dashboard and the proposer's page include them."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from followup import services as fs
from followup.models import Commitment
from notifications.models import Notification
from notifications.services import send_daily_reminders
from proposals import services as ps
from proposals.stats import session_statistics
from replies import services as rs
from replies.models import AdoptionStatus, Section
from tests.factories import AgencyFactory, user_in
from tests.test_members import client_for, side  # noqa: F401  (the proposer fixtures)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()


def _assigned(world):
    """Being handled by the lead agency, with the co-handler."""
    return world.assigned()


def _section_form(adoption, **extra):
    return {"adoption": str(AdoptionStatus.objects.get(code=adoption).pk), "body": "市里正在推进。",
            "action": "save", "agency": "", **extra}


class TestDrafting:
    def test_a_promise_needs_what_and_by_when(self, client, world):
        proposal = _assigned(world)
        recommendation = proposal.recommendations.first()
        client.force_login(world.lead_officer)
        url = reverse("replies:section_create", args=[recommendation.pk])
        response = client.post(url, _section_form("planned"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "“列入计划”须写明承诺事项" in page and "请填写完成时限" in page
        past = client.post(url, _section_form("planned", commitment_what="建成十个长者饭堂。",
                                              commitment_due=(TODAY - datetime.timedelta(days=1)).isoformat()))
        assert "完成时限不能早于今天" in past.content.decode()
        assert not Section.objects.filter(recommendation=recommendation).exists()

        due = TODAY + datetime.timedelta(days=90)
        saved = client.post(url, _section_form("planned", commitment_what="年内建成十个长者饭堂。",
                                               commitment_due=due.isoformat()))
        assert saved.status_code == 302
        commitment = Commitment.objects.get(section__recommendation=recommendation)
        assert (commitment.what, commitment.due_on, commitment.agency) == ("年内建成十个长者饭堂。", due, world.lead)

    def test_another_status_drops_the_commitment(self, world):
        proposal = _assigned(world)
        section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                                    actor=world.lead_officer, adoption="planned", body="列入计划。",
                                    commitment=("年内完成。", D(2030, 1, 1)))
        assert Commitment.objects.filter(section=section).exists()
        rs.section_update(section=section, actor=world.lead_officer, adoption="adopted", body="已采纳。")
        assert not Commitment.objects.filter(section=section).exists()

    def test_submitting_without_one_is_refused_by_the_service(self, world):
        proposal = _assigned(world)
        section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                                    actor=world.lead_officer, adoption="in_progress", body="正在落实。")
        with pytest.raises(Exception, match="承诺事项和完成时限"):
            rs.section_submit(section=section, actor=world.lead_officer)


def _made(world, due=None):
    """An approved section answered 正在落实 with a commitment: (proposal, commitment)."""
    proposal = _assigned(world)
    section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                                actor=world.lead_officer, adoption="in_progress", body="正在落实。",
                                commitment=("九月底前建成产业园一期。", due or TODAY + datetime.timedelta(days=30)))
    rs.section_submit(section=section, actor=world.lead_officer)
    rs.section_approve(section=section, actor=world.lead_approver)
    return proposal, Commitment.objects.get(section=section)


class TestReporting:
    def test_the_agency_reports_and_liaison_staff_are_told(self, client, world):
        _proposal, commitment = _made(world)
        client.force_login(world.lead_officer)
        url = reverse("followup:detail", args=[commitment.pk])
        page = client.get(url)
        assert "报告落实进展" in page.content.decode()
        response = client.post(url, {"status": "partly", "text": "主体工程完工，设备安装中。",
                                     "version": str(commitment.version)})
        assert response.status_code == 302
        commitment.refresh_from_db()
        assert commitment.status == "partly" and commitment.reported_on == TODAY
        assert Notification.objects.filter(recipient=world.liaison, kind="commitment_reported").exists()
        assert "主体工程完工" in client.get(url).content.decode()

    def test_two_reports_from_one_loaded_page_are_not_both_taken(self, client, world):
        _proposal, commitment = _made(world)
        client.force_login(world.lead_officer)
        url = reverse("followup:detail", args=[commitment.pk])
        loaded = str(commitment.version)
        assert client.post(url, {"status": "kept", "text": "已建成。", "version": loaded}).status_code == 302
        again = client.post(url, {"status": "not_kept", "text": "未完成。", "version": loaded})
        assert again.status_code == 200
        assert "已有人报告了这项承诺的落实进展" in again.content.decode()
        commitment.refresh_from_db()
        assert commitment.status == "kept" and commitment.reports.count() == 1

    @pytest.mark.parametrize("data, message", [
        ({"status": "", "text": "x"}, "请选择落实情况"),
        ({"status": "kept", "text": "  "}, "请填写进展情况"),
        ({"status": "done", "text": "x"}, "请选择落实情况"),
        ({"status": "kept", "text": "x" * 2001}, "最多2000个字"),
    ])
    def test_bad_reports_change_nothing(self, client, world, data, message):
        _proposal, commitment = _made(world)
        client.force_login(world.lead_officer)
        response = client.post(reverse("followup:detail", args=[commitment.pk]),
                               {**data, "version": str(commitment.version)})
        assert response.status_code == 200 and message in response.content.decode()
        assert commitment.reports.count() == 0

    def test_only_the_agency_reports_and_others_do_not_see_it(self, client, world):
        _proposal, commitment = _made(world)
        url = reverse("followup:detail", args=[commitment.pk])
        client.force_login(world.liaison)
        page = client.get(url).content.decode()
        assert "九月底前建成产业园一期" in page and "report-heading" not in page
        assert client.post(url, {"status": "kept", "text": "x", "version": "1"}).status_code == 403
        # The co-handler reads it (as it reads the lead's approved sections) but does not report.
        client.force_login(world.co_officer)
        assert client.get(url).status_code == 200
        assert client.post(url, {"status": "kept", "text": "x", "version": "1"}).status_code == 403
        assert "九月底前" not in client.get(reverse("followup:list")).content.decode()  # its list: its own
        client.force_login(user_in(AgencyFactory(code="third"), "officer"))
        assert client.get(url).status_code == 404
        client.force_login(world.office)
        assert client.get(reverse("followup:list")).status_code == 403

    def test_a_draft_promise_is_not_followed_up(self, client, world):
        proposal = _assigned(world)
        rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                          actor=world.lead_officer, adoption="planned", body="列入计划。",
                          commitment=("草稿里的承诺。", TODAY))
        client.force_login(world.liaison)
        assert "草稿里的承诺" not in client.get(reverse("followup:list")).content.decode()


class TestRevising:
    def test_a_made_promise_survives_revision_with_its_reports(self, client, world):
        _proposal, commitment = _made(world, due=TODAY - datetime.timedelta(days=3))
        fs.commitment_report(commitment=commitment, status="partly", text="完成一半。", actor=world.lead_officer)
        section = commitment.section
        rs.section_revise(section=section, actor=world.lead_officer, reason="补充数据。")
        client.force_login(world.liaison)
        overdue = client.get(reverse("followup:list"), {"state": "overdue"}).context["page"].object_list
        assert [c.pk for c in overdue] == [commitment.pk]  # still followed up while revised
        # Revised with the date already promised (now past) kept: accepted.
        client.force_login(world.lead_officer)
        url = reverse("replies:section_edit", args=[section.pk])
        section.refresh_from_db()
        response = client.post(url, _section_form("in_progress", body="补充后的意见。", version=str(section.version),
                                                  commitment_what=commitment.what,
                                                  commitment_due=commitment.due_on.isoformat()))
        assert response.status_code == 302
        # The promise reworded: the history keeps the old one and its follow-up starts again.
        section.refresh_from_db()  # a draft again since the revision
        rs.section_update(section=section, actor=world.lead_officer, adoption="in_progress", body="改后。",
                          commitment=("十月底前建成产业园一期。", TODAY + datetime.timedelta(days=40)))
        commitment.refresh_from_db()
        assert (commitment.status, commitment.what) == ("open", "十月底前建成产业园一期。")
        assert commitment.reports.count() == 1
        from history.models import StateChange

        change = StateChange.objects.get(action="change_commitment", object_id=commitment.pk)
        assert "九月底前建成产业园一期" in change.reason
        # Answered another way: the promise made stays, with its report.
        section.refresh_from_db()
        rs.section_update(section=section, actor=world.lead_officer, adoption="adopted", body="已采纳。",
                          commitment=None)
        commitment.refresh_from_db()
        assert commitment.reports.count() == 1 and commitment.made_at is not None

    def test_a_commitment_typed_beside_another_status_is_refused(self, client, world):
        proposal = _assigned(world)
        client.force_login(world.lead_officer)
        response = client.post(reverse("replies:section_create", args=[proposal.recommendations.first().pk]),
                               _section_form("adopted", commitment_what="年内完成。",
                                             commitment_due=str(TODAY + datetime.timedelta(days=9))))
        assert response.status_code == 200 and "不带承诺事项" in response.content.decode()
        assert not Section.objects.filter(recommendation__proposal=proposal).exists()


class TestFollowingUp:
    def test_the_list_by_agency_and_session_marks_the_overdue(self, client, world):
        _p1, late = _made(world, due=TODAY - datetime.timedelta(days=3))
        _p2, soon = _made(world, due=TODAY + datetime.timedelta(days=3))
        client.force_login(world.liaison)
        url = reverse("followup:list")
        page = client.get(url, {"session": world.session.pk, "agency": world.lead.pk}).content.decode()
        assert page.count("九月底前建成产业园一期") == 2 and "已逾期" in page
        overdue = client.get(url, {"state": "overdue"}).context["page"].object_list
        assert [c.pk for c in overdue] == [late.pk]
        fs.commitment_report(commitment=soon, status="kept", text="已建成。", actor=world.lead_officer)
        assert [c.pk for c in client.get(url, {"state": "kept"}).context["page"].object_list] == [soon.pk]
        assert [c.pk for c in client.get(url).context["page"].object_list] == [late.pk]
        for junk in ({"session": "x"}, {"agency": "99999999999"}, {"state": "\x00"}, {"page": "-1"}):
            assert client.get(url, junk).status_code == 200

    def test_the_dashboard_counts_made_kept_and_overdue(self, client, world):
        _made(world, due=TODAY - datetime.timedelta(days=3))
        _p, kept = _made(world)
        fs.commitment_report(commitment=kept, status="kept", text="已建成。", actor=world.lead_officer)
        stats = session_statistics(world.session, TODAY)
        row = next(row for row in stats["by_agency"] if row["code"] == world.lead.code)
        assert row["commitments"] == {"made": 2, "kept": 1, "partly": 0, "overdue": 1}
        assert stats["commitments"] == {"made": 2, "kept": 1, "partly": 0, "overdue": 1}
        client.force_login(world.liaison)
        page = client.get(reverse("proposals:dashboard"), {"session": world.session.code, "refresh": "1"})
        html = page.content.decode()
        assert "各单位承诺落实情况" in html and reverse("followup:list") in html

    def test_reminders_include_them(self, world):
        for user in (world.liaison, world.lead_officer):
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
        _made(world, due=TODAY - datetime.timedelta(days=2))
        mail.outbox.clear()
        send_daily_reminders(today=TODAY)
        sent = {message.to[0]: message.body for message in mail.outbox}
        assert "承诺事项“九月底前建成产业园一期。”" in sent["lead-officer@example.org"]
        assert "已逾期2天" in sent["lead-officer@example.org"]
        assert "九月底前建成产业园一期" in sent["liaison@example.org"]


def test_the_proposer_sees_the_progress_of_their_commitments(side):  # noqa: F811
    proposal = side.proposal(proposers=[{"name": "张委员", "kind": "member"}])
    ps.proposal_register(proposal=proposal, actor=side.liaison)
    ps.proposal_assign(proposal=proposal, actor=side.liaison, assignments=[
        {"agency": side.lead, "role": "lead", "assigned_on": D(2023, 3, 1), "due_on": D(2023, 6, 1)}])
    first, *others = proposal.recommendations.order_by("ordinal")
    section = rs.section_create(recommendation=first, agency=side.lead, actor=side.lead_officer,
                                adoption="planned", body="列入计划。", commitment=("年底前出台扶持办法。", TODAY))
    rs.section_submit(section=section, actor=side.lead_officer)
    rs.section_approve(section=section, actor=side.lead_approver)
    client = client_for(side.accounts["m1"].user)
    url = reverse("members:proposal", args=[proposal.pk])
    assert "年底前出台扶持办法" not in client.get(url).content.decode()  # not answered yet
    for other in others:
        side.approved_section(other, side.lead)
    letter = rs.letter_create(proposal=proposal, agency=side.lead, actor=side.lead_officer)
    rs.letter_submit(letter=letter, actor=side.lead_officer)
    rs.letter_sign(letter=letter, actor=side.lead_approver, signed_on=TODAY)
    fs.commitment_report(commitment=section.commitment, status="partly", text="办法已起草，正在征求意见。",
                         actor=side.lead_officer)
    page = client.get(url).content.decode()
    assert "年底前出台扶持办法" in page and "部分落实" in page and "办法已起草" in page
