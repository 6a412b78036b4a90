"""The proposal list: filters, sorting, paging and the Excel export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from core import excel
from core.pages import signed_in
from core.roles import is_liaison

from ..filters import ProposalFilter
from ..models import (
    Assignment,
)
from ..selectors import prepare_rows, proposal_list_queryset
from .common import (
    PER_PAGE,
    page,
)

# ---------------------------------------------------------------- the list


SORT_COLUMNS = ("number", "submitted", "state", "due")


def _sort_links(request, current: str) -> dict:
    links = {}
    for key in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        links[key] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


@signed_in
@require_GET
def proposal_list(request):
    """提案列表: filters, search, sorting and 25 proposals a page."""
    today = timezone.localdate()
    filterset = ProposalFilter(request.GET or None, queryset=proposal_list_queryset(request.user, today))
    if excel.wants_xlsx(request) and filterset.is_valid():  # else the page shows what is wrong
        return _export_list(filterset.qs)
    paginator = Paginator(filterset.qs, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = prepare_rows(page_obj.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "proposals/list.html", {
        "filter": filterset,
        "page_obj": page_obj,
        "query": query.urlencode(),
        "sort_links": _sort_links(request, filterset.sort_key),
        "can_log": is_liaison(request.user),
    })


def _export_list(proposals):
    """Every proposal of the filtered list (not only one page) as an Excel workbook."""
    text, count, date = excel.TEXT, excel.INTEGER, excel.DATE
    columns = [
        excel.Column(_("提案号")), excel.Column(_("届次会议")), excel.Column(_("案由"), width=50, wrap=True),
        excel.Column(_("领衔提案者")), excel.Column(_("附议人数"), count), excel.Column(_("类别")),
        excel.Column(_("状态")), excel.Column(_("重点提案")), excel.Column(_("主办单位")),
        excel.Column(_("会办单位"), text), excel.Column(_("分办单位"), text),
        excel.Column(_("最早办理期限"), date), excel.Column(_("有单位逾期")),
        excel.Column(_("答复函分类")), excel.Column(_("提交日期"), date),
    ]
    separator = pgettext("separator between list items", "、")
    yes, no = _("是"), _("否")
    rows = []
    for proposal in prepare_rows(proposals):
        by_role = {role: [] for role in Assignment.Role.values}
        for handler in proposal.handlers:
            by_role[handler.role].append(handler.short_name)
        classes = proposal.classes
        rows.append([
            proposal.number, proposal.session.name, proposal.title,
            proposal.lead_name, proposal.co_signer_count,
            proposal.category.name if proposal.category else "", proposal.get_state_display(),
            yes if proposal.is_key else no,
            *(separator.join(by_role[role]) for role in Assignment.Role.values),
            proposal.earliest_due_on, yes if proposal.is_overdue else no,
            separator.join(_("%(klass)s类") % {"klass": klass} for klass in classes),
            proposal.submitted_on,
        ])
    filename = _("提案列表%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("提案列表"), columns, rows)], filename=filename,
                               fallback=f"proposals-{excel.today_stamp()}.xlsx")
