"""Whole journeys in a real browser (Debian's Chromium driven by Playwright).

Each journey is one test, walked through the real pages by the people who do it:
clicking links and buttons and filling in forms. Screenshots of every step are kept
under test-artifacts/<test>/<person>/.

1. The liaison staff log a proposal, register it, assign it and find it in the list.
2. Two agencies answer it: sections drafted, submitted, approved (one returned and
   corrected); the lead agency assembles, previews and sends its letter; it is signed.
3. The office downloads the signed letter and prints a batch; the liaison staff record
   the proposer's feedback and close the proposal.
4. An agency asks for more time; the liaison staff are notified, find the proposal with
   the search box and approve; the agency is told the new due date.
"""

import datetime
import hashlib
import re

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from proposals import services as proposal_services
from proposals.models import Assignment, Proposal, Signature
from replies.composition import recommendation_heading
from replies.models import PrintJob, ReplyLetter, Section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FULL_TEXT = """近年来，我市民营经济持续发展，行业协会商会在服务企业、规范行业方面发挥了积极作用，但仍存在规范化程度不高、参与社会治理渠道不畅等问题。
为此，建议：
一、关于加强行业协会商会规范化建设的建议
完善行业协会商会的内部治理结构，健全会员大会、理事会制度，提高服务会员的能力。
二、关于支持行业协会参与社会治理的建议
将行业协会商会纳入社会组织参与社会治理的范围，在政策上给予支持。
三、关于加大政府购买服务力度的建议
扩大向行业协会商会购买服务的范围，规范购买程序，加强绩效评价。"""

PROPOSED_TITLES = ["加强行业协会商会规范化建设", "支持行业协会参与社会治理", "加大政府购买服务力度"]


# ---------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _close_connections_opened_beside_the_browser(browser):
    """Close the database connections the test opened while the browser was running.

    Playwright's synchronous API runs an event loop in the test's thread, so Django
    keeps the connections of reads made between browser steps apart from the thread's
    own; left open, one keeps PostgreSQL from dropping the test database at the end of
    the run. This runs before the browser (and its event loop) is closed.
    """
    yield
    connections.close_all()


def day_text(day: datetime.date) -> str:
    """A date as the pages show it: 2023年7月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def click_and_wait(page, target) -> None:
    """Click a link or button that loads a new page, and wait until it has loaded."""
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


def nav(page, name: str) -> None:
    """Follow a link of the site's main navigation."""
    click_and_wait(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True))


def expect_message(page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def filter_field(page, label: str):
    """A field of a list's filter form, by the label above it."""
    return page.locator("form.filters label.field").filter(
        has=page.locator(".field__label", has_text=re.compile(f"^{label}$"))
    ).locator("select, input")


def recommendation_panel(page, recommendation):
    """A recommendation's panel on the handling page, found by its heading."""
    heading = recommendation_heading(recommendation)
    return page.locator("section.rec").filter(has=page.get_by_role("heading", name=heading, exact=True))


def section_card(page, recommendation, agency_short_name: str):
    return recommendation_panel(page, recommendation).locator("article.section-card").filter(
        has=page.locator("header strong", has_text=agency_short_name)
    )


def open_handling_from_inbox(page, proposal) -> None:
    """From anywhere: 本单位办理 → the proposal in the agency's inbox."""
    nav(page, "本单位办理")
    expect(page.get_by_role("heading", name="待办", exact=True)).to_be_visible()
    click_and_wait(page, page.locator("a.inbox__proposal").filter(has_text=proposal.title))
    expect(page.locator("h1")).to_contain_text(proposal.title)


def paste(page, field, text: str) -> None:
    """Paste ``text`` into ``field`` through the clipboard, as from a word processor."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    field.click()
    page.keyboard.press("ControlOrMeta+V")


# ---------------------------------------------------------------- the journeys


def test_logging_in_shows_the_users_own_to_do_list(world, journey):
    liaison = journey("liaison")
    page = liaison.log_in("liaison")
    assert page.locator("h1").inner_text() == "我的待办"
    liaison.shot("home")
    officer = journey("officer")
    page = officer.log_in("lead-officer")
    assert "本单位办理" in page.content()
    assert "待审查的提案" not in page.content()
    officer.shot("home")


def test_liaison_logs_registers_and_assigns_a_proposal(world, journey):
    """提案委: log a proposal from its pasted full text, register it, assign it, find it."""
    today = timezone.localdate()
    title = "关于充分发挥行业协会商会作用助推民营经济高质量发展的建议"
    liaison = journey("liaison")
    page = liaison.log_in("liaison")
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    liaison.shot("home")

    # 提案 → 登记提案
    nav(page, "提案")
    expect(page.locator(".result-count")).to_contain_text("共 0 件提案")
    click_and_wait(page, page.get_by_role("link", name="登记提案"))
    expect(page.get_by_role("heading", name="登记提案", exact=True)).to_be_visible()
    page.get_by_label("届次会议").select_option(label="市政协十三届二次会议")
    page.get_by_label("类别").select_option(label="经济建设")
    page.get_by_label("案由").fill(title)

    # The lead proposer, then a co-signer on a row added in place.
    names = page.locator("#proposers").get_by_label("姓名或名称", exact=True)
    kinds = page.locator("#proposers").get_by_label("类型", exact=True)
    names.nth(0).fill("民建测试市委会")
    kinds.nth(0).select_option(label="民主党派、工商联")
    page.get_by_role("button", name="增加一位提案者").click()
    expect(names).to_have_count(2)
    expect(names.nth(0)).to_have_value("民建测试市委会")  # what was typed is kept
    names.nth(1).fill("张三")
    kinds.nth(1).select_option(label="委员")
    liaison.shot("proposers")

    # Pasting the full text proposes the recommendations, split at 一、二、三、.
    paste(page, page.get_by_label("提案内容"), FULL_TEXT)
    expect(page.locator("#recommendations .split-note")).to_contain_text("已从全文中识别出3条建议")
    rec_titles = page.locator("#recommendations").get_by_label("标题", exact=True)
    expect(rec_titles).to_have_count(3)
    for i, proposed in enumerate(PROPOSED_TITLES):
        expect(rec_titles.nth(i)).to_have_value(proposed)
    expect(page.locator("#recommendations").get_by_label("内容", exact=True).nth(0)).to_have_value(
        re.compile("^完善行业协会商会的内部治理结构")
    )
    liaison.shot("recommendations-proposed")

    # The proposal is accepted as proposed and saved.
    click_and_wait(page, page.get_by_role("button", name="登记", exact=True))
    proposal = Proposal.objects.get(title=title)
    expect_message(page, f"已登记第{proposal.number}号提案。")
    expect(page.locator(".proposal-head .state")).to_have_text("待审查")
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.category.name == "经济建设"
    assert [r.title for r in proposal.recommendations.order_by("ordinal")] == PROPOSED_TITLES
    signatures = sorted(proposal.signatures.select_related("proposer"), key=lambda s: (s.role != "lead", s.position))
    assert [(s.proposer.name, s.role) for s in signatures] == [
        ("民建测试市委会", Signature.Role.LEAD), ("张三", Signature.Role.CO_SIGNER),
    ]
    liaison.shot("logged")

    # 立案
    click_and_wait(page, page.get_by_role("button", name="立案", exact=True))
    expect_message(page, f"第{proposal.number}号提案已立案。")
    expect(page.locator(".proposal-head .state")).to_have_text("已立案")
    liaison.shot("registered")

    # 交办: the lead agency and a co-handling agency, deadlines left to the session's rules.
    click_and_wait(page, page.locator(".action-bar").get_by_role("link", name="交办", exact=True))
    expect(page.get_by_role("heading", name="交办", exact=True)).to_be_visible()
    agencies = page.get_by_label("承办单位", exact=True)
    roles = page.get_by_label("承办方式")
    expect(roles.nth(0)).to_have_value("lead")
    expect(roles.nth(1)).to_have_value("co")
    agencies.nth(0).select_option(label="测试市工商业联合会")
    agencies.nth(1).select_option(label="测试市民政局")
    liaison.shot("assign-form")
    click_and_wait(page, page.get_by_role("button", name="交办", exact=True))
    expect_message(page, f"第{proposal.number}号提案已交办。")
    expect(page.locator(".proposal-head .state")).to_have_text("已交办")
    session = world.session
    lead_due = session.due_date_for("lead", today).date
    co_due = session.due_date_for("co", today).date
    assignments_table = page.locator("section.panel").filter(
        has=page.get_by_role("heading", name="交办", exact=True)
    ).locator("tbody tr")
    expect(assignments_table).to_have_count(2)
    expect(assignments_table.nth(0)).to_contain_text("测试市工商业联合会")
    expect(assignments_table.nth(0)).to_contain_text("主办")
    expect(assignments_table.nth(0)).to_contain_text(day_text(lead_due))
    expect(assignments_table.nth(1)).to_contain_text("测试市民政局")
    expect(assignments_table.nth(1)).to_contain_text("会办")
    expect(assignments_table.nth(1)).to_contain_text(day_text(co_due))
    assert {(a.agency.code, a.role, a.assigned_on, a.due_on)
            for a in Assignment.objects.filter(proposal=proposal).select_related("agency")} == {
        ("lead", "lead", today, lead_due), ("co", "co", today, co_due),
    }
    liaison.shot("assigned")

    # The list, filtered to the proposals assigned to the lead agency.
    click_and_wait(page, page.locator(".breadcrumbs").get_by_role("link", name="提案列表"))
    filter_field(page, "状态").select_option(label="已交办")
    filter_field(page, "承办单位").select_option(label="测试市工商业联合会")
    click_and_wait(page, page.get_by_role("button", name="筛选"))
    expect(page.locator(".result-count")).to_contain_text("共 1 件提案")
    row = page.locator("table.proposal-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(proposal.number)
    expect(row).to_contain_text("已交办")
    expect(row).to_contain_text("民建测试市委会")
    expect(row).to_contain_text("等1人附议")
    liaison.shot("list-filtered")

    # A filter that leaves it out.
    filter_field(page, "状态").select_option(label="已答复")
    click_and_wait(page, page.get_by_role("button", name="筛选"))
    expect(page.locator(".result-count")).to_contain_text("共 0 件提案")
    filter_field(page, "状态").select_option(label="已交办")
    click_and_wait(page, page.get_by_role("button", name="筛选"))
    expect(page.locator(".result-count")).to_contain_text("共 1 件提案")

    # Its page: everything on one page.
    click_and_wait(page, page.get_by_role("link", name=title))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("article.recommendation h3")).to_have_count(3)
    expect(page.locator("article.recommendation h3").nth(0)).to_contain_text(PROPOSED_TITLES[0])
    history = page.locator("table.history tbody tr")
    expect(history.filter(has_text="立案")).not_to_have_count(0)
    expect(history.filter(has_text="交办")).not_to_have_count(0)
    liaison.shot("proposal-page")


def test_agencies_answer_and_the_lead_agency_signs_its_letter(world, journey):
    """承办单位: sections drafted, approved (one returned first), the letter assembled and signed."""
    today = timezone.localdate()
    proposal = world.proposal(recommendations=2, title="关于支持民营企业参与乡村振兴的建议")
    proposal_services.proposal_register(proposal=proposal, actor=world.liaison)
    proposal_services.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": "lead", "assigned_on": today,
         "due_on": today + datetime.timedelta(days=90)},
        {"agency": world.co, "role": "co", "assigned_on": today,
         "due_on": today + datetime.timedelta(days=30)},
    ])
    rec1, rec2 = proposal.recommendations.order_by("ordinal")

    # 市民政局 (co-handling): the officer drafts a section for recommendation 1, then submits it.
    co_officer = journey("co-officer")
    page = co_officer.log_in("co-officer")
    expect(page.locator("#agency-todo")).to_be_visible()
    expect(page.locator("main")).to_contain_text(proposal.number)
    co_officer.shot("home")
    open_handling_from_inbox(page, proposal)
    co_officer.shot("handling")
    click_and_wait(page, recommendation_panel(page, rec1).get_by_role("link", name="撰写办理意见"))
    expect(page.get_by_role("heading", name="撰写办理意见")).to_be_visible()
    page.get_by_label("采纳情况").select_option(label="吸收采纳")
    page.get_by_label("办理意见", exact=True).fill(
        "我局将会同市工商联，指导行业协会商会完善内部治理结构。\n下一步，我局将继续加强登记管理。"
    )
    co_officer.shot("co-section-form")
    click_and_wait(page, page.get_by_role("button", name="保存草稿"))
    expect_message(page, "办理意见草稿已保存。")
    card = section_card(page, rec1, "市民政局")
    expect(card.locator(".state")).to_have_text("草稿")
    co_officer.shot("co-section-draft")

    # The lead agency does not see another agency's draft, only what was submitted.
    lead_officer = journey("lead-officer")
    lead_page = lead_officer.log_in("lead-officer")
    open_handling_from_inbox(lead_page, proposal)
    expect(recommendation_panel(lead_page, rec1)).to_contain_text("还没有您可以查看的办理意见")
    expect(section_card(lead_page, rec1, "市民政局")).to_have_count(0)
    lead_officer.shot("co-draft-not-shown")

    click_and_wait(page, card.get_by_role("button", name="提交审核"))
    expect_message(page, "办理意见已提交审核。")
    expect(section_card(page, rec1, "市民政局").locator(".state")).to_have_text("待审核")
    co_officer.shot("co-section-submitted")
    assert Section.objects.get(agency=world.co, recommendation=rec1).state == Section.State.SUBMITTED

    # 市民政局's approver approves it from the queue.
    co_approver = journey("co-approver")
    page = co_approver.log_in("co-approver")
    nav(page, "本单位办理")
    queue = page.locator("section.queue").filter(has=page.locator("#to-approve"))
    expect(queue).to_contain_text("待审核的办理意见（1条）")
    co_approver.shot("queue")
    click_and_wait(page, queue.get_by_role("link", name="审核", exact=True))
    card = section_card(page, rec1, "市民政局")
    click_and_wait(page, card.get_by_role("button", name="审核通过"))
    expect_message(page, "办理意见已审核通过。")
    expect(section_card(page, rec1, "市民政局").locator(".state")).to_have_text("已审核")
    co_approver.shot("co-section-approved")

    # 市工商联 (lead): the officer drafts and submits a section for each recommendation.
    page = lead_officer.page
    open_handling_from_inbox(page, proposal)
    expect(section_card(page, rec1, "市民政局")).to_contain_text("我局将会同市工商联")
    lead_officer.shot("handling-with-co-section")
    lead_texts = {
        rec1.pk: ("吸收采纳", "我会已指导行业协会商会完善章程，健全会员大会、理事会制度。"),
        rec2.pk: ("正在落实", "我会正会同有关部门研究支持行业协会参与社会治理的措施。"),
    }
    for recommendation in (rec1, rec2):
        adoption, body = lead_texts[recommendation.pk]
        click_and_wait(page, recommendation_panel(page, recommendation).get_by_role("link", name="撰写办理意见"))
        page.get_by_label("采纳情况").select_option(label=adoption)
        page.get_by_label("办理意见", exact=True).fill(body)
        if adoption == "正在落实":  # a promise: what will be done, and by when
            page.get_by_label("承诺事项", exact=True).fill("年底前出台支持行业协会参与社会治理的措施。")
            page.get_by_label("完成时限").fill(str(datetime.date.today() + datetime.timedelta(days=120)))
        lead_officer.shot(f"lead-section-{recommendation.ordinal}-form")
        click_and_wait(page, page.get_by_role("button", name="保存并提交审核"))
        expect_message(page, "办理意见已提交审核。")
        expect(section_card(page, recommendation, "市工商联").locator(".state")).to_have_text("待审核")
    lead_officer.shot("lead-sections-submitted")

    # The lead approver approves recommendation 1 and returns recommendation 2 with a reason.
    lead_approver = journey("lead-approver")
    page = lead_approver.log_in("lead-approver")
    nav(page, "本单位办理")
    queue = page.locator("section.queue").filter(has=page.locator("#to-approve"))
    expect(queue).to_contain_text("待审核的办理意见（2条）")
    lead_approver.shot("queue")
    click_and_wait(page, queue.get_by_role("link", name="审核", exact=True).first)
    click_and_wait(page, section_card(page, rec1, "市工商联").get_by_role("button", name="审核通过"))
    expect_message(page, "办理意见已审核通过。")
    card = section_card(page, rec2, "市工商联")
    card.get_by_text("退回修改…").click()
    card.get_by_label("退回理由").fill("请写明具体措施和完成时限。")
    lead_approver.shot("returning")
    click_and_wait(page, card.get_by_role("button", name="退回", exact=True))
    expect_message(page, "办理意见已退回经办人修改。")
    expect(section_card(page, rec2, "市工商联").locator(".state")).to_have_text("草稿")
    lead_approver.shot("returned")

    # The officer sees why, corrects the text and submits it again.
    page = lead_officer.page
    nav(page, "我的待办")
    expect(page.locator("section[aria-labelledby=agency-todo]")).to_contain_text("草稿中的办理意见")
    open_handling_from_inbox(page, proposal)
    card = section_card(page, rec2, "市工商联")
    expect(card).to_contain_text("退回理由：请写明具体措施和完成时限。")
    lead_officer.shot("returned-section")
    click_and_wait(page, card.get_by_role("link", name="修改", exact=True))
    expect(page.locator("main")).to_contain_text("退回理由：请写明具体措施和完成时限。")
    page.get_by_label("办理意见", exact=True).fill(
        "我会正会同市民政局研究支持行业协会参与社会治理的措施，计划于年内出台实施意见。"
    )
    lead_officer.shot("corrected-section-form")
    click_and_wait(page, page.get_by_role("button", name="保存并提交审核"))
    expect_message(page, "办理意见已提交审核。")

    # The approver approves the corrected section.
    page = lead_approver.page
    nav(page, "本单位办理")
    click_and_wait(page, page.locator("section.queue").get_by_role("link", name="审核", exact=True))
    card = section_card(page, rec2, "市工商联")
    expect(card).to_contain_text("计划于年内出台实施意见")
    click_and_wait(page, card.get_by_role("button", name="审核通过"))
    expect_message(page, "办理意见已审核通过。")
    lead_approver.shot("all-approved")
    assert set(Section.objects.filter(recommendation__proposal=proposal).values_list("state", flat=True)) == {
        Section.State.APPROVED
    }

    # The lead officer assembles the letter.
    page = lead_officer.page
    open_handling_from_inbox(page, proposal)
    click_and_wait(page, page.get_by_role("button", name="起草市工商联答复函"))
    expect_message(page, "答复函草稿已建立")
    letter = ReplyLetter.objects.get(proposal=proposal, agency=world.lead)
    wording = page.locator("#wording")
    expect(wording.get_by_label("开头")).to_have_value(re.compile("市民政局"))  # the co agency is named
    lead_officer.shot("letter-draft")
    wording.get_by_label("主送", exact=True).fill("民建测试市委会")
    wording.get_by_label("附注", exact=True).fill("联系人及电话：王某，12345678")
    click_and_wait(page, wording.get_by_role("button", name="保存"))
    expect_message(page, "答复函已保存。")
    expect(page.locator("#letter-body")).to_contain_text("民建测试市委会：")
    expect(page.locator("#letter-body")).to_contain_text("联系人及电话：王某，12345678")
    lead_officer.shot("letter-wording-saved")

    # Mixed adoption (吸收采纳 and 正在落实) suggests class B; another class needs a reason.
    class_panel = page.locator("#class")
    expect(class_panel).to_contain_text("建议分类为 B类")
    class_panel.get_by_role("radio").first.check()  # A
    click_and_wait(page, class_panel.get_by_role("button", name="确定分类"))
    expect(page.locator("#class")).to_contain_text("与建议分类（B类）不同，须填写理由")
    lead_officer.shot("class-differs")
    class_panel = page.locator("#class")
    class_panel.get_by_role("radio").nth(1).check()  # B, as suggested
    click_and_wait(page, class_panel.get_by_role("button", name="确定分类"))
    expect_message(page, "答复函分类已确定为B类。")
    letter.refresh_from_db()
    assert (letter.addressee, letter.klass) == ("民建测试市委会", "B")

    # The PDF preview answers with a PDF.
    preview = page.get_by_role("link", name="预览PDF（新窗口）")
    response = page.request.get(preview.evaluate("link => link.href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    click_and_wait(page, page.get_by_role("button", name="送签发人签发"))
    expect_message(page, "答复函已送签，等待签发人签发。")
    expect(page.locator(".letter-status .state")).to_have_text("待签发")
    lead_officer.shot("letter-sent-for-signing")

    # The lead approver signs it; the page shows the document number.
    page = lead_approver.page
    nav(page, "本单位办理")
    queue = page.locator("section.queue").filter(has=page.locator("#to-sign"))
    expect(queue).to_contain_text("待签发的答复函（1份）")
    click_and_wait(page, queue.get_by_role("link", name="审阅签发"))
    expect(page.get_by_label("成文日期")).to_have_value(today.isoformat())
    lead_approver.shot("letter-to-sign")
    click_and_wait(page, page.locator(".sign-box").get_by_role("button", name="签发", exact=True))
    number = f"测工商联函〔{today.year}〕1号"
    expect_message(page, f"答复函已签发，发文字号为 {number}。")
    expect(page.locator(".letter-number")).to_have_text(number)
    expect(page.locator(".letter-status .state")).to_have_text("已签发")
    lead_approver.shot("letter-signed")
    letter.refresh_from_db()
    proposal.refresh_from_db()
    assert letter.number == number and letter.state == ReplyLetter.State.SIGNED
    assert letter.pdf_sha256
    assert proposal.state == Proposal.State.REPLIED


def test_office_prints_and_liaison_closes_the_proposal(world, journey):
    """办公室 downloads and prints the signed letter; 提案委 records feedback and closes."""
    proposal, letter = world.signed_letter()
    letter.refresh_from_db()
    assert letter.pdf_sha256  # the signed letter's PDF is stored once signed

    # The office: 待印发答复函, download the signed letter.
    office = journey("office")
    page = office.log_in("office")
    expect(page.locator("section[aria-labelledby=office-todo]")).to_contain_text("已签发、待印发的答复函 1 件。")
    office.shot("home")
    nav(page, "待印发答复函")
    expect(page.locator("p.count")).to_contain_text("共 1 份答复函")
    row = page.locator("table tbody tr").filter(has_text=letter.number)
    expect(row).to_contain_text("市工商联")
    office.shot("printable-letters")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"{letter.number}.pdf"
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == letter.pdf_sha256

    # A batch print of the session's letters, with its progress.
    batch = page.locator("form.batch-form")
    expect(batch.get_by_label("届次会议")).to_have_value(str(world.session.pk))
    click_and_wait(page, batch.get_by_role("button", name="开始生成"))
    expect(page.get_by_role("heading", name="批量打印任务")).to_be_visible()
    progress = page.locator("#job-progress")
    expect(progress).to_contain_text("已完成 1 / 1 份", timeout=30_000)
    expect(progress.get_by_role("link", name="下载文件")).to_be_visible()
    office.shot("print-job-done")
    job = PrintJob.objects.get()
    assert job.state == PrintJob.State.DONE and (job.done, job.total) == (1, 1)
    with page.expect_download() as download_info:
        progress.get_by_role("link", name="下载文件").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")

    # The liaison staff record the proposer's feedback and close the proposal.
    liaison = journey("liaison")
    page = liaison.log_in("liaison")
    to_record = page.locator(".todo-card").filter(has_text="已答复、待登记反馈的提案")
    expect(to_record).to_contain_text(proposal.number)
    liaison.shot("home")
    # The to-do opens the page where it is done: the feedback form.
    click_and_wait(page, to_record.get_by_role("link").filter(has_text=proposal.title))
    expect(page).to_have_url(re.compile(rf"/proposals/{proposal.pk}/feedback/$"))
    page.get_by_role("group", name="对办理工作").get_by_label("满意", exact=True).check()
    page.get_by_role("group", name="对办理结果").get_by_label("基本满意", exact=True).check()
    page.get_by_label("意见").fill("感谢市工商联的认真办理。")
    liaison.shot("feedback-form")
    click_and_wait(page, page.get_by_role("button", name="登记", exact=True))
    expect_message(page, "已登记反馈，可以办结该提案。")
    expect(page.locator(".proposal-head .state")).to_have_text("已答复")
    letters = page.locator("section.panel").filter(has=page.get_by_role("heading", name="答复函", exact=True))
    expect(letters).to_contain_text(letter.number)
    liaison.shot("proposal-replied")
    feedback = page.locator("section.panel").filter(has=page.get_by_role("heading", name="办理反馈"))
    expect(feedback).to_contain_text("满意")
    expect(feedback).to_contain_text("基本满意")
    liaison.shot("feedback-recorded")

    click_and_wait(page, page.locator(".action-bar").get_by_role("button", name="办结"))
    expect_message(page, f"第{proposal.number}号提案已办结。")
    expect(page.locator(".proposal-head .state")).to_have_text("已办结")
    history = page.locator("table.history tbody tr")
    for action in ("立案", "交办", "审核通过", "送签", "签发", "登记反馈", "办结"):
        expect(history.filter(has=page.locator("td:nth-child(3)", has_text=action)).first).to_be_visible()
    expect(history.filter(has_text="办理工作：满意；办理结果：基本满意")).to_have_count(1)
    expect(history.last).to_contain_text("已办结")
    liaison.shot("closed")
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED


def test_an_agency_asks_for_more_time_and_the_liaison_staff_agree(world, journey):
    """延期: the lead officer asks from the handling page; liaison staff hear of it, find the
    proposal with the search box, and approve; the officer is told the new date."""
    proposal = world.assigned(title="关于完善社区养老服务设施的建议")
    assignment = proposal.assignments.get(agency=world.lead)
    old_due = assignment.due_on
    new_due = old_due + datetime.timedelta(days=45)

    officer = journey("officer")
    page = officer.log_in("lead-officer")
    officer.go(f"/handling/{proposal.pk}/")
    page.get_by_role("link", name="申请延期").click()
    page.fill("#id_due_on", new_due.isoformat())
    page.fill("#id_reason", "需等待市财政局对专项资金的批复。")
    officer.shot("extension-form")
    page.get_by_role("button", name="提交申请").click()
    expect_message(page, "延期申请已提交")
    expect(page.get_by_text(f"已申请延期至{day_text(new_due)}，待审批")).to_be_visible()
    officer.shot("pending")

    liaison = journey("liaison")
    page = liaison.log_in("liaison")
    expect(page.get_by_text("有1份延期申请待审批")).to_be_visible()
    click_and_wait(page, page.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("^通知")))
    expect(page.get_by_text("延期申请待审批").first).to_be_visible()
    liaison.shot("notification")

    # The search box in the header finds the proposal by two characters of its title.
    page.fill("#site-search-q", "养老")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("mark").first).to_have_text("养老")
    liaison.shot("search")

    nav(page, "延期申请")
    page.get_by_role("link", name="审批").click()
    page.get_by_label("批准延期", exact=True).check()
    liaison.shot("decide")
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_text("没有待审批的延期申请。")).to_be_visible()
    assignment.refresh_from_db()
    assert assignment.due_on == new_due

    page = officer.go("/notifications/")
    expect(page.get_by_text(f"的办理期限已延至{day_text(new_due)}")).to_be_visible()
    officer.shot("approved")
