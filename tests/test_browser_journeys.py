"""Whole journeys in a real browser (Debian's Chromium driven by Playwright).

Screenshots of every step are kept under test-artifacts/<test>/.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
