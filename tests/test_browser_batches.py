"""An approver's morning in a real browser (Chromium), at a desk and on a phone: from the
to-do list to the approvals, several sections approved at once, several letters signed at
once; then the office prints what waits and confirms the batch as printed."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from playwright.sync_api import expect

from replies import services as rs
from replies.models import PrintJob, ReplyLetter, Section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _close_connections_opened_beside_the_browser(browser):
    yield
    connections.close_all()


def no_sideways_scrolling(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def click_and_wait(page, target) -> None:
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_approvers_morning_in_batches_and_the_office_confirms_the_print(world, journey, viewport):
    handled = world.assigned()
    sections = []
    for recommendation in handled.recommendations.order_by("ordinal"):
        section = rs.section_create(recommendation=recommendation, agency=world.lead,
                                    actor=world.lead_officer, adoption="adopted", body="已办理。")
        rs.section_submit(section=section, actor=world.lead_officer)
        sections.append(section)
    letters = []
    for _ in range(2):
        _proposal, letter = world.ready_letter()
        rs.letter_submit(letter=letter, actor=world.lead_officer)
        letters.append(letter)

    approver = journey("approver")
    page = approver.log_in(world.lead_approver.username)
    if viewport:
        page.set_viewport_size(viewport)
    # 我的待办 leads to the approval itself.
    to_approve = page.locator("section#agency-todo, section").filter(has_text="待审核的办理意见").first
    expect(to_approve).to_contain_text(handled.number)
    click_and_wait(page, page.locator(f'a[href$="#section-{sections[0].pk}"]'))
    expect(page).to_have_url(re.compile(rf"/handling/{handled.pk}/#section-{sections[0].pk}$"))
    expect(page.locator(f"#section-{sections[0].pk}")).to_contain_text("审核通过")
    approver.shot("approval-from-the-to-do")

    # The inbox: tick both sections, approve them at once.
    approver.go("/inbox/")
    for section in sections:
        page.locator(f"#approve-{section.pk}").check()
    if viewport:
        no_sideways_scrolling(page)
    approver.shot("inbox-ticked")
    click_and_wait(page, page.get_by_role("button", name="审核通过所选办理意见"))
    expect(page.locator(".messages")).to_contain_text("已审核通过2条办理意见。")
    assert set(Section.objects.filter(pk__in=[s.pk for s in sections]).values_list("state", flat=True)) == {
        "approved"}

    # Both letters signed at once, each with its own number.
    for letter in letters:
        page.locator(f"#sign-{letter.pk}").check()
    page.locator('input[name="signed_on"]').fill("2023-07-07")
    click_and_wait(page, page.get_by_role("button", name="签发所选答复函"))
    expect(page.locator(".messages")).to_contain_text("已签发2份答复函。")
    numbers = sorted(ReplyLetter.objects.filter(pk__in=[x.pk for x in letters]).values_list("number", flat=True))
    assert len(set(numbers)) == 2
    for number in numbers:
        expect(page.locator(".messages")).to_contain_text(number)
    approver.shot("signed")
    if viewport:
        no_sideways_scrolling(page)

    # The office: 待印发 lists the two, a batch of them, confirmed as printed.
    office = journey("office")
    page = office.log_in(world.office.username)
    if viewport:
        page.set_viewport_size(viewport)
    office.go("/print/")
    expect(page.locator("p.count")).to_contain_text("共 2 份答复函")
    page.get_by_label("仅待印发的（已签发、未印发）").check()
    click_and_wait(page, page.get_by_role("button", name="开始生成"))
    job = PrintJob.objects.get()
    expect(page.locator("#job-progress")).to_contain_text("已完成 2 / 2 份", timeout=30_000)
    office.shot("batch-done")
    click_and_wait(page, page.get_by_role("button", name="已打印本批，标记为已印发"))
    expect(page.locator(".messages")).to_contain_text("已将2份答复函标记为已印发。")
    assert set(ReplyLetter.objects.filter(pk__in=job.letter_ids).values_list("state", flat=True)) == {"issued"}
    office.go("/print/")
    expect(page.locator("p.empty")).to_be_visible()
    if viewport:
        no_sideways_scrolling(page)
