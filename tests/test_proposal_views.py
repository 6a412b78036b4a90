"""The liaison staff's pages through the client: each page, each write, who may do what,
the list's filters, query counts, and forms that keep what the user typed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import services as ps
from proposals.models import Assignment, Category, Proposal, Recommendation, Session
from replies import services as rs
from replies.models import Section
from tests.factories import (
    AgencyFactory,
    SessionFactory,
    UserFactory,
    proposal_in_state,
    record_feedback,
    user_in,
)

TODAY = timezone.localdate()
FUTURE = TODAY + datetime.timedelta(days=60)


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's text without tags, for checking what a user reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


@pytest.fixture
def outsider(world):
    """An officer of an agency that nothing is assigned to."""
    return user_in(AgencyFactory(code="outside", short_name="市外单位"), "officer")


def assign_future(world, proposal, *, lead=None, co=None):
    """Assign ``proposal`` with deadlines still ahead."""
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    items = [{"agency": lead or world.lead, "role": "lead", "assigned_on": TODAY, "due_on": FUTURE}]
    if co is not False:
        items.append({"agency": co or world.co, "role": "co", "assigned_on": TODAY, "due_on": FUTURE})
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=items)
    proposal.refresh_from_db()
    return proposal


# ---------------------------------------------------------------- every page renders for liaison


@pytest.mark.django_db
class TestPagesRender:
    def test_list_and_create(self, client, world):
        world.assigned(title="关于加快推进老旧小区加装电梯工作的建议")
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:list"))
        assert response.status_code == 200
        assert "关于加快推进老旧小区加装电梯工作的建议" in text(response)
        assert "共 1 件提案" in text(response)
        assert 'href="/static/css/proposals.css"' in html(response)
        response = client.get(reverse("proposals:create"))
        assert response.status_code == 200
        assert "登记提案" in text(response)
        assert 'hx-post="/proposals/split/"' in html(response)

    @pytest.mark.parametrize("state", list(Proposal.State.values))
    def test_detail_in_every_state(self, client, world, state):
        proposal = proposal_in_state(world, state)
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:detail", args=[proposal.pk]))
        assert response.status_code == 200
        assert proposal.title in text(response)
        assert proposal.get_state_display() in text(response)

    def test_action_pages(self, client, world):
        client.force_login(world.liaison)
        submitted = world.proposal()
        registered = proposal_in_state(world, Proposal.State.REGISTERED)
        assigned = world.assigned()
        replied = proposal_in_state(world, Proposal.State.REPLIED)
        assignment = assigned.assignments.get(role="co")
        pages = [
            ("proposals:edit", submitted.pk, "修改提案"),
            ("proposals:register", submitted.pk, "立案"),
            ("proposals:convert", submitted.pk, "转为意见建议"),
            ("proposals:withdraw", submitted.pk, "撤案"),
            ("proposals:assign", registered.pk, "交办"),
            ("proposals:assignment_add", assigned.pk, "增加承办单位"),
            ("proposals:assignment_due", assignment.pk, "调整办理期限"),
            ("proposals:assignment_remove", assignment.pk, "撤回交办"),
            ("proposals:feedback", replied.pk, "登记反馈"),
            ("proposals:close", replied.pk, "办结"),
            ("proposals:reopen", replied.pk, "重新办理"),
        ]
        for name, pk, heading in pages:
            response = client.get(reverse(name, args=[pk]))
            assert response.status_code == 200, name
            assert heading in text(response), name
            assert "message--warning" not in html(response), name

    def test_an_action_page_warns_when_the_state_does_not_allow_it(self, client, world):
        client.force_login(world.liaison)
        proposal = world.assigned()
        response = client.get(reverse("proposals:register", args=[proposal.pk]))
        assert response.status_code == 200
        assert "不能立案：该提案当前状态为“已交办”" in text(response)


# ---------------------------------------------------------------- the proposal page


@pytest.mark.django_db
class TestProposalPage:
    def test_everything_on_one_page(self, client, world, django_capture_on_commit_callbacks):
        proposal, letter = world.signed_letter(world.assigned(
            proposers=[{"name": "民建测试市委会", "kind": "party"},
                       {"name": "张某某", "kind": "member", "role": "co-signer"}],
            body="提案全文第一段。",
        ))
        record_feedback(world, proposal, satisfied=True)
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:detail", args=[proposal.pk]))
        page = text(response)
        assert "民建测试市委会 领衔 · 民主党派、工商联" in page
        assert "张某某 附议 · 委员" in page
        assert "提案全文第一段。" in page
        assert "一、关于第1条建议的标题的建议" in page
        assert "二、关于第2条建议的标题的建议" in page
        assert "吸收采纳" in page and "已审核" in page
        # Assignments with their dates, as 2023年3月1日.
        assert "测试市工商业联合会 主办 2023年3月1日 2023年6月1日 按本届规定计算" in page
        assert "测试市民政局 会办 2023年3月1日 2023年4月1日 按本届规定计算" in page
        # The letter, its number and its PDF.
        assert letter.number in page
        assert "2023年7月7日" in page
        assert reverse("replies:letter_pdf", args=[letter.pk]) in html(response)
        # Feedback and history.
        assert "满意" in page
        for label in ("创建", "立案", "交办", "签发", "登记反馈"):
            assert label in page
        assert "待审查 → 已立案" in page
        # Buttons for liaison staff in 已答复: feedback, close and reopen, but not edit.
        assert reverse("proposals:feedback", args=[proposal.pk]) in html(response)
        assert reverse("proposals:close", args=[proposal.pk]) in html(response)
        assert reverse("proposals:reopen", args=[proposal.pk]) in html(response)
        assert reverse("proposals:edit", args=[proposal.pk]) not in html(response)

    def test_days_left_and_overdue(self, client, world):
        client.force_login(world.liaison)
        overdue = world.assigned()
        response = client.get(reverse("proposals:detail", args=[overdue.pk]))
        days = (TODAY - datetime.date(2023, 6, 1)).days
        assert f"逾期{days}天" in text(response)
        future = assign_future(world, world.proposal())
        response = client.get(reverse("proposals:detail", args=[future.pk]))
        assert "剩余60天" in text(response)

    def test_buttons_follow_the_state(self, client, world):
        client.force_login(world.liaison)
        submitted = world.proposal()
        body = html(client.get(reverse("proposals:detail", args=[submitted.pk])))
        for name in ("register", "convert", "withdraw", "edit"):
            assert reverse(f"proposals:{name}", args=[submitted.pk]) in body
        assert reverse("proposals:assign", args=[submitted.pk]) not in body
        assigned = world.assigned()
        body = html(client.get(reverse("proposals:detail", args=[assigned.pk])))
        assert reverse("proposals:assignment_add", args=[assigned.pk]) in body
        assert reverse("proposals:register", args=[assigned.pk]) not in body
        assert reverse("proposals:edit", args=[assigned.pk]) not in body

    def test_agency_users_see_only_the_way_to_their_work(self, client, world):
        proposal = world.assigned()
        client.force_login(world.lead_officer)
        body = html(client.get(reverse("proposals:detail", args=[proposal.pk])))
        bar = body[body.index('class="action-bar"'):]
        bar = bar[:bar.index("</div>")]
        assert reverse("replies:handling", args=[proposal.pk]) in bar
        for liaison_only in ("proposals:assign", "proposals:feedback", "proposals:edit", "proposals:reopen"):
            assert reverse(liaison_only, args=[proposal.pk]) not in bar
        assert reverse("proposals:assignment_due", args=[proposal.assignments.first().pk]) not in body

    def test_sections_of_other_agencies_only_once_submitted(self, client, world):
        proposal = world.assigned()
        first, second = proposal.recommendations.all()
        co_draft = rs.section_create(recommendation=first, agency=world.co, actor=world.co_officer,
                                     adoption="adopted", body="会办单位的草稿意见。")
        lead_draft = rs.section_create(recommendation=second, agency=world.lead, actor=world.lead_officer,
                                       adoption="adopted", body="主办单位的草稿意见。")
        detail = reverse("proposals:detail", args=[proposal.pk])

        def seen_by(user):
            client.force_login(user)
            return text(client.get(detail))

        assert "会办单位的草稿意见。" in seen_by(world.liaison)
        assert "主办单位的草稿意见。" in seen_by(world.liaison)
        # Drafts stay inside the agency: the office sees sections once submitted.
        assert "会办单位的草稿意见。" not in seen_by(world.office)
        assert "会办单位的草稿意见。" in seen_by(world.co_officer)
        assert "主办单位的草稿意见。" not in seen_by(world.co_officer)
        assert "会办单位的草稿意见。" not in seen_by(world.lead_officer)
        assert "主办单位的草稿意见。" in seen_by(world.lead_approver)
        rs.section_submit(section=co_draft, actor=world.co_officer)
        assert "会办单位的草稿意见。" in seen_by(world.lead_officer)
        rs.section_submit(section=lead_draft, actor=world.lead_officer)
        rs.section_approve(section=Section.objects.get(pk=lead_draft.pk), actor=world.lead_approver)
        assert "主办单位的草稿意见。" in seen_by(world.co_approver)

    def test_draft_letter_links_only_for_those_who_may_preview(self, client, world):
        proposal, letter = world.ready_letter()
        draft_url = reverse("replies:letter_draft_pdf", args=[letter.pk])
        detail = reverse("proposals:detail", args=[proposal.pk])
        client.force_login(world.lead_officer)
        assert draft_url in html(client.get(detail))
        client.force_login(world.liaison)
        assert draft_url in html(client.get(detail))
        client.force_login(world.co_officer)
        response = client.get(detail)
        assert draft_url not in html(response)
        assert "草稿" in text(response)


# ---------------------------------------------------------------- permissions


def proposal_form_data(**overrides) -> dict:
    data = {
        "session": str(Session.objects.get(code="13-2").pk),
        "number": "",
        "title": "关于优化城市公共自行车站点布局的建议",
        "category": str(Category.objects.get(name="生态文明建设").pk),
        "submitted_on": "2023-01-10",
        "body": "我市公共自行车站点布局已不适应出行需求。",
        "proposers-TOTAL_FORMS": "2",
        "proposers-INITIAL_FORMS": "0",
        "proposers-0-name": "九三学社测试市委会",
        "proposers-0-kind": "party",
        "proposers-1-name": "李某某",
        "proposers-1-kind": "member",
        "recommendations-TOTAL_FORMS": "2",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-0-title": "按客流数据调整公共自行车站点",
        "recommendations-0-body": "依据骑行数据每年调整一次。",
        "recommendations-1-title": "推动公共自行车与公交站点接驳",
        "recommendations-1-body": "",
        # As the edit page sends it back: the version it was loaded at (ignored when logging).
        "version": "1",
    }
    data.update(overrides)
    return data


def assign_data(world, **overrides) -> dict:
    data = {
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "0",
        "assignments-0-agency": str(world.lead.pk),
        "assignments-0-role": "lead",
        "assignments-0-assigned_on": "2023-03-01",
        "assignments-0-due_on": "",
        "assignments-1-agency": str(world.co.pk),
        "assignments-1-role": "co",
        "assignments-1-assigned_on": "2023-03-01",
        "assignments-1-due_on": "",
    }
    data.update(overrides)
    return data


def write_cases(world):
    """Each write view: (name, URL, POST data, check that it did its work)."""
    submitted = world.proposal()
    for_edit = world.proposal()
    for_convert = world.proposal()
    for_withdraw = world.proposal()
    registered = proposal_in_state(world, Proposal.State.REGISTERED)
    assigned = world.assigned()
    due_assignment = assigned.assignments.get(role="lead")
    removable = world.assigned().assignments.get(role="co")
    third = AgencyFactory(code="third", short_name="市第三局")
    replied = proposal_in_state(world, Proposal.State.REPLIED)
    to_close = proposal_in_state(world, Proposal.State.REPLIED)
    record_feedback(world, to_close, satisfied=True)
    to_reopen = proposal_in_state(world, Proposal.State.REPLIED)
    record_feedback(world, to_reopen, satisfied=False)

    def state(proposal):
        return Proposal.objects.get(pk=proposal.pk).state

    return [
        ("create", reverse("proposals:create"), proposal_form_data(),
         lambda: Proposal.objects.filter(title="关于优化城市公共自行车站点布局的建议").exists()),
        ("edit", reverse("proposals:edit", args=[for_edit.pk]),
         proposal_form_data(title="关于修改后的案由的建议"),
         lambda: Proposal.objects.get(pk=for_edit.pk).title == "关于修改后的案由的建议"),
        ("register", reverse("proposals:register", args=[submitted.pk]), {"reason": ""},
         lambda: state(submitted) == Proposal.State.REGISTERED),
        ("convert", reverse("proposals:convert", args=[for_convert.pk]), {"reason": "属于工作建议"},
         lambda: state(for_convert) == Proposal.State.CONVERTED),
        ("withdraw", reverse("proposals:withdraw", args=[for_withdraw.pk]), {"reason": "提案者申请撤回"},
         lambda: state(for_withdraw) == Proposal.State.WITHDRAWN),
        ("assign", reverse("proposals:assign", args=[registered.pk]), assign_data(world),
         lambda: state(registered) == Proposal.State.ASSIGNED),
        ("assignment_add", reverse("proposals:assignment_add", args=[assigned.pk]),
         {"agency": str(third.pk), "role": "co", "assigned_on": "2023-03-05", "due_on": "",
          "reason": "涉及第三局职责"},
         lambda: assigned.assignments.filter(agency=third).exists()),
        ("assignment_due", reverse("proposals:assignment_due", args=[due_assignment.pk]),
         {"due_on": "2023-09-01", "reason": "承办单位申请延期", "version": "1"},
         lambda: Assignment.objects.get(pk=due_assignment.pk).due_on == datetime.date(2023, 9, 1)),
        ("assignment_remove", reverse("proposals:assignment_remove", args=[removable.pk]),
         {"reason": "交办单位有误"},
         lambda: not Assignment.objects.filter(pk=removable.pk).exists()),
        ("feedback", reverse("proposals:feedback", args=[replied.pk]),
         {"handling": "satisfied", "result": "basically_satisfied", "received_on": "2023-08-01",
          "comment": "办理认真。", "recorded": "0"},
         lambda: replied.feedback.filter(result="basically_satisfied").exists()),
        ("close", reverse("proposals:close", args=[to_close.pk]), {"reason": ""},
         lambda: state(to_close) == Proposal.State.CLOSED),
        ("reopen", reverse("proposals:reopen", args=[to_reopen.pk]), {"reason": ""},
         lambda: state(to_reopen) == Proposal.State.REOPENED),
    ]


@pytest.mark.django_db
class TestPermissions:
    def test_each_write_works_for_liaison(self, client, world):
        client.force_login(world.liaison)
        for name, url, data, done in write_cases(world):
            assert not done(), name
            response = client.post(url, data)
            assert response.status_code == 302, (name, text(response)[:2000])
            assert done(), name
            follow = client.get(response["Location"])
            assert follow.status_code == 200, name
            assert "message--success" in html(follow) or "message--warning" in html(follow), name

    @pytest.mark.parametrize("who", ["lead_officer", "lead_approver", "co_officer", "office"])
    def test_each_write_is_refused_to_others(self, client, world, who):
        client.force_login(getattr(world, who))
        for name, url, data, done in write_cases(world):
            for response in (client.get(url), client.post(url, data)):
                assert response.status_code == 403, (name, response.status_code)
                assert "只有提案委工作人员可以进行此操作。" in text(response), name
            assert not done(), name
        for url in (reverse("proposals:rows"), reverse("proposals:split")):
            assert client.post(url, {"op": "proposers:add"}).status_code == 403

    def test_anonymous_users_are_sent_to_login(self, client, world):
        proposal = world.assigned()
        urls = [case[1] for case in write_cases(world)] + [
            reverse("proposals:list"),
            reverse("proposals:detail", args=[proposal.pk]),
            reverse("proposals:rows"),
            reverse("proposals:split"),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(login_url()), url
            assert client.post(url, {}).status_code == 302, url

    def test_service_refusal_of_permission_is_a_403_page(self, client, world, monkeypatch):
        """A PermissionDenied raised by a service shows the site's 403 page, never a 500."""
        from django.core.exceptions import PermissionDenied

        def refuse(**kwargs):
            raise PermissionDenied("只有提案委工作人员可以进行此操作。")

        from proposals.views import review as views

        monkeypatch.setitem(views.REASON_MOVES, "register", (refuse, *views.REASON_MOVES["register"][1:]))
        proposal = world.proposal()
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:register", args=[proposal.pk]), {"reason": ""})
        assert response.status_code == 403
        assert "只有提案委工作人员可以进行此操作。" in text(response)

    def test_agency_users_see_only_their_agency_proposals(self, client, world, outsider):
        mine = world.assigned(title="关于主办单位看得到的提案的建议")
        other_agency = AgencyFactory(code="other", short_name="市其他局")
        not_mine = assign_future(world, world.proposal(title="关于别的单位办理的提案的建议"),
                                 lead=other_agency, co=False)
        unassigned = world.proposal(title="关于尚未交办的提案的建议")
        client.force_login(world.lead_officer)
        page = text(client.get(reverse("proposals:list")))
        assert "关于主办单位看得到的提案的建议" in page
        assert "关于别的单位办理的提案的建议" not in page
        assert "关于尚未交办的提案的建议" not in page
        assert "共 1 件提案" in page
        assert client.get(reverse("proposals:detail", args=[mine.pk])).status_code == 200
        for proposal in (not_mine, unassigned):
            response = client.get(reverse("proposals:detail", args=[proposal.pk]))
            assert response.status_code == 404
        # A co-handler sees the proposal too; an agency with nothing assigned sees nothing.
        client.force_login(world.co_approver)
        assert client.get(reverse("proposals:detail", args=[mine.pk])).status_code == 200
        client.force_login(outsider)
        assert "共 0 件提案" in text(client.get(reverse("proposals:list")))
        assert client.get(reverse("proposals:detail", args=[mine.pk])).status_code == 404
        assert client.get(reverse("proposals:detail", args=[999999])).status_code == 404

    def test_liaison_sees_every_proposal_and_404_for_none(self, client, world):
        client.force_login(world.liaison)
        assert client.get(reverse("proposals:detail", args=[999999])).status_code == 404
        assert client.get(reverse("proposals:edit", args=[999999])).status_code == 404
        assert client.get(reverse("proposals:assignment_due", args=[999999])).status_code == 404

    def test_superuser_counts_as_liaison(self, client, world):
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        proposal = world.proposal()
        client.force_login(root)
        response = client.post(reverse("proposals:register", args=[proposal.pk]), {"reason": ""})
        assert response.status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.REGISTERED


# ---------------------------------------------------------------- logging a proposal


@pytest.mark.django_db
class TestLogging:
    def test_create_allocates_a_number_and_saves_rows_in_order(self, client, world):
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:create"), proposal_form_data())
        proposal = Proposal.objects.get(title="关于优化城市公共自行车站点布局的建议")
        assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
        assert proposal.number == "132001"
        assert proposal.state == Proposal.State.SUBMITTED
        assert proposal.submitted_on == datetime.date(2023, 1, 10)
        assert proposal.category.name == "生态文明建设"
        signatures = list(proposal.signatures.order_by("position"))
        assert [(s.proposer.name, s.role) for s in signatures] == [
            ("九三学社测试市委会", "lead"), ("李某某", "co-signer")
        ]
        assert [(r.ordinal, r.title, r.body) for r in proposal.recommendations.all()] == [
            (1, "按客流数据调整公共自行车站点", "依据骑行数据每年调整一次。"),
            (2, "推动公共自行车与公交站点接驳", ""),
        ]
        follow = client.get(response["Location"])
        assert "已登记第132001号提案。" in text(follow)

    def test_create_with_a_typed_number_and_blank_rows_ignored(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(**{
            "number": "132020",
            "proposers-TOTAL_FORMS": "3", "proposers-2-name": "", "proposers-2-kind": "member",
            "recommendations-TOTAL_FORMS": "3", "recommendations-2-title": "", "recommendations-2-body": "",
        })
        assert client.post(reverse("proposals:create"), data).status_code == 302
        proposal = Proposal.objects.get(number="132020")
        assert proposal.signatures.count() == 2
        assert proposal.recommendations.count() == 2

    def test_edit_changes_text_and_rows(self, client, world):
        proposal = world.proposal(recommendations=3)
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:edit", args=[proposal.pk]))
        assert "第3条建议的标题" in html(response)
        assert 'value="民建测试市委会"' in html(response)
        data = proposal_form_data(**{
            "title": "关于新的案由的建议",
            "recommendations-0-title": "调整后的第一条",
            "recommendations-1-title": "调整后的第二条",
        })
        assert client.post(reverse("proposals:edit", args=[proposal.pk]), data).status_code == 302
        proposal.refresh_from_db()
        assert proposal.title == "关于新的案由的建议"
        assert proposal.number != "" and proposal.session.code == "13-2"
        assert list(proposal.recommendations.values_list("title", flat=True)) == ["调整后的第一条", "调整后的第二条"]
        assert proposal.history.filter(action="update").exists()

    def test_edit_ignores_a_posted_session_or_number(self, client, world):
        proposal = world.proposal()
        other = SessionFactory(code="13-3", meeting=3, year=2024, name="市政协十三届三次会议")
        client.force_login(world.liaison)
        data = proposal_form_data(session=str(other.pk), number="133999")
        assert client.post(reverse("proposals:edit", args=[proposal.pk]), data).status_code == 302
        proposal.refresh_from_db()
        assert proposal.session.code == "13-2" and proposal.number == "132001"

    def test_edit_refused_once_assigned_keeps_what_was_typed(self, client, world):
        proposal = world.assigned()
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:edit", args=[proposal.pk]))
        assert "只有待审查或已立案的提案可以修改内容" in text(response)
        data = proposal_form_data(title="关于改不了的案由的建议")
        response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)
        assert response.status_code == 200
        assert "只有待审查或已立案的提案可以修改内容" in text(response)
        assert 'value="关于改不了的案由的建议"' in html(response)
        assert Proposal.objects.get(pk=proposal.pk).title != "关于改不了的案由的建议"


@pytest.mark.django_db
class TestBadInput:
    def test_title_too_long_keeps_everything_typed(self, client, world):
        client.force_login(world.liaison)
        long_title = "关于" + "很长的案由" * 50 + "的建议"
        response = client.post(reverse("proposals:create"), proposal_form_data(title=long_title))
        assert response.status_code == 200
        assert "最多200个字，现在是255个字。" in text(response)
        body = html(response)
        assert long_title in body
        assert "我市公共自行车站点布局已不适应出行需求。" in body
        assert 'value="九三学社测试市委会"' in body
        assert 'value="按客流数据调整公共自行车站点"' in body
        assert "依据骑行数据每年调整一次。" in body
        assert not Proposal.objects.exists()

    def test_body_over_fifty_thousand_characters_is_refused(self, client, world):
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:create"), proposal_form_data(body="字" * 50_001))
        assert response.status_code == 200
        assert "最多50000个字，现在是50001个字。" in text(response)
        assert not Proposal.objects.exists()
        response = client.post(reverse("proposals:split"), {"body": "字" * 50_001})
        assert "超过50,000字" in text(response)

    def test_recommendation_body_without_title(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(**{"recommendations-1-title": "", "recommendations-1-body": "只有内容。"})
        response = client.post(reverse("proposals:create"), data)
        assert response.status_code == 200
        assert "请填写这条建议的标题。" in text(response)
        assert "只有内容。" in html(response)

    def test_no_lead_proposer(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(**{"proposers-0-name": "", "proposers-1-name": ""})
        response = client.post(reverse("proposals:create"), data)
        assert response.status_code == 200
        assert "请填写领衔提案者。" in text(response)

    def test_service_refusal_number_taken(self, client, world):
        world.proposal(number="132020")
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:create"), proposal_form_data(number="132020"))
        assert response.status_code == 200
        assert "提案号 132020 在本委员会已被使用。" in text(response)
        assert 'value="关于优化城市公共自行车站点布局的建议"' in html(response)
        assert Proposal.objects.count() == 1

    def test_service_refusal_duplicate_proposer(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(**{"proposers-1-name": "九三学社测试市委会", "proposers-1-kind": "party"})
        response = client.post(reverse("proposals:create"), data)
        assert response.status_code == 200
        assert "提案者“九三学社测试市委会”重复。" in text(response)
        assert not Proposal.objects.exists()

    def test_malformed_number_and_date(self, client, world):
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:create"),
                               proposal_form_data(number="13-20", submitted_on="2023-02-30"))
        assert response.status_code == 200
        assert "提案号只能由数字组成" in text(response)
        assert "输入一个有效的日期。" in text(response)

    def test_reason_required(self, client, world):
        proposal = world.proposal()
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:withdraw", args=[proposal.pk]), {"reason": "  "})
        assert response.status_code == 200
        assert "这个字段是必填项。" in text(response)
        assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.SUBMITTED

    def test_reason_too_long_is_kept(self, client, world):
        proposal = world.proposal()
        client.force_login(world.liaison)
        reason = "理由" * 1001
        response = client.post(reverse("proposals:convert", args=[proposal.pk]), {"reason": reason})
        assert response.status_code == 200
        assert "最多2000个字，现在是2002个字。" in text(response)
        assert reason in html(response)

    def test_illegal_move_shows_the_service_message(self, client, world):
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:convert", args=[proposal.pk]), {"reason": "晚了一步"})
        assert response.status_code == 200
        assert "不能转为意见建议：该提案当前状态为“已立案”" in text(response)
        assert "晚了一步" in html(response)

    def test_register_without_recommendations(self, client, world):
        proposal = world.proposal(recommendations=0)
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:register", args=[proposal.pk]), {"reason": ""})
        assert response.status_code == 200
        assert "提案至少要有一条建议才能立案。" in text(response)

    def test_assign_refusal_keeps_the_rows(self, client, world):
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        data = assign_data(world, **{"assignments-0-role": "co"})
        response = client.post(reverse("proposals:assign", args=[proposal.pk]), data)
        assert response.status_code == 200
        assert "有会办单位时必须指定主办单位。" in text(response)
        body = html(response)
        assert f'<option value="{world.lead.pk}" selected>' in body
        assert 'value="2023-03-01"' in body
        assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.REGISTERED

    def test_assign_form_errors(self, client, world):
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        url = reverse("proposals:assign", args=[proposal.pk])
        data = assign_data(world, **{"assignments-1-agency": str(world.lead.pk)})
        assert "同一单位不能重复交办。" in text(client.post(url, data))
        data = assign_data(world, **{"assignments-0-due_on": "2023-02-01"})
        assert "办理期限不能早于交办日期。" in text(client.post(url, data))
        data = assign_data(world, **{"assignments-0-agency": "", "assignments-1-agency": ""})
        assert "请至少指定一个承办单位。" in text(client.post(url, data))

    def test_change_due_before_assigned_is_refused(self, client, world):
        assignment = world.assigned().assignments.get(role="lead")
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:assignment_due", args=[assignment.pk]),
                               {"due_on": "2023-01-01", "reason": "改错了", "version": "1"})
        assert response.status_code == 200
        assert "早于交办日期" in text(response)
        assert "改错了" in html(response)

    def test_remove_the_only_lead_is_refused(self, client, world):
        assignment = world.assigned().assignments.get(role="lead")
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:assignment_remove", args=[assignment.pk]),
                               {"reason": "误操作"})
        assert response.status_code == 200
        assert "有会办单位时必须指定主办单位。" in text(response)
        assert Assignment.objects.filter(pk=assignment.pk).exists()

    def test_feedback_in_the_future_and_before_reply(self, client, world):
        client.force_login(world.liaison)
        replied = proposal_in_state(world, Proposal.State.REPLIED)
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        response = client.post(reverse("proposals:feedback", args=[replied.pk]),
                               {"handling": "satisfied", "result": "satisfied", "received_on": tomorrow,
                                "comment": "很好。", "recorded": "0"})
        assert "收到日期不能晚于今天。" in text(response)
        assert "很好。" in html(response)
        assigned = world.assigned()
        response = client.post(reverse("proposals:feedback", args=[assigned.pk]),
                               {"handling": "satisfied", "result": "satisfied", "received_on": "2023-08-01",
                                "recorded": "0"})
        assert "只有已答复的提案可以登记反馈。" in text(response)

    def test_close_over_dissatisfied_needs_a_reason(self, client, world):
        proposal = proposal_in_state(world, Proposal.State.REPLIED)
        record_feedback(world, proposal, satisfied=False)
        client.force_login(world.liaison)
        url = reverse("proposals:close", args=[proposal.pk])
        response = client.post(url, {"reason": ""})
        assert response.status_code == 200
        assert "提案者表示不满意，办结需要填写理由。" in text(response)
        assert client.post(url, {"reason": "经沟通，提案者理解有关情况。"}).status_code == 302
        assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.CLOSED


# ---------------------------------------------------------------- assignment defaults


@pytest.mark.django_db
class TestAssignment:
    def test_blank_deadlines_follow_the_session_rules(self, client, world):
        Session.objects.filter(pk=world.session.pk).update(
            lead_due_amount=60, lead_due_unit="calendar_days", co_due_amount=20, co_due_unit="calendar_days"
        )
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        third = AgencyFactory(code="third", short_name="市第三局")
        client.force_login(world.liaison)
        data = assign_data(world, **{
            "assignments-TOTAL_FORMS": "3",
            "assignments-2-agency": str(third.pk), "assignments-2-role": "separate",
            "assignments-2-assigned_on": "", "assignments-2-due_on": "",
        })
        assert client.post(reverse("proposals:assign", args=[proposal.pk]), data).status_code == 302
        dues = {a.agency.code: (a.assigned_on, a.due_on) for a in proposal.assignments.all()}
        assert dues["lead"] == (datetime.date(2023, 3, 1), datetime.date(2023, 4, 30))
        assert dues["co"] == (datetime.date(2023, 3, 1), datetime.date(2023, 3, 21))
        assert dues["third"] == (TODAY, TODAY + datetime.timedelta(days=60))

    def test_typed_deadline_wins(self, client, world):
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        data = assign_data(world, **{"assignments-0-due_on": "2023-05-15"})
        client.post(reverse("proposals:assign", args=[proposal.pk]), data)
        assert proposal.assignments.get(role="lead").due_on == datetime.date(2023, 5, 15)
        assert proposal.assignments.get(role="co").due_on == datetime.date(2023, 4, 1)  # 1 month

    def test_session_default_days(self, world):
        session = Session.objects.get(pk=world.session.pk)
        assert session.period("lead") == (3, "calendar_months")
        assert session.period("co") == (1, "calendar_months")
        assert session.period("feedback") == (1, "calendar_months")
        assert session.period("rehandling") == (1, "calendar_months")
        assert session.due_soon_days == 7
        assert str(Session._meta.get_field("lead_due_amount").verbose_name) == "主办、分办单位答复期限"
        assert str(Session._meta.get_field("co_due_amount").verbose_name) == "会办单位答复期限"

    def test_add_agency_with_default_deadline(self, client, world):
        proposal = world.assigned()
        third = AgencyFactory(code="third", short_name="市第三局")
        client.force_login(world.liaison)
        form = client.get(reverse("proposals:assignment_add", args=[proposal.pk]))
        assert f'<option value="{third.pk}">' in html(form)
        assert f'<option value="{world.lead.pk}">' not in html(form)  # already assigned
        client.post(reverse("proposals:assignment_add", args=[proposal.pk]), {
            "agency": str(third.pk), "role": "co", "assigned_on": "2023-03-10", "due_on": "",
            "reason": "涉及第三局职责",
        })
        added = proposal.assignments.get(agency=third)
        assert added.due_on == datetime.date(2023, 4, 10)  # 1 month after 3月10日
        change = proposal.history.get(action="add_assignment")
        assert change.reason == "涉及第三局职责"

    def test_change_due_is_in_the_history(self, client, world):
        proposal = world.assigned()
        assignment = proposal.assignments.get(role="lead")
        client.force_login(world.liaison)
        client.post(reverse("proposals:assignment_due", args=[assignment.pk]),
                    {"due_on": "2023-09-01", "reason": "承办单位申请延期", "version": "1"})
        page = text(client.get(reverse("proposals:detail", args=[proposal.pk])))
        assert "调整期限" in page
        assert "市工商联：2023年6月1日 → 2023年9月1日" in page
        assert "承办单位申请延期" in page


# ---------------------------------------------------------------- rows and splitting


PASTED = """关于优化城市公共自行车站点布局的建议
我市公共自行车系统运行十年。
为此，建议：
一、按客流数据调整公共自行车站点。每年调整一次。
二、推动公共自行车与公交站点接驳。
"""


@pytest.mark.django_db
class TestRowsAndSplitting:
    def test_split_endpoint_proposes_rows(self, client, world):
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:split"), {
            "body": PASTED, "recommendations-TOTAL_FORMS": "1",
            "recommendations-0-title": "", "recommendations-0-body": "",
        }, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = html(response)
        assert body.lstrip().startswith("<section id=\"recommendations\"")
        assert "已从全文中识别出2条建议" in text(response)
        assert 'value="按客流数据调整公共自行车站点"' in body
        assert "每年调整一次。" in body
        assert 'name="recommendations-TOTAL_FORMS" value="2"' in body

    def test_paste_keeps_rows_already_filled_and_offers_replacing(self, client, world):
        client.force_login(world.liaison)
        data = {"body": PASTED, "mode": "paste", "recommendations-TOTAL_FORMS": "1",
                "recommendations-0-title": "我自己填的建议", "recommendations-0-body": ""}
        response = client.post(reverse("proposals:split"), data)
        assert 'value="我自己填的建议"' in html(response)
        assert "用识别结果替换" in text(response)
        data.pop("mode")
        response = client.post(reverse("proposals:split"), data)
        assert 'value="我自己填的建议"' not in html(response)
        assert 'value="推动公共自行车与公交站点接驳"' in html(response)

    def test_paste_without_numbering_changes_nothing(self, client, world):
        client.force_login(world.liaison)
        data = {"body": "没有编号的一段话。", "recommendations-TOTAL_FORMS": "1",
                "recommendations-0-title": "原有", "recommendations-0-body": ""}
        response = client.post(reverse("proposals:split"), {**data, "mode": "paste"})
        assert 'value="原有"' in html(response)
        assert "没有在提案内容中找到编号" not in text(response)
        response = client.post(reverse("proposals:split"), data)
        assert "没有在提案内容中找到编号" in text(response)

    def test_rows_endpoint_adds_removes_and_moves(self, client, world):
        client.force_login(world.liaison)
        rows = {"recommendations-TOTAL_FORMS": "3",
                "recommendations-0-title": "甲", "recommendations-0-body": "甲的内容",
                "recommendations-1-title": "乙", "recommendations-1-body": "",
                "recommendations-2-title": "丙", "recommendations-2-body": ""}

        def titles(response):
            return re.findall(r'name="recommendations-\d+-title"[^>]*value="([^"]*)"', html(response))

        url = reverse("proposals:rows")
        assert titles(client.post(url, {**rows, "op": "recommendations:up:1"})) == ["乙", "甲", "丙"]
        assert titles(client.post(url, {**rows, "op": "recommendations:down:1"})) == ["甲", "丙", "乙"]
        assert titles(client.post(url, {**rows, "op": "recommendations:remove:0"})) == ["乙", "丙"]
        added = client.post(url, {**rows, "op": "recommendations:add"})
        assert 'name="recommendations-TOTAL_FORMS" value="4"' in html(added)
        assert "甲的内容" in html(added)
        proposers = client.post(url, {"proposers-TOTAL_FORMS": "1", "proposers-0-name": "张三",
                                      "proposers-0-kind": "member", "op": "proposers:add"})
        assert html(proposers).lstrip().startswith('<fieldset id="proposers"')
        assert 'name="proposers-TOTAL_FORMS" value="2"' in html(proposers)
        assert client.post(url, {"op": "nonsense"}).status_code == 400
        # A forged row count is capped.
        many = client.post(url, {"recommendations-TOTAL_FORMS": "100000", "op": "recommendations:add"})
        assert 'name="recommendations-TOTAL_FORMS" value="99"' in html(many)

    def test_row_edits_without_javascript_keep_the_whole_form(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(op="recommendations:remove:0")
        response = client.post(reverse("proposals:create"), data)
        assert response.status_code == 200
        body = html(response)
        assert 'value="关于优化城市公共自行车站点布局的建议"' in body
        assert 'value="按客流数据调整公共自行车站点"' not in body
        assert 'value="推动公共自行车与公交站点接驳"' in body
        assert "errorlist" not in body and "field__error" not in body
        assert not Proposal.objects.exists()
        response = client.post(reverse("proposals:create"), proposal_form_data(op="recommendations:split",
                                                                              body=PASTED))
        assert 'value="按客流数据调整公共自行车站点"' in html(response)
        assert "已从全文中识别出2条建议" in text(response)

    def test_split_then_save(self, client, world):
        client.force_login(world.liaison)
        data = proposal_form_data(**{
            "body": PASTED,
            "recommendations-0-title": "按客流数据调整公共自行车站点",
            "recommendations-0-body": "每年调整一次。",
        })
        client.post(reverse("proposals:create"), data)
        proposal = Proposal.objects.get()
        assert Recommendation.objects.filter(proposal=proposal).count() == 2
        assert proposal.body == PASTED.strip()


# ---------------------------------------------------------------- filters, search, sorting, pages


@pytest.fixture
def catalogue(world):
    """Proposals in several states, categories, agencies and classes."""
    social = Category.objects.get(name="社会建设")
    economy = Category.objects.get(name="经济建设")
    other_agency = AgencyFactory(code="other", short_name="市其他局")
    items = {}
    items["lift"] = world.proposal(title="关于加快推进老旧小区加装电梯工作的建议", category=social,
                                   proposers=[{"name": "梁嘉欣", "kind": "member"}], number="132001")
    items["bikes"] = world.proposal(title="关于优化城市公共自行车站点布局的建议", category=economy,
                                    number="132002", is_key=True,
                                    proposers=[{"name": "九三学社测试市委会", "kind": "party"},
                                               {"name": "陈伟明", "kind": "member", "role": "co-signer"}])
    items["overdue"] = world.assigned(title="关于逾期未答复的提案的建议", number="132003")
    items["future"] = assign_future(world, world.proposal(title="关于期限未到的提案的建议",
                                                          number="132004"))
    items["other"] = assign_future(world, world.proposal(title="关于其他单位主办的提案的建议",
                                                         number="132005"), lead=other_agency, co=False)
    items["class_a"], _letter = world.signed_letter(world.assigned(title="关于已答复A类的建议",
                                                                   number="132006"))
    proposal_b = world.assigned(title="关于已答复B类的建议", number="132007")
    for recommendation in proposal_b.recommendations.all():
        world.approved_section(recommendation, world.lead, adoption="planned")
    letter = rs.letter_create(proposal=proposal_b, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 8))
    proposal_b.refresh_from_db()
    items["class_b"] = proposal_b
    items["other_agency"] = other_agency
    return items


def listed(client, **params) -> list[str]:
    response = client.get(reverse("proposals:list"), params)
    assert response.status_code == 200
    return re.findall(r'<td class="nowrap"><a href="/proposals/\d+/">(\d+)</a></td>', html(response))


@pytest.mark.django_db
class TestListFilters:
    def test_filters_narrow_the_list(self, client, world, catalogue):
        client.force_login(world.liaison)
        everything = ["132001", "132002", "132003", "132004", "132005", "132006", "132007"]
        assert listed(client) == everything
        assert listed(client, state="submitted") == ["132001", "132002"]
        assert listed(client, state="replied") == ["132006", "132007"]
        assert listed(client, category=Category.objects.get(name="社会建设").pk) == ["132001"]
        assert listed(client, agency=catalogue["other_agency"].pk) == ["132005"]
        assert listed(client, agency=world.co.pk) == ["132003", "132004", "132006", "132007"]
        assert listed(client, proposer="嘉欣") == ["132001"]
        assert listed(client, proposer="陈伟明") == ["132002"]  # a co-signer counts
        assert listed(client, letter_class="A") == ["132006"]
        assert listed(client, letter_class="B") == ["132007"]
        assert listed(client, is_key="1") == ["132002"]
        assert "132002" not in listed(client, is_key="0")
        assert listed(client, overdue="1") == ["132003"]
        assert "132003" not in listed(client, overdue="0")
        assert listed(client, session=world.session.pk) == everything
        other_session = SessionFactory(code="13-3", meeting=3, year=2024, name="市政协十三届三次会议")
        assert listed(client, session=other_session.pk) == []
        assert listed(client, state="assigned", agency=world.co.pk) == ["132003", "132004"]

    def test_search_by_number_or_words_of_the_title(self, client, world, catalogue):
        client.force_login(world.liaison)
        assert listed(client, q="132004") == ["132004"]
        assert listed(client, q="自行车") == ["132002"]
        assert listed(client, q="已答复 B类") == ["132007"]
        assert listed(client, q="不存在的词") == []
        response = client.get(reverse("proposals:list"), {"q": "不存在的词"})
        assert "共 0 件提案" in text(response)
        assert "没有符合条件的提案。" in text(response)

    def test_sorting(self, client, world, catalogue):
        client.force_login(world.liaison)
        Proposal.objects.update(submitted_on=datetime.date(2023, 1, 10))
        Proposal.objects.filter(number="132001").update(submitted_on=datetime.date(2023, 1, 20))
        assert listed(client, sort="-number")[0] == "132007"
        assert listed(client, sort="-submitted")[0] == "132001"
        by_state = listed(client, sort="state")
        assert by_state[:2] == ["132001", "132002"]  # 待审查 first
        assert by_state[-2:] == ["132006", "132007"]  # then on to 已答复
        by_due = listed(client, sort="due")
        assert by_due[0] in ("132003", "132006", "132007")  # the 2023 deadlines first
        assert by_due[-2:] == ["132001", "132002"]  # no deadline: last
        response = client.get(reverse("proposals:list"), {"sort": "number"})
        assert "sort=-number" in html(response)  # the column header reverses it

    def test_bad_filter_values_show_an_error_not_a_crash(self, client, world, catalogue):
        client.force_login(world.liaison)
        response = client.get(reverse("proposals:list"), {"session": "abc", "state": "nonsense",
                                                          "q": "词" * 101, "sort": "drop table"})
        assert response.status_code == 200
        assert "选择一个有效的选项" in text(response)
        assert "不超过 100 字符" in text(response)

    def test_pagination_25_per_page(self, client, world):
        for n in range(1, 31):
            world.proposal(number=f"132{n:03d}", recommendations=1)
        client.force_login(world.liaison)
        first = client.get(reverse("proposals:list"))
        assert "共 30 件提案" in text(first)
        assert len(listed(client)) == 25
        assert "第 1 / 2 页" in text(first)
        assert listed(client, page=2) == [f"132{n:03d}" for n in range(26, 31)]
        assert listed(client, page=99) == [f"132{n:03d}" for n in range(26, 31)]
        second = client.get(reverse("proposals:list"), {"page": 2, "state": "submitted"})
        assert "state=submitted&amp;page=1" in html(second)

    def test_list_shows_dates_and_deadlines(self, client, world, catalogue):
        client.force_login(world.liaison)
        page = text(client.get(reverse("proposals:list")))
        assert "有单位逾期" in page
        assert "剩余60天" in page
        assert "A类" in page and "B类" in page
        assert "重点" in page
        assert "等1人附议" in page


# ---------------------------------------------------------------- query counts


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_rich_proposals(world, n: int) -> list[Proposal]:
    """``n`` proposals with sections, letters and feedback, so every relation has rows."""
    made = []
    for _ in range(n):
        proposal = world.assigned(recommendations=3)
        section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.co,
                                    actor=world.co_officer, adoption="adopted", body="会办意见。")
        rs.section_submit(section=section, actor=world.co_officer)
        rs.section_approve(section=section, actor=world.co_approver)
        proposal, _letter = world.signed_letter(proposal)
        record_feedback(world, proposal, satisfied=False)
        made.append(proposal)
    return made


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("who", ["liaison", "lead_officer"])
    def test_list_does_not_grow_with_rows(self, client, world, who):
        client.force_login(getattr(world, who))
        add_rich_proposals(world, 3)
        urls = [
            reverse("proposals:list"),
            reverse("proposals:list") + f"?overdue=0&letter_class=A&agency={world.lead.pk}&q=建议&sort=due",
        ]
        few = [count_queries(client, url) for url in urls]
        add_rich_proposals(world, 12)
        many = [count_queries(client, url) for url in urls]
        assert few == many

    @pytest.mark.parametrize("who", ["liaison", "co_officer"])
    def test_detail_does_not_grow_with_rows(self, client, world, who):
        client.force_login(getattr(world, who))
        small = world.proposal(recommendations=1)
        first = count_queries(client, reverse("proposals:detail", args=[small.pk])) if who == "liaison" else None
        proposals = add_rich_proposals(world, 3)
        few = count_queries(client, reverse("proposals:detail", args=[proposals[0].pk]))
        more = add_rich_proposals(world, 12)
        # A bigger proposal: more recommendations, sections, history and a second round.
        big = more[-1]
        ps.proposal_reopen(proposal=big, actor=world.liaison)
        many = count_queries(client, reverse("proposals:detail", args=[big.pk]))
        assert few == many
        if first is not None:
            # The page of a proposal under review, with its similar proposals: as many
            # queries once fifteen more proposals (all similar to it) are there.
            assert count_queries(client, reverse("proposals:detail", args=[small.pk])) == first
