"""The statistics dashboard: who may see it, what it shows, and what it costs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import stats as stats_module
from tests import factories
from tests.test_stats import TODAY, build

URL = reverse("proposals:dashboard")


@pytest.fixture
def counted(world, monkeypatch):
    """The hand-counted session of test_stats, seen on 2023年6月15日."""
    monkeypatch.setattr(stats_module, "timezone", SimpleNamespace(localdate=lambda: TODAY))
    build(world)
    return world


def get(client, user, url=URL):
    client.force_login(user)
    return client.get(url)


def test_liaison_staff_see_the_dashboard(client, counted):
    response = get(client, counted.liaison)
    assert response.status_code == 200
    assert response.context["session"] == counted.session
    assert response.context["stats"]["replied"] == 4
    html = response.content.decode()
    assert "统计看板" in html and "css/dashboard.css" in html


def test_a_superuser_sees_the_dashboard(client, counted):
    assert get(client, factories.superuser()).status_code == 200


@pytest.mark.parametrize("who", ["lead_officer", "lead_approver", "co_officer", "office"])
def test_everyone_else_is_refused(client, world, who):
    response = get(client, getattr(world, who))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_agency_table_puts_the_latest_first(client, counted):
    rows = get(client, counted.liaison).context["stats"]["by_agency"]
    assert [(r["short_name"], r["overdue"], r["max_days_overdue"]) for r in rows] == [
        ("市民政局", 2, 75), ("市工商联", 2, 14),
    ]
    html = get(client, counted.liaison).content.decode()
    assert html.index("市民政局") < html.index("市工商联")
    assert 'style="width: 80.0%"' in html  # the lead agency's reply rate, drawn as a bar


def test_the_summary_is_there_to_copy(client, counted):
    html = get(client, counted.liaison).content.decode()
    assert "<textarea" in html and "readonly" in html
    assert "共收到提案9件，经审查立案6件" in html
    assert "满意率66.7%" in html


def test_the_latest_session_is_the_default_and_others_can_be_chosen(client, counted):
    later = factories.SessionFactory(code="13-3", meeting=3, year=2024, name="市政协十三届三次会议")
    response = get(client, counted.liaison)
    assert response.context["session"] == later
    assert response.context["stats"]["proposals"] == 0
    response = client.get(URL, {"session": "13-2"})
    assert response.context["stats"]["proposals"] == 9
    assert client.get(URL, {"session": "99-9"}).status_code == 404


def test_no_session_yet(client, db):
    response = get(client, factories.superuser())
    assert response.status_code == 200
    assert "还没有届次会议" in response.content.decode()


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(URL)  # warm: the session, the user's groups
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_data(client, counted):
    small = _queries(client, counted.liaison)
    build(counted)
    third = factories.AgencyFactory(code="third")
    factories.proposal_for(counted, third)
    factories.proposal_for(counted, factories.AgencyFactory(code="fourth"), role="lead")
    assert _queries(client, counted.liaison) == small


def test_the_dashboard_dates_its_numbers_in_chinese(client, world):
    from django.utils import timezone

    client.force_login(world.liaison)
    page = client.get(reverse("proposals:dashboard")).content.decode()
    today = timezone.localdate()
    assert f"统计截至 {today.year}年{today.month}月{today.day}日" in page
