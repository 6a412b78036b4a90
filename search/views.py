"""检索: one search box over proposals, recommendations, sections and letters.

Anyone signed in may search; each finds only what they may read (see
:func:`search.selectors.visible_entries`), and every link leads to a page they may open.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import excel

from . import selectors
from .analysis import QueryTooShort, highlight, parse_query, snippet
from .models import SearchEntry
from .selectors import entries

Kind = SearchEntry.Kind
PER_PAGE = 20


def entry_url(entry: SearchEntry) -> str:
    """Where a result leads: the proposal's page (at the recommendation), the handling
    page at the section, the letter's page."""
    if entry.kind == Kind.PROPOSAL:
        return reverse("proposals:detail", args=[entry.proposal_id])
    if entry.kind == Kind.RECOMMENDATION:
        return reverse("proposals:detail", args=[entry.proposal_id]) + f"#rec-{entry.object_id}"
    if entry.kind == Kind.SECTION:
        return reverse("replies:handling", args=[entry.proposal_id]) + f"#section-{entry.object_id}"
    return reverse("replies:letter_detail", args=[entry.object_id])


def result_row(entry: SearchEntry, words: list[str]) -> dict:
    return {
        "entry": entry,
        "url": entry_url(entry),
        "title": highlight(entry.title, words),
        "keywords": highlight(entry.keywords, words),
        "snippet": snippet(entry.text, words) if entry.text else "",
    }


def _export(text: str, entries):
    """The ranked results (as many as the pages list) as an Excel workbook, best first."""
    kinds = dict(Kind.choices)
    columns = [
        excel.Column(_("类型")), excel.Column(_("届次会议")), excel.Column(_("提案号")),
        excel.Column(_("标题"), width=50, wrap=True), excel.Column(_("相关度"), excel.NUMBER),
    ]
    rows = [[kinds.get(entry.kind, entry.kind), entry.session.name if entry.session_id else "",
             entry.proposal.number if entry.proposal_id else "", entry.title, entry.score]
            for entry in entries]
    filename = _("检索结果%(date)s.xlsx") % {"date": excel.today_stamp()}
    sheet = excel.Sheet(_("检索：%(q)s") % {"q": text}, columns, rows)
    return excel.xlsx_response([sheet], filename=filename,
                               fallback=f"search-{excel.today_stamp()}.xlsx")


@login_required
@require_GET
def results(request):
    """检索结果: ranked, highlighted, by kind, 20 a page."""
    text = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    context = {"q": text, "kind": kind, "problem": ""}
    try:
        query = parse_query(text)
    except QueryTooShort:
        context["problem"] = _("请输入至少两个字的词语，例如“协会”或“养老”。")
        return render(request, "search/results.html", context)
    if not query.words:
        context["problem"] = _("请输入要查找的词语，例如“协会”或“养老”。")
        return render(request, "search/results.html", context)
    found = selectors.results(request.user, query, kind or None)
    if excel.wants_xlsx(request):
        return _export(text, entries(found.ranked))
    counts = found.counts
    paginator = Paginator(found.ranked, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    tabs = [{"kind": "", "label": _("全部"), "count": sum(counts.values())}] + [
        {"kind": value, "label": label, "count": counts[value]} for value, label in Kind.choices
    ]
    for tab in tabs:
        tab["url"] = "?" + urlencode({"q": text, **({"kind": tab["kind"]} if tab["kind"] else {})})
    context.update({
        "page": page,
        "rows": [result_row(entry, query.words) for entry in entries(page.object_list)],
        "tabs": tabs,
        "total": paginator.count,
        "more": (counts[kind] if kind else sum(counts.values())) > selectors.RESULT_LIMIT,
        "limit": selectors.RESULT_LIMIT,
        "query": urlencode({"q": text, **({"kind": kind} if kind else {})}),
    })
    return render(request, "search/results.html", context)
