"""The handling steps committees use, in a real browser (Chromium), at a desk and on a phone:
a 退办 request approved and reassigned, a contact recorded before a letter may go for
signing, a letter with an attachment printed; and every page an officer, an approver or
the office uses fits a phone at 390 px and, in English, a desk at 1366 px."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from followup import services as followup
from proposals import services as ps
from proposals.models import ReleaseRequest
from replies import services as rs
from replies.models import ReplyLetter
from tests.factories import AgencyFactory, proposal_in_state, user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])

# Run in the browser: what does not fit. The site's navigation on one line; no table
# wider than its frame (on a phone, the liaison dashboard's tables scroll inside theirs); no
# column heading broken over lines; nothing wider than the window; no cell one character wide.
FIT = """() => {
  const problems = [];
  const wide = window.innerWidth > 720;
  const nav = document.querySelector('.site-nav');
  if (wide && nav) {
    const tops = new Set([...nav.querySelectorAll('a')].map(a => Math.round(a.getBoundingClientRect().top)));
    if (tops.size > 1) problems.push('the navigation takes ' + tops.size + ' lines');
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push('the page is ' + document.documentElement.scrollWidth + 'px wide');
  }
  document.querySelectorAll('.table-wrap').forEach(w => {
    // on a phone the dashboard's wide tables scroll inside their frame; every other table is cards
    if (!wide && w.querySelector('.dash-table')) return;
    if (w.scrollWidth > w.clientWidth + 1) problems.push('a table is clipped: ' + w.innerText.slice(0, 40));
  });
  document.querySelectorAll('th').forEach(th => {
    if (!th.offsetParent) return;
    const style = getComputedStyle(th);
    const inner = th.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (inner > parseFloat(style.lineHeight) * 1.5) problems.push('a heading wraps: ' + th.innerText);
  });
  document.querySelectorAll('.site-nav a, .table td').forEach(cell => {
    if (!cell.offsetParent || !cell.innerText.trim() || cell.querySelector('input')) return;
    const size = parseFloat(getComputedStyle(cell).fontSize);
    if (cell.clientWidth > 0 && cell.clientWidth < size * 2.5 && cell.innerText.trim().length > 3) {
      problems.push('one character a line: ' + cell.innerText.slice(0, 20));
    }
  });
  return problems;
}"""


@pytest.fixture(autouse=True)
def _close_connections_opened_beside_the_browser(browser):
    yield
    connections.close_all()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LETTER_PREVIEW_CACHE_SECONDS = 0


def click_and_wait(page, target) -> None:
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


def fits(page) -> None:
    assert page.evaluate(FIT) == [], page.url


# ---------------------------------------------------------------- 退办 / 改办


@VIEWPORTS
def test_a_release_request_approved_and_reassigned(world, journey, monkeypatch, viewport):
    monkeypatch.setattr(ps.common, "today", lambda: datetime.date(2023, 3, 3))  # within the window
    right = AgencyFactory(code="right", name="测试市住房和城乡建设局", short_name="市住建局",
                          title_name="测试市住建局")
    right_officer = user_in(right, "officer")
    proposal = world.assigned()

    officer = journey("co-officer")
    page = officer.log_in(world.co_officer.username)
    page.set_viewport_size(viewport)
    officer.go(f"/handling/{proposal.pk}/")
    click_and_wait(page, page.get_by_role("link", name="申请退办"))
    expect(page.locator("h1")).to_have_text("申请退办")
    page.fill("#id_reason", "停车设施建设不属于本单位职责。")
    page.select_option("#id_suggested_agency", label="测试市住房和城乡建设局")
    fits(page)
    officer.shot("release-asked")
    click_and_wait(page, page.get_by_role("button", name="提交退办申请"))
    expect(page.locator(".release-pending")).to_contain_text("已申请退办，待审批")

    liaison = journey("liaison")
    page = liaison.log_in(world.liaison.username)
    page.set_viewport_size(viewport)
    click_and_wait(page, page.get_by_role("link", name="有1份退办申请待审批"))
    fits(page)
    click_and_wait(page, page.get_by_role("link", name="审批"))
    expect(page.locator("#id_agency")).to_have_value(str(right.pk))  # the suggestion is chosen
    page.fill("#id_assigned_on", "2023-03-06")
    liaison.shot("release-decided")
    click_and_wait(page, page.get_by_role("button", name="确定"))
    expect(page.locator(".messages")).to_contain_text("已同意市民政局退办，改由市住建局办理。")
    request = ReleaseRequest.objects.get()
    assert (request.state, request.reassigned_to) == ("approved", right)
    new = proposal.assignments.get(agency=right)
    assert (new.role, new.assigned_on, new.due_on) == ("co", datetime.date(2023, 3, 6), datetime.date(2023, 4, 6))

    arriving = journey("right-officer")
    page = arriving.log_in(right_officer.username)
    page.set_viewport_size(viewport)
    arriving.go("/inbox/")
    expect(page.locator("a.inbox__proposal")).to_contain_text(proposal.title)
    fits(page)
    arriving.shot("reassigned-in-the-inbox")


# ---------------------------------------------------------------- 沟通


@VIEWPORTS
def test_a_contact_recorded_before_the_letter_goes_for_signing(world, journey, viewport):
    world.session.contact_required = True
    world.session.save()
    proposal, letter = world.ready_letter()
    officer = journey("officer")
    page = officer.log_in(world.lead_officer.username)
    page.set_viewport_size(viewport)
    officer.go(f"/letters/{letter.pk}/")
    click_and_wait(page, page.get_by_role("button", name="送签发人签发"))
    expect(page.locator(".messages")).to_contain_text("本届要求答复前与提案者沟通")
    click_and_wait(page, page.locator(".submit-box").get_by_role("link", name="登记沟通情况"))
    page.fill("#id_contacted_on", "2023-04-18")
    page.select_option("#id_way", label="座谈")
    page.fill("#id_participants", "民建测试市委会副主委；市工商联会员部")
    page.fill("#id_note", "座谈听取意见，提案者认可拟采取的措施。")
    fits(page)
    officer.shot("contact-form")
    click_and_wait(page, page.get_by_role("button", name="登记"))
    expect(page.locator("#contacts")).to_contain_text("座谈听取意见")
    officer.go(f"/letters/{letter.pk}/")
    expect(page.locator("#contacts")).to_contain_text("民建测试市委会副主委")
    click_and_wait(page, page.get_by_role("button", name="送签发人签发"))
    expect(page.locator(".letter-status")).to_contain_text("待签发")
    fits(page)
    officer.shot("sent-for-signing")


# ---------------------------------------------------------------- 附件


def attachment_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>INDUSTRY ASSOCIATION LIST</p>").write_pdf()


@VIEWPORTS
def test_a_letter_with_an_attachment_is_signed_and_printed(world, journey, viewport, tmp_path):
    proposal, letter = world.ready_letter()
    officer = journey("officer")
    page = officer.log_in(world.lead_officer.username)
    page.set_viewport_size(viewport)
    officer.go(f"/letters/{letter.pk}/")
    upload = tmp_path / "名录.pdf"
    upload.write_bytes(attachment_pdf())
    page.fill("#id_attachment-title", "测试市行业协会名录")
    page.set_input_files("#id_attachment-file", str(upload))
    click_and_wait(page, page.get_by_role("button", name="添加附件"))
    expect(page.locator("#attachments")).to_contain_text("附件1：测试市行业协会名录")
    fits(page)
    officer.shot("attachment-added")
    click_and_wait(page, page.get_by_role("button", name="送签发人签发"))

    approver = journey("approver")
    page = approver.log_in(world.lead_approver.username)
    page.set_viewport_size(viewport)
    approver.go(f"/letters/{letter.pk}/")
    page.fill("#id_signed_on", "2023-07-07")
    click_and_wait(page, page.locator(".sign-box").get_by_role("button", name="签发", exact=True))
    letter.refresh_from_db()
    assert letter.state == ReplyLetter.State.SIGNED
    response = page.request.get(f"{approver.base_url}/letters/{letter.pk}/pdf/")
    reader = PdfReader(io.BytesIO(response.body()))
    texts = [p.extract_text().replace(" ", "") for p in reader.pages]
    assert "附件：测试市行业协会名录" in "".join(texts[:-2])
    assert "附件1" in texts[-2] and "INDUSTRYASSOCIATIONLIST" in texts[-2]
    # the 版记 after the attachment, the page numbers going on through both
    assert "抄送" in texts[-1] and "抄送" not in "".join(texts[:-1])
    assert f"—{len(reader.pages) - 1}—" in texts[-2] and f"—{len(reader.pages)}—" in texts[-1]
    approver.shot("signed-with-attachment")


# ---------------------------------------------------------------- every page, two widths


def _people_and_pages(world):
    """A morning's worth of objects and the pages each person opens."""
    proposal, draft = world.ready_letter()
    rs.letter_attachment_add(letter=draft, upload=_upload(), title="名录", actor=world.lead_officer)
    _review_proposal, review = world.ready_letter()
    rs.letter_submit(letter=review, actor=world.lead_officer)
    _signed_proposal, signed = world.signed_letter()
    handled = world.assigned()
    section = rs.section_create(recommendation=handled.recommendations.first(), agency=world.co,
                                adoption="adopted", body="市民政局将统筹推进。", actor=world.co_officer)
    rs.section_submit(section=section, actor=world.co_officer)
    # A promise made (正在落实, approved) with a progress report; the longest text the forms take.
    promised = rs.section_create(recommendation=handled.recommendations.last(), agency=world.lead,
                                 adoption="in_progress", body="市工商联正在推进。", actor=world.lead_officer,
                                 commitment=("年底前" + "建成行业协会服务中心" * 99, datetime.date(2030, 1, 1)))
    rs.section_submit(section=promised, actor=world.lead_officer)
    rs.section_approve(section=promised, actor=world.lead_approver)
    followup.commitment_report(commitment=promised.commitment, status="partly", text="进展" * 1000,
                               actor=world.lead_officer)
    registered = proposal_in_state(world, "registered")
    agency_pages = ["/", "/inbox/", f"/handling/{proposal.pk}/", f"/handling/{handled.pk}/", "/notifications/",
                    "/followup/", f"/followup/{promised.commitment.pk}/",
                    reverse("replies:section_create", args=[handled.recommendations.first().pk])]
    return {
        "lead_officer": (world.lead_officer, agency_pages + [
            f"/letters/{draft.pk}/", f"/letters/{draft.pk}/parts/1/", f"/proposals/{proposal.pk}/contacts/new/",
            f"/proposals/assignments/{proposal.assignments.get(agency=world.lead).pk}/extension/"]),
        "lead_approver": (world.lead_approver, agency_pages + [f"/letters/{review.pk}/", f"/letters/{signed.pk}/"]),
        "co_approver": (world.co_approver, ["/", "/inbox/", f"/handling/{handled.pk}/"]),
        "office": (world.office, ["/", "/print/", f"/letters/{signed.pk}/"]),
        "liaison": (world.liaison, ["/", "/proposals/", f"/proposals/{proposal.pk}/", "/proposals/dashboard/",
                                    "/proposals/releases/", "/proposals/extensions/", "/proposals/contacts/missing/",
                                    "/followup/", f"/proposals/{registered.pk}/assign/",
                                    "/verify/", f"/verify/?code={signed.verify_code}"]),
    }


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("名录.pdf", attachment_pdf(), content_type="application/pdf")


def test_every_page_fits_a_phone_and_english_at_a_desk(world, journey):
    for role, (user, paths) in _people_and_pages(world).items():
        person = journey(role)
        page = person.log_in(user.username)
        page.set_viewport_size(PHONE)
        for path in paths:
            person.go(path)
            fits(page)
            if path == "/" or "handling" in path or "letters" in path:
                person.shot("phone" + path.replace("/", "-"))
        # the menu opens on a phone; the language is chosen there
        page.click(".nav-toggle__button")
        expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
        with page.expect_navigation():
            page.select_option("#language", "en")
        page.set_viewport_size(DESK)
        for path in paths:
            person.go(path)
            assert page.locator("html").get_attribute("lang") == "en"
            fits(page)
            if path == "/" or "letters" in path or "dashboard" in path:
                person.shot("english-desk" + path.replace("/", "-"))
