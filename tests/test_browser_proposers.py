"""The proposer side and the portal in a real browser (Chromium), mostly on a phone:
a member writes a proposal and invites a co-signer, who confirms; the member submits; the
liaison staff register and assign it; the agency answers and its approver signs; the
member reads the letter and rates it 不满意; the liaison staff reopen it; the public
portal shows the letter with the telephone number masked. Every proposer page and the
portal fit a phone at 390 px."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connections
from playwright.sync_api import expect
from pypdf import PdfReader

from members import services as members
from members.models import ProposerAccount
from proposals.models import Proposal
from replies import services as rs
from replies.models import ReplyLetter
from tests.test_browser_handling_steps import FIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
TODAY = datetime.date.today()
PHONE_NUMBER = "0760-88223344"


@pytest.fixture(autouse=True)
def _close_connections_opened_beside_the_browser(browser):
    yield
    connections.close_all()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LETTER_PREVIEW_CACHE_SECONDS = 0


@pytest.fixture
def side(world):
    session = world.session
    session.submission_opens_on = TODAY - datetime.timedelta(days=5)
    session.submission_closes_on = TODAY + datetime.timedelta(days=5)
    session.save()
    for username, name, mobile in (("m1", "张委员", "13800000011"), ("m2", "李委员", "13800000012")):
        members.account_create(username=username, name=name, mobile=mobile, password="pw")
    return world


def click_and_wait(page, target) -> None:
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


def fits(page) -> None:
    assert page.evaluate(FIT) == [], page.url


def on_phone(journey, name):
    person = journey(name)
    person.page.set_viewport_size(PHONE)
    return person


def test_a_member_submits_with_a_co_signer_and_follows_it_to_a_reopening(side, journey):
    member, cosigner = on_phone(journey, "member"), on_phone(journey, "cosigner")
    liaison = journey("liaison")
    liaison.page.set_viewport_size(DESK)

    # The member writes a proposal on the phone.
    page = member.log_in("m1")
    expect(page.locator("h1")).to_have_text("我的提案")
    fits(page)
    click_and_wait(page, page.get_by_role("link", name="撰写新提案"))
    page.get_by_label("案由").fill("关于推进社区嵌入式养老服务设施建设的建议")
    page.get_by_label("提案内容").fill("我市老龄人口持续增加，社区养老服务设施布局不均。")
    page.get_by_label("建议").fill("一、将嵌入式养老设施纳入社区配套建设标准\n新建小区同步配建。\n二、盘活社区闲置用房建设养老服务站点")
    page.get_by_label("联名截止日期").fill((TODAY + datetime.timedelta(days=3)).isoformat())
    fits(page)
    member.shot("draft-form")
    click_and_wait(page, page.get_by_role("button", name="保存草稿"))
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator("ol.recommendations li")).to_have_count(2)
    page.get_by_label("受邀提案者姓名或名称").fill("李委员")
    click_and_wait(page, page.get_by_role("button", name="邀请联名"))
    expect(page.locator(".messages")).to_contain_text("已发出联名邀请")
    expect(page.get_by_role("button", name="提交提案")).to_be_disabled()
    fits(page)
    member.shot("invited")

    # The co-signer is told, opens the invitation and confirms.
    page = cosigner.log_in("m2")
    expect(page.locator(".nav-toggle__button .nav-count")).to_be_visible()  # told, on the menu button
    click_and_wait(page, page.get_by_role("link", name="关于推进社区嵌入式养老服务设施建设的建议"))
    fits(page)
    cosigner.shot("invitation")
    click_and_wait(page, page.get_by_role("button", name="确认联名"))
    expect(page.locator(".messages")).to_contain_text("已确认联名")

    # The member submits; it is numbered and waits for review.
    page = member.page
    page.reload()
    click_and_wait(page, page.get_by_role("button", name="提交提案"))
    proposal = Proposal.objects.get(title="关于推进社区嵌入式养老服务设施建设的建议")
    expect(page.locator(".messages")).to_contain_text(f"编号为第{proposal.number}号")
    expect(page.locator("#review")).to_contain_text("等待提案委审查")
    assert list(proposal.signatures.order_by("position").values_list("proposer__name", "role")) == [
        ("张委员", "lead"), ("李委员", "co-signer")]
    member.shot("submitted")

    # The liaison staff find it on their to-do list, register it and assign it.
    page = liaison.log_in(side.liaison.username)
    click_and_wait(page, page.get_by_role("link", name=proposal.title).first)
    click_and_wait(page, page.get_by_role("button", name="立案", exact=True))
    click_and_wait(page, page.locator(".action-bar").get_by_role("link", name="交办", exact=True))
    page.get_by_label("承办单位", exact=True).nth(0).select_option(label="测试市工商业联合会")
    page.get_by_label("承办单位", exact=True).nth(1).select_option(label="测试市民政局")
    click_and_wait(page, page.get_by_role("button", name="交办", exact=True))
    expect(page.locator(".proposal-head .state")).to_have_text("已交办")
    liaison.shot("assigned")

    # The member sees the decision and the agency with its due date.
    page = member.page
    page.reload()
    expect(page.locator("#review")).to_contain_text("已立案")
    expect(page.locator("#assignments")).to_contain_text("测试市工商业联合会（主办）")
    fits(page)
    member.shot("assigned")

    # The agency answers (sections written and approved), and its approver signs in the browser.
    proposal.refresh_from_db()
    for recommendation in proposal.recommendations.all():
        side.approved_section(recommendation, side.lead, body=f"我局将研究落实，联系电话{PHONE_NUMBER}。")
    letter = rs.letter_create(proposal=proposal, agency=side.lead, actor=side.lead_officer)
    rs.letter_update(letter=letter, actor=side.lead_officer, note=f"联系人：王某，电话：{PHONE_NUMBER}")
    rs.letter_submit(letter=letter, actor=side.lead_officer)
    approver = journey("approver")
    page = approver.log_in(side.lead_approver.username)
    approver.go(f"/letters/{letter.pk}/")
    click_and_wait(page, page.locator(".sign-box").get_by_role("button", name="签发", exact=True))
    expect(page.locator(".letter-status .state")).to_have_text("已签发")
    letter.refresh_from_db()

    # The member reads the signed letter (the stored PDF itself) and rates it 不满意.
    page = member.page
    page.reload()
    link = page.get_by_role("link", name="阅读答复函（PDF）")
    response = page.request.get(member.base_url + link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(response.body()).hexdigest() == letter.pdf_sha256
    page.locator("#rating").get_by_label("满意", exact=True).first.check()
    page.locator("#rating fieldset").nth(1).get_by_label("不满意").check()
    page.get_by_label("意见").fill("答复未说明落实时间。")
    fits(page)
    member.shot("rating")
    click_and_wait(page, page.get_by_role("button", name="提交评价"))
    expect(page.locator(".messages")).to_contain_text("提案委将研究是否交承办单位重新办理")

    # The liaison staff see it on their list and reopen it.
    page = liaison.page
    liaison.go("/")
    todo = page.locator(".todo-card").filter(has_text="提案者不满意、待决定是否重新办理的提案")
    expect(todo).to_contain_text(proposal.title)
    click_and_wait(page, todo.get_by_role("link", name=proposal.title))
    click_and_wait(page, page.get_by_role("button", name="重新办理"))
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REOPENED
    liaison.shot("reopened")
    page = member.page
    page.reload()
    expect(page.locator("dl.details")).to_contain_text("重新办理中")

    # The public portal, on a phone: the letter is there, the telephone number masked.
    visitor = on_phone(journey, "visitor")
    page = visitor.go("/public/")
    fits(page)
    click_and_wait(page, page.get_by_role("link", name=proposal.title))
    body = page.locator("article.public-letter")
    expect(body).to_contain_text("我局将研究落实")
    expect(body).not_to_contain_text(PHONE_NUMBER)
    expect(body).to_contain_text("联系单位：测试市工商业联合会")
    fits(page)
    visitor.shot("public-letter")
    pdf = page.request.get(visitor.base_url + page.get_by_role("link", name="PDF（公开版）").get_attribute("href"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).replace(" ", "")
    assert "88223344" not in text and "****" in text
    assert ReplyLetter.objects.get(pk=letter.pk).pdf_sha256 == letter.pdf_sha256


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_every_proposer_page_and_the_portal_fit(side, journey, viewport):
    online = members.online_save(
        proposer=ProposerAccount.objects.get(user__username="m1").proposer, session=side.session,
        title="关于" + "很长的案由" * 38 + "的建议",
        recommendations=[{"title": "长" * 300, "body": "内容" * 500}],
        cosign_deadline=TODAY + datetime.timedelta(days=2))
    members.invitation_add(online=online, proposer=online.lead, name="李委员")
    person = journey("member")
    person.page.set_viewport_size(viewport)
    page = person.log_in("m1")
    for path in ("/my/", "/my/new/", f"/my/online/{online.pk}/", "/notifications/"):
        person.go(path)
        fits(page)
        person.shot(path.strip("/").replace("/", "-") or "home")
    visitor = journey("visitor")
    visitor.page.set_viewport_size(viewport)
    page = visitor.go("/public/")
    fits(page)
    page = visitor.go("/accounts/login/")
    fits(page)
