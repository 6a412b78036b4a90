"""The proposer side: accounts, writing and co-signing online, following the handling,
rating, and the fence that keeps proposer accounts off the offices' pages."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.workflow import DomainError
from demo.materials import survey_pdf
from members import services as members
from members.models import Invitation, OnlineProposal, ProposerAccount
from notifications.models import Notification
from proposals import services as ps
from proposals.models import Contact, Feedback, Proposal, ProposalAttachment, Signature
from proposals.ratings import dissatisfied, dissatisfied_proposals, latest_ratings
from replies import services as rs

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def side(world):
    """The world's session open for online submission today, with a long feedback period;
    two members and a party committee with accounts."""
    session = world.session
    session.submission_opens_on = TODAY - datetime.timedelta(days=5)
    session.submission_closes_on = TODAY + datetime.timedelta(days=5)
    session.feedback_due_amount, session.feedback_due_unit = 120, "calendar_months"
    session.save()
    world.accounts = {
        key: members.account_create(username=key, name=name, kind=kind, mobile=mobile, password="pass-2023-x",
                                    actor=world.liaison)
        for key, name, kind, mobile in (("m1", "张委员", "member", "13800000011"),
                                        ("m2", "李委员", "member", "13800000012"),
                                        ("party", "民盟测试市委会", "party", ""))
    }
    return world


def proposer(world, key):
    return world.accounts[key].proposer


def draft(world, key="m1", **kwargs):
    values = {"title": "关于推进社区嵌入式养老服务设施建设的建议", "body": "老年人就近养老需求大。",
              "recommendations": members.recommendations_from("一、纳入配套标准\n新建小区同步配建。\n二、盘活闲置用房"),
              "cosign_deadline": TODAY + datetime.timedelta(days=3)}
    values.update(kwargs)
    return members.online_save(proposer=proposer(world, key), session=world.session,
                               actor=world.accounts[key].user, **values)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- accounts


def test_liaison_staff_open_accounts_and_only_they_may(side):
    account = members.account_create(username="wang", name="王委员", sector="教育界", mobile="13900000000",
                                     password="pass-2023-x", actor=side.liaison)
    assert account.proposer.kind == "member" and not account.user.is_staff
    with pytest.raises(DomainError, match="已被使用"):
        members.account_create(username="WANG", name="另一位", password="x" * 8, actor=side.liaison)
    with pytest.raises(DomainError, match="已有账号"):
        members.account_create(username="wang2", name="王委员", password="x" * 8, actor=side.liaison)
    with pytest.raises(DomainError, match="手机号码"):
        members.account_create(username="bad", name="赵委员", mobile="12345", password="x" * 8, actor=side.liaison)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        members.account_create(username="x", name="某委员", actor=side.lead_officer)
    # an organisation may have several people acting for it
    members.account_create(username="party2", name="民盟测试市委会", kind="party", password="x" * 8,
                           actor=side.liaison)
    assert proposer(side, "party").accounts.count() == 2


def test_a_disabled_account_cannot_sign_in(side):
    account = side.accounts["m1"]
    assert Client().login(username="m1", password="pass-2023-x")
    members.account_set_active(account=account, active=False, actor=side.liaison)
    assert not Client().login(username="m1", password="pass-2023-x")


def _sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_accounts_are_imported_from_excel_all_or_nothing(side):
    client = client_for(side.liaison)
    data = _sheet([["姓名", "界别", "手机", "电子邮箱"], ["陈委员", "经济界", "13700000001", "chen@example.org"],
                   ["林委员", "医药卫生界", "13700000002", ""]])
    response = client.post(reverse("members:accounts_import"), {
        "import-file": SimpleUploadedFile("委员.xlsx", data), "import-password": "start-2023-x"}, follow=True)
    assert "已导入2个账号" in response.content.decode()
    chen = ProposerAccount.objects.get(proposer__name="陈委员")
    assert (chen.user.username, chen.sector, chen.user.email) == ("13700000001", "经济界", "chen@example.org")
    assert Client().login(username="13700000001", password="start-2023-x")
    # the same file again: refused at its first line, nobody created twice
    again = client.post(reverse("members:accounts_import"), {
        "import-file": SimpleUploadedFile("委员.xlsx", data), "import-password": "start-2023-x"}, follow=True)
    assert "第2行" in again.content.decode() and "没有开通任何账号" in again.content.decode()
    assert ProposerAccount.objects.filter(proposer__name__in=["陈委员", "林委员"]).count() == 2
    bad = client.post(reverse("members:accounts_import"), {
        "import-file": SimpleUploadedFile("x.xlsx", b"not a workbook"), "import-password": "start-2023-x"},
        follow=True)
    assert "无法读取该文件" in bad.content.decode()


# ---------------------------------------------------------------- writing and co-signing


def test_a_draft_splits_its_recommendations_like_the_liaison_form(side):
    online = draft(side)
    assert [r["title"] for r in online.recommendations] == ["纳入配套标准", "盘活闲置用房"]
    assert online.recommendations[0]["body"] == "新建小区同步配建。"


def test_co_signing_before_the_deadline_then_submitting(side):
    online = draft(side)
    invitation = members.invitation_add(online=online, proposer=proposer(side, "m1"), name="李委员",
                                        actor=side.accounts["m1"].user)
    # the invited member is told, in the site
    note = Notification.objects.get(recipient=side.accounts["m2"].user, kind="cosign_invited")
    assert note.link == reverse("members:online", args=[online.pk])
    assert "尚未答复联名" in members.submit_refusal(online)
    with pytest.raises(DomainError):
        members.online_submit(online=online, proposer=proposer(side, "m1"))
    with pytest.raises(members.NotYours):
        members.invitation_answer(invitation=invitation, proposer=proposer(side, "party"), confirm=True)
    members.invitation_answer(invitation=invitation, proposer=proposer(side, "m2"), confirm=True,
                              actor=side.accounts["m2"].user)
    members.attachment_add(online=online, proposer=proposer(side, "m1"), upload=SimpleUploadedFile(
        "调查.pdf", survey_pdf(), content_type="application/pdf"))
    proposal = members.online_submit(online=online, proposer=proposer(side, "m1"), actor=side.accounts["m1"].user)
    assert proposal.state == Proposal.State.SUBMITTED and proposal.submitted_on == TODAY
    assert [(s.proposer.name, s.role) for s in proposal.signatures.order_by("position")] == [
        ("张委员", "lead"), ("李委员", "co-signer")]
    assert [r.title for r in proposal.recommendations.order_by("ordinal")] == ["纳入配套标准", "盘活闲置用房"]
    assert ProposalAttachment.objects.get(proposal=proposal).name == "调查.pdf"
    online.refresh_from_db()
    assert online.state == "submitted" and online.proposal == proposal
    # the liaison staff are told; the draft can no longer change
    assert Notification.objects.filter(recipient=side.liaison, proposal=proposal).exists()
    with pytest.raises(DomainError):
        draft(side, online=online, expected_version=online.version)


def test_only_those_who_confirmed_co_sign_once_the_deadline_passes(side, monkeypatch):
    online = draft(side)
    for name in ("李委员", "民盟测试市委会"):
        members.invitation_add(online=online, proposer=proposer(side, "m1"), name=name)
    declined = online.invitations.get(proposer__name="民盟测试市委会")
    members.invitation_answer(invitation=declined, proposer=proposer(side, "party"), confirm=False)
    # 李委员 never answers; after the deadline the lead may submit without them
    later = TODAY + datetime.timedelta(days=4)
    monkeypatch.setattr("proposals.services.common.today", lambda: later)
    with pytest.raises(DomainError, match="已过"):
        members.invitation_answer(invitation=online.invitations.get(proposer__name="李委员"),
                                  proposer=proposer(side, "m2"), confirm=True)
    proposal = members.online_submit(online=online, proposer=proposer(side, "m1"))
    assert list(proposal.signatures.values_list("proposer__name", flat=True)) == ["张委员"]


def test_submission_keeps_to_the_sessions_period(side, monkeypatch):
    online = draft(side, cosign_deadline=None)
    monkeypatch.setattr("proposals.services.common.today", lambda: TODAY + datetime.timedelta(days=6))
    assert "已于" in members.submit_refusal(online)
    side.session.submission_opens_on = side.session.submission_closes_on = None
    side.session.save()
    assert "不接受网上提交" in members.submit_refusal(OnlineProposal.objects.get(pk=online.pk))


def test_inviting_needs_an_account_and_a_deadline(side):
    online = draft(side, cosign_deadline=None)
    with pytest.raises(DomainError, match="联名截止日期"):
        members.invitation_add(online=online, proposer=proposer(side, "m1"), name="李委员")
    online = draft(side, online=online, cosign_deadline=TODAY)
    with pytest.raises(DomainError, match="没有找到"):
        members.invitation_add(online=online, proposer=proposer(side, "m1"), name="不在系统的委员")
    with pytest.raises(DomainError, match="不必邀请自己"):
        members.invitation_add(online=online, proposer=proposer(side, "m1"), name="张委员")
    with pytest.raises(members.NotYours):
        members.invitation_add(online=online, proposer=proposer(side, "m2"), name="李委员")


def test_two_saves_from_one_loaded_draft_page(side):
    online = draft(side)
    client = client_for(side.accounts["m1"].user)
    url = reverse("members:online", args=[online.pk])
    form = {"session": side.session.pk, "title": "第一次保存的案由", "category": "", "body": "",
            "recommendations": "一、第一条", "cosign_deadline": online.cosign_deadline.isoformat(),
            "version": online.version}
    assert client.post(url, form).status_code == 302
    second = client.post(url, {**form, "title": "从同一页面第二次保存"})
    assert second.status_code == 200 and 'role="alert"' in second.content.decode()
    assert OnlineProposal.objects.get(pk=online.pk).title == "第一次保存的案由"


def test_a_proposer_writes_and_submits_on_the_pages(side):
    client = client_for(side.accounts["m1"].user)
    response = client.post(reverse("members:online_create"), {
        "session": side.session.pk, "title": "关于增设社区长者饭堂的建议", "category": "",
        "body": "长者就餐难。", "recommendations": "1. 在人口密集社区增设长者饭堂\n2. 给予运营补贴",
        "cosign_deadline": "", "version": ""})
    online = OnlineProposal.objects.get(title="关于增设社区长者饭堂的建议")
    assert response["Location"] == reverse("members:online", args=[online.pk])
    page = client.get(response["Location"]).content.decode()
    assert "识别出的建议（2条）" in page and "给予运营补贴" in page
    done = client.post(reverse("members:submit", args=[online.pk]), follow=True)
    proposal = Proposal.objects.get(title="关于增设社区长者饭堂的建议")
    assert f"第{proposal.number}号" in done.content.decode()
    # it is in the liaison staff's list as 待审查
    listing = client_for(side.liaison).get(reverse("proposals:list")).content.decode()
    assert "关于增设社区长者饭堂的建议" in listing


def test_text_that_is_not_numbered_is_refused_with_the_reason(side):
    client = client_for(side.accounts["m1"].user)
    response = client.post(reverse("members:online_create"), {
        "session": side.session.pk, "title": "关于某事的建议", "category": "", "body": "",
        "recommendations": "没有编号的一段话", "cosign_deadline": "", "version": ""})
    assert response.status_code == 200 and "没有识别出编号的建议" in response.content.decode()
    assert not OnlineProposal.objects.exists()


# ---------------------------------------------------------------- following the handling


def _signed_for(side):
    """A proposal led by 张委员 (李委员 co-signing on paper), answered by the lead agency."""
    proposal = side.proposal(proposers=[{"name": "张委员", "kind": "member"},
                                        {"name": "李委员", "kind": "member", "role": "co-signer"}])
    ps.proposal_register(proposal=proposal, actor=side.liaison, reason="")
    ps.proposal_assign(proposal=proposal, actor=side.liaison, assignments=[
        {"agency": side.lead, "role": "lead", "assigned_on": datetime.date(2023, 3, 1),
         "due_on": datetime.date(2023, 6, 1)}])
    Contact.objects.create(proposal=proposal, agency=side.lead, contacted_on=datetime.date(2023, 4, 2),
                           way="phone", participants="张委员；经办人", note="电话听取意见。")
    return proposal


def test_the_proposer_follows_the_handling_without_anything_internal(side):
    proposal = _signed_for(side)
    client = client_for(side.accounts["m1"].user)
    url = reverse("members:proposal", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "已立案" in page and side.lead.name in page and "2023年6月1日" in page and "电话听取意见" in page
    # a section in draft, and a letter being drafted, are not shown
    recommendation = proposal.recommendations.first()
    side.approved_section(recommendation, side.lead, body="正在审核的办理意见。")
    letter = rs.letter_create(proposal=proposal, agency=side.lead, actor=side.lead_officer)
    page = client.get(url).content.decode()
    assert "正在审核的办理意见" not in page and "尚无答复函" in page
    assert client.get(reverse("members:letter_pdf", args=[letter.pk])).status_code == 404
    # once signed, the stored PDF is theirs to read
    for other in proposal.recommendations.exclude(pk=recommendation.pk):
        side.approved_section(other, side.lead)
    rs.letter_submit(letter=letter, actor=side.lead_officer)
    letter = rs.letter_sign(letter=letter, actor=side.lead_approver, signed_on=TODAY)
    rs.letter_store_pdf(letter=letter)
    pdf = client.get(reverse("members:letter_pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    letter.refresh_from_db()
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == letter.pdf_sha256
    # another proposer's account reads none of it
    other = client_for(side.accounts["party"].user)
    assert other.get(url).status_code == 404
    assert other.get(reverse("members:letter_pdf", args=[letter.pk])).status_code == 404


def test_the_review_decision_and_its_reason_are_shown(side):
    proposal = side.proposal(proposers=[{"name": "张委员", "kind": "member"}])
    ps.proposal_convert(proposal=proposal, actor=side.liaison, reason="所提事项属具体工作，转为意见建议。")
    page = client_for(side.accounts["m1"].user).get(reverse("members:proposal", args=[proposal.pk])).content.decode()
    assert "转为意见建议" in page and "所提事项属具体工作" in page
    assert Notification.objects.filter(recipient=side.accounts["m1"].user, kind="proposal_reviewed").exists()


# ---------------------------------------------------------------- rating


def _answered(side):
    proposal = _signed_for(side)
    for recommendation in proposal.recommendations.all():
        side.approved_section(recommendation, side.lead)
    proposal, _letter = side.signed_letter(proposal, signed_on=TODAY)
    return proposal


def test_each_proposer_rates_apart_and_a_dissatisfied_one_reaches_the_liaison_list(side):
    proposal = _answered(side)
    assert Notification.objects.filter(recipient=side.accounts["m2"].user, kind="proposal_answered").exists()
    members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="satisfied",
                          result="satisfied")
    assert not dissatisfied(proposal)
    with pytest.raises(DomainError, match="写明意见"):
        members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="satisfied",
                              result="dissatisfied")
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="satisfied",
                          result="dissatisfied", comment="措施不具体。")
    assert [f.proposer.name for f in latest_ratings(proposal)] == ["李委员", "张委员"]
    assert dissatisfied(proposal) and proposal in dissatisfied_proposals()
    home = client_for(side.liaison).get(reverse("home")).content.decode()
    assert "提案者不满意、待决定是否重新办理的提案" in home and proposal.title in home
    assert Notification.objects.filter(recipient=side.liaison, kind="rating_dissatisfied").exists()
    # rating again replaces the proposer's own rating
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="satisfied",
                          result="basically_satisfied")
    assert Feedback.objects.filter(proposal=proposal, proposer=proposer(side, "m2")).count() == 1
    assert not dissatisfied(proposal)
    # a proposer not on it may not rate
    with pytest.raises(members.NotYours):
        members.rating_record(proposal=proposal, proposer=proposer(side, "party"), handling="satisfied",
                              result="satisfied")


def test_closing_over_a_co_signers_dissatisfaction_needs_a_reason(side):
    proposal = _answered(side)
    members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="satisfied", result="satisfied")
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="dissatisfied",
                          result="dissatisfied", comment="没有沟通。")
    with pytest.raises(DomainError, match="理由"):
        ps.proposal_close(proposal=proposal, actor=side.liaison)
    ps.proposal_reopen(proposal=proposal, actor=side.liaison)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REOPENED
    assert Notification.objects.filter(recipient=side.accounts["m1"].user, kind="proposal_reopened").exists()


def test_rating_is_refused_after_the_feedback_period(side, monkeypatch):
    proposal = _answered(side)
    side.session.feedback_due_amount, side.session.feedback_due_unit = 1, "calendar_months"
    side.session.save()
    monkeypatch.setattr("proposals.services.common.today", lambda: TODAY + datetime.timedelta(days=40))
    proposal = Proposal.objects.get(pk=proposal.pk)
    with pytest.raises(DomainError, match="评价期限"):
        members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="satisfied",
                              result="satisfied")


def test_the_liaison_paper_form_can_name_the_proposer(side):
    proposal = _answered(side)
    client = client_for(side.liaison)
    response = client.post(reverse("proposals:feedback", args=[proposal.pk]), {
        "handling": "satisfied", "result": "satisfied", "received_on": TODAY.isoformat(), "comment": "",
        "proposer": proposer(side, "m2").pk, "recorded": 0})
    assert response.status_code == 302
    paper = Feedback.objects.get(proposal=proposal)
    assert paper.proposer == proposer(side, "m2") and not paper.online


def test_the_statistics_count_a_proposal_once_by_its_leads_rating(side):
    from proposals.stats import _satisfaction

    proposal = _answered(side)
    members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="satisfied", result="satisfied")
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="dissatisfied",
                          result="dissatisfied", comment="不满意。")
    counts = _satisfaction(side.session)
    assert counts["feedback"] == 1
    assert Signature.objects.get(proposal=proposal, proposer=proposer(side, "m1")).role == "lead"


# ---------------------------------------------------------------- the fence


@pytest.mark.parametrize("path", ["/proposals/", "/inbox/", "/search/?q=行业协会", "/admin/",
                                  "/proposals/dashboard/", "/print/"])
def test_a_proposer_account_reaches_none_of_the_offices_pages(side, path):
    response = client_for(side.accounts["m1"].user).get(path)
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_a_proposers_home_is_their_own_page(side):
    client = client_for(side.accounts["m1"].user)
    assert client.get("/")["Location"] == reverse("members:home")
    page = client.get(reverse("members:home")).content.decode()
    assert "我的提案" in page and "撰写提案" in page and "我的待办" not in page


def test_staff_are_not_proposers(side):
    response = client_for(side.liaison).get(reverse("members:home"))
    assert response.status_code == 403


def test_a_proposer_who_also_works_in_an_agency_keeps_the_offices_pages(side):
    officer = side.lead_officer
    members.account_create(username="both", name="王某", password="x" * 8, actor=side.liaison)
    account = ProposerAccount.objects.get(user__username="both")
    account.user = officer
    account.save()
    response = client_for(officer).get(reverse("replies:inbox"))
    assert response.status_code == 200


def test_the_session_refuses_a_closing_day_before_the_opening(side):
    from django.core.exceptions import ValidationError

    session = side.session
    session.submission_closes_on = session.submission_opens_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        session.clean()


def test_invitations_go_with_a_deleted_draft(side):
    online = draft(side)
    members.invitation_add(online=online, proposer=proposer(side, "m1"), name="李委员")
    members.online_delete(online=online, proposer=proposer(side, "m1"))
    assert not Invitation.objects.exists()




def test_the_liaison_page_lists_each_rating_and_sums_them_up(side):
    proposal = _answered(side)
    members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="satisfied", result="satisfied")
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="satisfied",
                          result="dissatisfied", comment="措施不具体。")
    page = client_for(side.liaison).get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "本轮2位提案者分别评价" in page and "满意1、基本满意0、不满意1" in page
    assert "张委员" in page and "李委员" in page and "（网上）" in page


def test_ratings_kept_apart_travel_in_the_interchange_file(side):
    from proposals.interchange.exporter import export_data
    from proposals.interchange.importer import import_data

    proposal = _answered(side)
    members.rating_record(proposal=proposal, proposer=proposer(side, "m2"), handling="satisfied",
                          result="dissatisfied", comment="措施不具体。")
    data = export_data(side.session)
    data["proposals"] = [p for p in data["proposals"] if p["number"] == proposal.number]
    [item] = data["proposals"][0]["feedback"]
    assert (item["proposer"], item["online"]) == ("李委员", True)
    Feedback.objects.update(proposer=None, online=False)
    import_data(data)
    restored = Feedback.objects.get(proposal=proposal)
    assert (restored.proposer.name, restored.online) == ("李委员", True)
    data["proposals"][0]["feedback"][0]["proposer"] = "不是提案者"
    with pytest.raises(Exception, match="not one of the proposal's proposers"):
        import_data(data)


def test_what_the_proposers_said_is_on_the_pages_where_liaison_decides(side):
    proposal = _answered(side)
    members.rating_record(proposal=proposal, proposer=proposer(side, "m1"), handling="dissatisfied",
                          result="dissatisfied", comment="答复未说明落实时间。")
    client = client_for(side.liaison)
    for name in ("proposals:reopen", "proposals:close", "proposals:feedback"):
        page = client.get(reverse(name, args=[proposal.pk])).content.decode()
        assert "本轮已收到的评价" in page and "答复未说明落实时间" in page and "张委员" in page, name
    # on 我的待办 it is in the dissatisfied group only
    home = client.get(reverse("home")).content.decode()
    assert home.count(proposal.title) == 1


def test_the_lead_is_told_each_answer_and_the_co_signer_keeps_the_draft_in_sight(side):
    online = draft(side)
    invitation = members.invitation_add(online=online, proposer=proposer(side, "m1"), name="李委员")
    members.invitation_answer(invitation=invitation, proposer=proposer(side, "m2"), confirm=True,
                              actor=side.accounts["m2"].user)
    told = Notification.objects.get(recipient=side.accounts["m1"].user)
    assert "李委员" in told.title and "已确认联名" in told.title
    page = client_for(side.accounts["m2"].user).get(reverse("members:home")).content.decode()
    assert "我已确认联名、尚未提交的提案" in page and online.title in page


def test_a_proposer_who_declined_reads_no_later_change(side):
    online = draft(side)
    invitation = members.invitation_add(online=online, proposer=proposer(side, "m1"), name="李委员")
    client = client_for(side.accounts["m2"].user)
    assert client.get(reverse("members:online", args=[online.pk])).status_code == 200
    members.invitation_answer(invitation=invitation, proposer=proposer(side, "m2"), confirm=False)
    assert client.get(reverse("members:online", args=[online.pk])).status_code == 404


def test_a_tampered_page_version_is_said_not_swallowed(side):
    online = draft(side)
    response = client_for(side.accounts["m1"].user).post(reverse("members:online", args=[online.pk]), {
        "session": side.session.pk, "title": "改过的案由", "category": "", "body": "", "recommendations": "一、某条",
        "cosign_deadline": "", "version": "abc"})
    assert response.status_code == 200 and "页面已过期" in response.content.decode()
    assert OnlineProposal.objects.get(pk=online.pk).title != "改过的案由"
