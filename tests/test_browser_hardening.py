"""What the outside tester broke, tried again in a real browser (Chromium), at a desk and
on a phone: two people saving one proposal, the admin's login under a guessing attack, and
the office looking for a draft letter in the admin."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from proposals.models import Proposal
from replies.models import ReplyLetter
from tests.factories import letter_in_state, superuser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scrolling(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_two_people_saving_one_proposal(world, journey, viewport):
    proposal = world.proposal()
    first, second = journey("first"), journey("second")
    for person in (first, second):
        person.log_in("liaison" if person is first else world.liaison.username)
        if viewport:
            person.page.set_viewport_size(viewport)
        person.go(f"/proposals/{proposal.pk}/edit/")
        expect(person.page.locator("h1")).to_have_text("修改提案")

    first.page.fill("#id_title", "关于第一位同事改定的案由的建议")
    first.page.get_by_role("button", name="保存修改").click()
    first.page.wait_for_load_state()
    expect(first.page.locator(".messages")).to_contain_text("已保存")

    second.page.fill("#id_title", "关于第二位同事改定的案由的建议")
    second.page.get_by_role("button", name="保存修改").click()
    second.page.wait_for_load_state()
    conflict = second.page.locator("section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("关于第一位同事改定的案由的建议")
    expect(second.page.locator("#id_title")).to_have_value("关于第二位同事改定的案由的建议")
    second.shot("conflict")
    if viewport:
        no_sideways_scrolling(second.page)
    assert Proposal.objects.get(pk=proposal.pk).title == "关于第一位同事改定的案由的建议"

    # Having compared, the second person saves theirs knowingly.
    second.page.get_by_role("button", name="保存修改").click()
    second.page.wait_for_load_state()
    expect(second.page.locator(".messages")).to_contain_text("已保存")
    assert Proposal.objects.get(pk=proposal.pk).title == "关于第二位同事改定的案由的建议"


def test_the_admin_login_locks_a_guessed_name(world, journey, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    cache.clear()
    superuser("root")
    attacker = journey("attacker")
    page = attacker.page
    for _ in range(5):
        attacker.go("/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
        page.wait_for_load_state()
    attacker.go("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".errornote")).to_contain_text("登录失败次数过多")
    attacker.shot("locked")
    # The site's own login page holds the same lock.
    site = journey("site")
    site.log_in("root")
    expect(site.page.locator("[role=alert]")).to_contain_text("登录失败次数过多")
    cache.clear()


def test_the_office_finds_no_draft_letter_in_the_admin(world, journey):
    draft = letter_in_state(world, "draft")
    signed = letter_in_state(world, "signed")
    world.office.is_staff = True
    world.office.save()
    office = journey("office")
    office.log_in(world.office.username)
    office.go(f"/admin/replies/replyletter/{draft.pk}/change/")
    expect(office.page.locator(".messagelist")).to_contain_text("不存在")
    office.go("/admin/replies/replyletter/")
    rows = office.page.locator("#result_list tbody tr")
    expect(rows).to_have_count(ReplyLetter.objects.visible_to(world.office).count())
    expect(office.page.locator("#result_list")).to_contain_text(signed.title[:10])
    office.shot("letters")
