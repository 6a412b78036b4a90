"""The statistics dashboard: who may see it, what it shows, and what it costs."""

from __future__ import annotations

import io
from types import SimpleNamespace
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import excel
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


# ---------------------------------------------------------------- the charts


def test_the_charts_are_svg_with_the_numbers(client, counted):
    html = get(client, counted.liaison).content.decode()
    assert "<script src" not in html.split("</header>", 1)[1]  # no chart library
    assert html.count('role="img"') == 5
    # Reply and on-time rates on a 330-unit scale: 市工商联 80% and 40%, 市民政局 20% and 20%.
    rates = html[html.index('id="chart-rates"'):html.index("</figure>", html.index('id="chart-rates"'))]
    assert '<title id="chart-rates-title">各承办单位办复率与按期办复率</title>' in rates
    assert 'width="264.0"' in rates and 'width="132.0"' in rates and 'width="66.0"' in rates
    assert "市工商联 办复率 80%（4/5）" in rates and "市民政局 按期办复率 20%（1/5）" in rates
    assert "市民政局：办复率20%，按期办复率20%，逾期2件" in rates  # in the description
    # Days overdue scaled to the longest, 75 days: 市民政局 75 and 53 on average, 市工商联 14 and 12.
    lateness = html[html.index('id="chart-lateness"'):]
    assert 'width="330.0"' in lateness and 'width="233.2"' in lateness
    assert 'width="61.6"' in lateness and 'width="52.8"' in lateness
    assert "市民政局：逾期2件，最长逾期75天，平均逾期53天" in lateness
    # Classes as a stacked bar: all letters 3 A and 1 B of 4, on the compact charts' 236 units.
    classes = html[html.index('id="chart-classes"'):]
    assert 'width="177.0"' in classes and 'width="59.0"' in classes
    assert "全部：A类3（75%）、B类1（25%）、C类0（0%）" in classes
    satisfaction = html[html.index('id="chart-satisfaction"'):]
    assert "对办理结果：满意1（33.3%）、基本满意1（33.3%）、不满意1（33.3%）" in satisfaction
    adoption = html[html.index('id="chart-adoption"'):]
    assert "吸收采纳6条（66.7%）" in adoption and 'width="236.0"' in adoption


def test_the_numbers_are_in_tables_too(client, counted):
    response = get(client, counted.liaison)
    html = response.content.decode()
    assert response.context["class_rows"][0] == {"label": "A类", "count": 3, "percent": 75.0}
    assert {"label": "满意率", "handling": "100%", "result": "66.7%"} in response.context["satisfaction_rows"]
    lead = next(r for r in response.context["stats"]["by_agency"] if r["code"] == "lead")
    assert lead["avg_days_overdue"] == 12.0
    assert '<th scope="row" title="测试市民政局">市民政局</th>' in html
    assert "53.0" in html and "12.0" in html  # average days overdue in the agency table


def test_nothing_to_draw_on_an_empty_session(client, world):
    html = get(client, world.liaison).content.decode()
    assert "<svg" not in html
    assert "本届次尚未交办提案" in html


# ---------------------------------------------------------------- sorting the agencies


def _order(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [row["code"] for row in response.context["stats"]["by_agency"]]


def test_the_agency_table_sorts_on_the_server(client, counted):
    client.force_login(counted.liaison)
    factories.proposal_for(counted, factories.AgencyFactory(code="third", short_name="市第三局"))
    assert _order(client) == ["co", "lead", "third"]
    assert _order(client, sort="avg_days") == ["co", "third", "lead"]
    assert _order(client, sort="reply_rate") == ["third", "co", "lead"]
    assert _order(client, sort="satisfaction") == ["lead", "co", "third"]
    assert _order(client, sort="whatever") == ["co", "lead", "third"]
    html = client.get(URL, {"sort": "reply_rate"}).content.decode()
    assert html.index(">市第三局<") < html.index(">市民政局<") < html.index(">市工商联<")
    assert 'aria-sort="ascending"><a href="?session=13-2&amp;sort=reply_rate">' in html
    assert '<strong aria-current="true">办复率低的在前</strong>' in html


# ---------------------------------------------------------------- the workbook


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == excel.CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_statistics_export_as_a_workbook(client, counted):
    client.force_login(counted.liaison)
    response = client.get(URL, {"session": "13-2", "format": "xlsx"})
    book = _workbook(response)
    assert book.sheetnames == ["届次统计", "承办单位", "情况综述"]
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == "市政协十三届二次会议提案办理统计20230615.xlsx"

    session = {row[0]: row[1:] for row in book["届次统计"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["届次统计"][1]] == ["项目", "数量", "比率"]
    assert session["收到提案"] == (9, None)
    assert session["立案"] == (6, pytest.approx(0.667))
    assert session["办复（办复率）"] == (4, pytest.approx(0.8))
    assert session["按期办复（按期办复率）"] == (2, pytest.approx(0.4))
    assert session["逾期未办复的提案"] == (2, None)
    assert session["逾期的交办（单位次）"] == (4, None)
    assert session["平均逾期天数"] == (32.5, None)
    assert session["答复函A类"] == (3, pytest.approx(0.75))
    assert session["采纳情况：留作参考"] == (1, pytest.approx(0.111))
    assert session["对办理结果不满意"] == (1, pytest.approx(0.333))
    assert session["对办理结果满意率"] == (None, pytest.approx(0.667))
    assert book["届次统计"]["C3"].number_format == "0.0%"

    agencies = book["承办单位"]
    headers = [c.value for c in agencies[1]]
    rows = [dict(zip(headers, row, strict=True)) for row in agencies.iter_rows(min_row=2, values_only=True)]
    assert [row["承办单位"] for row in rows] == ["市民政局", "市工商联"]  # the page's order
    co, lead = rows
    assert (lead["交办"], lead["办复"], lead["按期办复"], lead["逾期"], lead["最长逾期天数"],
            lead["平均逾期天数"]) == (5, 4, 2, 2, 14, 12)
    assert lead["办复率"] == pytest.approx(0.8) and lead["对办理结果满意率"] == pytest.approx(0.667)
    assert (lead["A类"], lead["B类"], lead["吸收采纳"], lead["正在落实"]) == (3, 1, 6, 2)
    assert (co["会办"], co["逾期"], co["最长逾期天数"], co["平均逾期天数"], co["留作参考"]) == (5, 2, 75, 53, 1)
    assert co["对办理结果满意率"] is None
    assert agencies.freeze_panes == "A2"

    summary = book["情况综述"]["A2"].value
    assert summary.startswith("市政协十三届二次会议共收到提案9件，经审查立案6件")
    assert summary == get(client, counted.liaison).context["summary"]


def test_the_export_follows_the_chosen_sort(client, counted):
    client.force_login(counted.liaison)
    book = _workbook(client.get(URL, {"sort": "satisfaction", "format": "xlsx"}))
    assert [row[0] for row in book["承办单位"].iter_rows(min_row=2, values_only=True)] == ["市工商联", "市民政局"]
    html = client.get(URL, {"sort": "satisfaction"}).content.decode()
    assert 'href="?session=13-2&amp;sort=satisfaction&amp;format=xlsx"' in html


@pytest.mark.parametrize("who", ["lead_officer", "office"])
def test_only_liaison_staff_export_the_statistics(client, world, who):
    assert get(client, getattr(world, who), f"{URL}?format=xlsx").status_code == 403


def test_the_export_costs_a_fixed_number_of_queries(client, counted):
    def queries() -> int:
        client.force_login(counted.liaison)
        client.get(URL, {"format": "xlsx"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"format": "xlsx"}).status_code == 200
        return len(captured)

    small = queries()
    build(counted)
    factories.proposal_for(counted, factories.AgencyFactory(code="third"))
    assert queries() == small


def test_the_statistics_are_kept_for_a_while_and_recomputed_on_request(client, counted, settings):
    from django.core.cache import cache

    settings.STATS_CACHE_SECONDS = 300
    cache.clear()
    first = get(client, counted.liaison)
    assert first.context["stats"]["proposals"] == 9
    assert "数据计算于" in first.content.decode()
    counted.proposal()  # a tenth proposal, logged after the numbers were computed
    with CaptureQueriesContext(connection) as cached:
        again = client.get(URL)
    assert again.context["stats"]["proposals"] == 9
    assert again.context["computed_at"] == first.context["computed_at"]
    refreshed = client.get(URL, {"refresh": "1"})
    assert refreshed.context["stats"]["proposals"] == 10
    with CaptureQueriesContext(connection) as fresh:
        client.get(URL, {"refresh": "1"})
    assert len(cached) < len(fresh)
    cache.clear()


def test_the_rendered_statistics_are_kept_with_the_statistics(client, counted, settings, monkeypatch):
    from django.core.cache import cache

    from proposals.views import dashboard as views_dashboard

    settings.STATS_CACHE_SECONDS = 300
    cache.clear()
    built = []
    real = views_dashboard.rate_chart
    monkeypatch.setattr(views_dashboard, "rate_chart", lambda rows: built.append(1) or real(rows))
    def statistics(response) -> str:
        page = response.content.decode()
        return page[page.index('<section class="tiles"'):]

    first = statistics(get(client, counted.liaison))
    again = statistics(client.get(URL))
    assert len(built) == 1
    assert again == first
    # Another sort is another rendering; each is kept.
    by_rate = statistics(client.get(URL, {"sort": "reply_rate"}))
    client.get(URL, {"sort": "reply_rate"})
    assert len(built) == 2
    assert by_rate != first
    # Numbers computed afresh are rendered afresh: the tenth proposal shows.
    counted.proposal()
    assert '<span class="tile__value">9</span>' in first
    refreshed = statistics(client.get(URL, {"refresh": "1"}))
    assert len(built) == 3
    assert '<span class="tile__value">10</span>' in refreshed
    cache.clear()


def test_people_opening_the_dashboard_together_compute_the_numbers_once(counted, settings, monkeypatch):
    """The first request computes; one arriving meanwhile waits for its result."""
    import threading

    from django.core.cache import cache

    settings.STATS_CACHE_SECONDS = 300
    cache.clear()
    started, release, calls = threading.Event(), threading.Event(), []
    # Computed here: the threads below have database connections of their own, which do
    # not see this test's data; what matters is how often they compute.
    numbers = stats_module.session_statistics(counted.session)

    def slow(session, today=None):
        calls.append(session.pk)
        started.set()
        release.wait(10)
        return numbers

    monkeypatch.setattr(stats_module, "session_statistics", slow)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault(
        "first", stats_module.cached_session_statistics(counted.session)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: results.setdefault(
        "second", stats_module.cached_session_statistics(counted.session)))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first, not computing
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [counted.session.pk]
    assert results["first"] == results["second"]
    cache.clear()
