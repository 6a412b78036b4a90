"""统计看板: a session's numbers at a glance, for liaison staff (and superusers).

Anyone not signed in is sent to the login page; everyone else but liaison staff gets
the site's 403 page. The numbers come from :func:`proposals.stats.session_statistics`,
so the page runs the same fixed number of queries whatever the size of the session.

The charts are SVG drawn on the server (:mod:`proposals.charts`): no script, nothing fetched from
elsewhere. Each has a title and a description with its numbers, which the tables on
the page also show. ``?sort=`` orders the agency table (see ``stats.AGENCY_SORTS``);
``?format=xlsx`` sends the page's tables and summary as an Excel workbook.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import excel
from core.pages import allowed
from core.roles import is_liaison

from ..charts import (
    adoption_chart,
    class_chart,
    lateness_chart,
    rate_chart,
    satisfaction_chart,
)
from ..models import Satisfaction, Session
from ..stats import (
    AGENCY_SORTS,
    DEFAULT_AGENCY_SORT,
    SATISFACTION_KEYS,
    cached_session_statistics,
    format_percent,
    sort_agencies,
)
from ..summary import summary_text

# ---------------------------------------------------------------- the page


# How each ``?sort=`` orders its column, for the table header's aria-sort.
SORT_DIRECTIONS = {"late": "descending", "days": "descending", "avg_days": "descending"}


def _sort_links(session: Session, current: str) -> dict:
    return {
        key: {"url": f"?session={session.code}&sort={key}", "active": key == current, "label": label,
              "direction": SORT_DIRECTIONS.get(key, "ascending") if key == current else ""}
        for key, (label, _key) in AGENCY_SORTS.items()
    }


def _session(request) -> tuple[list[Session], Session | None]:
    sessions = list(Session.objects.only("code", "name"))
    code = request.GET.get("session")
    if code:
        session = next((s for s in sessions if s.code == code), None)
        if session is None:
            raise Http404(_("没有这个届次会议。"))
        return sessions, session
    return sessions, (sessions[0] if sessions else None)


def _satisfaction_rows(stats: dict) -> list[dict]:
    labels = dict(Satisfaction.choices)
    rows = [
        {"label": labels[key], "handling": stats["satisfaction"]["handling"][key],
         "result": stats["satisfaction"]["result"][key]}
        for key in SATISFACTION_KEYS
    ]
    rows.append({"label": _("满意率"), "handling": format_percent(stats["satisfaction_rate"]["handling"]),
                 "result": format_percent(stats["satisfaction_rate"]["result"])})
    return rows


@require_GET
@allowed(is_liaison, gettext_lazy("只有提案委工作人员可以查看统计。"))
def dashboard(request):
    sessions, session = _session(request)
    if session is None:
        return render(request, "proposals/dashboard.html", {"sessions": [], "session": None})
    sort = request.GET.get("sort")
    if sort not in AGENCY_SORTS:
        sort = DEFAULT_AGENCY_SORT
    stats, computed_at = cached_session_statistics(session, refresh=request.GET.get("refresh") == "1")
    stats["by_agency"] = sort_agencies(stats["by_agency"], sort)
    if excel.wants_xlsx(request):
        return export_statistics(stats, summary_text(stats))
    return render(request, "proposals/dashboard.html", {
        "sessions": sessions,
        "session": session,
        "stats": stats,
        "today": datetime.date.fromisoformat(stats["today"]),
        "sort": sort,
        "export_url": f"?session={session.code}&sort={sort}&format=xlsx",
        "refresh_url": f"?session={session.code}&sort={sort}&refresh=1",
        "computed_at": computed_at,
        "statistics": _statistics_html(session, stats, computed_at, sort),
    })


def _statistics_html(session: Session, stats: dict, computed_at: datetime.datetime, sort: str) -> str:
    """The numbers, tables and charts, rendered once for each computation of the statistics.

    They depend on nothing but the statistics (kept with the time they were computed),
    the sort and the language, so the HTML is kept as long as the statistics are.
    """
    seconds = settings.STATS_CACHE_SECONDS
    key = f"dashboard-html:{session.pk}:{computed_at.isoformat()}:{sort}:{get_language()}"
    html = cache.get(key) if seconds else None
    if html is None:
        html = render_to_string("proposals/_dashboard_statistics.html", _statistics_context(session, stats, sort))
        if seconds:
            cache.set(key, html, seconds)
    return mark_safe(html)  # rendered by the template engine, escaped there


def _statistics_context(session: Session, stats: dict, sort: str) -> dict:
    charts = [rate_chart(stats["by_agency"]), lateness_chart(stats["by_agency"]),
              class_chart(stats), satisfaction_chart(stats), adoption_chart(stats)]
    return {
        "stats": stats,
        "sort_links": _sort_links(session, sort),
        "rate_chart": charts[0],
        "lateness_chart": charts[1],
        "class_chart": charts[2],
        "satisfaction_chart": charts[3],
        "adoption_chart": charts[4],
        "adoption_columns": [(code, stats["adoption_labels"][code]) for code in stats["adoption"]],
        "class_rows": [
            {"label": _("%(klass)s类") % {"klass": klass}, "count": n, "percent": stats["class_percent"][klass]}
            for klass, n in stats["classes"].items()
        ],
        "adoption_rows": [
            {"label": stats["adoption_labels"][code], "count": n, "percent": stats["adoption_percent"][code]}
            for code, n in stats["adoption"].items()
        ],
        "satisfaction_rows": _satisfaction_rows(stats),
        "summary": summary_text(stats),
    }


# ---------------------------------------------------------------- the Excel workbook


def _session_rows(stats: dict) -> list[list]:
    def share(n, whole):
        return None if not whole else round(100 * n / whole, 1)

    proposals = stats["proposals"]
    rows = [
        [_("收到提案"), stats["proposals"], None],
        [_("立案"), stats["registered"], share(stats["registered"], proposals)],
        [_("转为意见建议"), stats["converted"], share(stats["converted"], proposals)],
        [_("撤案"), stats["withdrawn"], share(stats["withdrawn"], proposals)],
        [_("并案"), stats["merged"], share(stats["merged"], proposals)],
        [_("待审查"), stats["submitted"], share(stats["submitted"], proposals)],
        [_("交办"), stats["assigned"], None],
        [_("承办单位（个）"), stats["agencies"], None],
        [_("办复（办复率）"), stats["replied"], stats["reply_rate"]],
        [_("按期办复（按期办复率）"), stats["replied_on_time"], stats["on_time_rate"]],
        [_("办结"), stats["closed"], share(stats["closed"], stats["assigned"])],
        [_("重新办理"), stats["reopened"], None],
        [_("重点提案"), stats["key"], None],
        [_("逾期未办复的提案"), stats["overdue"], None],
        [_("逾期的交办（单位次）"), stats["overdue_assignments"], None],
        [_("有逾期的承办单位（个）"), stats["overdue_agencies"], None],
        [_("最长逾期天数"), stats["max_days_overdue"], None],
        [_("平均逾期天数"), excel.Cell(stats["avg_days_overdue"], excel.NUMBER), None],
    ]
    for klass, n in stats["classes"].items():
        rows.append([_("答复函%(klass)s类") % {"klass": klass}, n, stats["class_percent"][klass]])
    for code, n in stats["adoption"].items():
        rows.append([_("采纳情况：%(label)s") % {"label": stats["adoption_labels"][code]}, n,
                     stats["adoption_percent"][code]])
    rows.append([_("收到反馈的提案"), stats["feedback"], None])
    labels = dict(Satisfaction.choices)
    for field, what in (("handling", _("对办理工作")), ("result", _("对办理结果"))):
        for key in SATISFACTION_KEYS:
            n = stats["satisfaction"][field][key]
            rows.append([_("%(what)s%(label)s") % {"what": what, "label": labels[key]}, n,
                         share(n, stats["feedback"])])
        rows.append([_("%(what)s满意率") % {"what": what}, None, stats["satisfaction_rate"][field]])
    return rows


def _agency_sheet(stats: dict) -> excel.Sheet:
    count, rate, days = excel.INTEGER, excel.PERCENT, excel.NUMBER
    columns = [
        excel.Column(_("承办单位")), excel.Column(_("全称")),
        excel.Column(_("交办"), count), excel.Column(_("主办"), count), excel.Column(_("会办"), count),
        excel.Column(_("分办"), count), excel.Column(_("办复"), count), excel.Column(_("按期办复"), count),
        excel.Column(_("办复率"), rate), excel.Column(_("按期办复率"), rate),
        excel.Column(_("逾期"), count), excel.Column(_("最长逾期天数"), count), excel.Column(_("平均逾期天数"), days),
        *(excel.Column(_("%(klass)s类") % {"klass": k}, count) for k in stats["classes"]),
        *(excel.Column(stats["adoption_labels"][code], count) for code in stats["adoption"]),
        excel.Column(_("收到反馈"), count),
        excel.Column(_("对办理工作满意率"), rate), excel.Column(_("对办理结果满意率"), rate),
        excel.Column(_("对办理结果不满意"), count),
        excel.Column(_("退办"), count), excel.Column(_("退办率"), rate),
        excel.Column(_("作出承诺"), count), excel.Column(_("承诺已落实"), count),
        excel.Column(_("承诺部分落实"), count), excel.Column(_("承诺逾期未落实"), count),
    ]
    rows = [
        [row["short_name"], row["name"], row["assigned"], row["lead"], row["co"], row["separate"],
         row["replied"], row["replied_on_time"], row["reply_rate"], row["on_time_rate"],
         row["overdue"], row["max_days_overdue"], row["avg_days_overdue"],
         *(row["classes"][k] for k in stats["classes"]),
         *(row["adoption"].get(code, 0) for code in stats["adoption"]),
         row["feedback"], row["satisfaction_rate"]["handling"], row["satisfaction_rate"]["result"],
         row["satisfaction"]["result"][Satisfaction.DISSATISFIED], row["released"], row["release_rate"],
         *(row.get("commitments", {}).get(key, 0) for key in ("made", "kept", "partly", "overdue"))]
        for row in stats["by_agency"]
    ]
    return excel.Sheet(_("承办单位"), columns, rows)


def export_statistics(stats: dict, summary: str):
    """The statistics as a workbook: the session's numbers, the agencies, the summary."""
    sheets = [
        excel.Sheet(_("届次统计"), [excel.Column(_("项目")), excel.Column(_("数量"), excel.INTEGER),
                                    excel.Column(_("比率"), excel.PERCENT)], _session_rows(stats)),
        _agency_sheet(stats),
        excel.Sheet(_("情况综述"), [excel.Column(_("情况综述"), width=100, wrap=True)], [[summary]]),
    ]
    session = stats["session"]
    filename = _("%(session)s提案办理统计%(date)s.xlsx") % {
        "session": session["name"], "date": stats["today"].replace("-", "")}
    fallback = f"statistics-{session['code']}-{stats['today'].replace('-', '')}.xlsx"
    return excel.xlsx_response(sheets, filename=filename, fallback=fallback)
