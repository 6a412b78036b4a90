"""Excel exports: the workbook writer, and the lists exported with ``?format=xlsx``.

Every export is read back with openpyxl: Chinese headers, the values with their types,
one row per item of the filtered list (all of it, not one page), and only what the
user may see on the page itself.
"""

from __future__ import annotations

import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import excel
from tests import factories

LIST = reverse("proposals:list")
INBOX = reverse("replies:inbox")
LETTERS = reverse("replies:printable_letters")


def read(response):
    """(headers, rows, worksheet) of the response's only sheet."""
    assert response.status_code == 200
    assert response["Content-Type"] == excel.CONTENT_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    headers, *rows = list(sheet.iter_rows(values_only=True))
    return list(headers), [list(row) for row in rows], sheet


def export(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {**params, "format": "xlsx"})


def column(headers, rows, name):
    index = headers.index(name)
    return [row[index] for row in rows]


def filename_of(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


# ---------------------------------------------------------------- the writer


def test_a_workbook_keeps_types_and_formats():
    columns = [
        excel.Column("单位"), excel.Column("件数", excel.INTEGER), excel.Column("期限", excel.DATE),
        excel.Column("办复率", excel.PERCENT), excel.Column("平均逾期天数", excel.NUMBER),
        excel.Column("时间", excel.DATETIME),
    ]
    moment = timezone.make_aware(datetime.datetime(2023, 6, 15, 9, 30))
    rows = [
        ["市民政局", 5, datetime.date(2023, 6, 1), 66.7, 12.5, moment],
        ["=HYPERLINK(\"x\")", None, None, None, excel.Cell(3, excel.INTEGER), None],
    ]
    book = openpyxl.load_workbook(io.BytesIO(excel.workbook_bytes([excel.Sheet("统计", columns, rows)])))
    sheet = book["统计"]
    assert [c.value for c in sheet[1]] == ["单位", "件数", "期限", "办复率", "平均逾期天数", "时间"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    name, count, due, rate, days, at = sheet[2]
    assert (name.value, count.value, count.number_format) == ("市民政局", 5, "0")
    assert due.value == datetime.datetime(2023, 6, 1) and due.is_date and due.number_format == "yyyy-mm-dd"
    assert rate.value == pytest.approx(0.667) and rate.number_format == "0.0%"
    assert days.value == 12.5 and days.number_format == "0.0"
    assert at.value == datetime.datetime(2023, 6, 15, 9, 30)  # local time, as people read it
    formula, empty, *_rest, override, _at = sheet[3]
    assert formula.value == "=HYPERLINK(\"x\")" and formula.data_type == "s"  # text, never a formula
    assert empty.value is None
    assert override.value == 3 and override.number_format == "0"


def test_columns_fit_their_content_and_chinese_counts_double():
    assert excel.display_width("市民政局") == 8
    assert excel.display_width("A类") == 3
    columns = [excel.Column("单位"), excel.Column("说明", width=40, wrap=True), excel.Column("N")]
    rows = [["中山市工商业联合会", "很长的说明" * 30, "x" * 200]]
    sheet = openpyxl.load_workbook(
        io.BytesIO(excel.workbook_bytes([excel.Sheet("表", columns, rows)]))
    )["表"]
    assert sheet.column_dimensions["A"].width == 20  # 9 wide characters and a margin
    assert sheet.column_dimensions["B"].width == 40
    assert sheet["B2"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width == excel.MAX_WIDTH


def test_sheet_titles_and_text_are_made_safe():
    assert excel.sheet_title("统计[13-2]/全部:单位?") == "统计13-2全部单位"
    assert len(excel.sheet_title("很" * 40)) == 31
    book = openpyxl.load_workbook(io.BytesIO(excel.workbook_bytes(
        [excel.Sheet("a*b", [excel.Column("文本")], [["控制\x01字符\x1f"]])]
    )))
    assert book.sheetnames == ["ab"]
    assert book["ab"]["A2"].value == "控制字符"


def test_the_download_is_named_in_chinese():
    response = excel.xlsx_response([excel.Sheet("表", [excel.Column("项目")], [["一"]])],
                                   filename="市政协十三届二次会议统计.xlsx", fallback="stats 13/2.xlsx")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="stats_13_2.xlsx"; filename*=UTF-8\'\'%E5%B8%82')
    assert filename_of(response) == "市政协十三届二次会议统计.xlsx"
    assert response["Content-Type"] == excel.CONTENT_TYPE
    assert int(response["Content-Length"]) == len(response.content)


# ---------------------------------------------------------------- the proposal list


@pytest.fixture
def proposals(world):
    """Two proposals assigned to the lead and the co-handler, one assigned only to a third
    agency, one still waiting for review."""
    third = factories.AgencyFactory(code="third", short_name="市第三局")
    handled = [world.assigned(title="关于甲的建议"), world.assigned(title="关于乙的建议")]
    only_third = factories.proposal_for(world, third, title="关于丙的建议")
    waiting = world.proposal(title="关于丁的建议")
    return {"handled": handled, "third": third, "only_third": only_third, "waiting": waiting,
            "third_officer": factories.user_in(third, "officer")}


def test_liaison_staff_export_every_proposal_with_chinese_headers(client, world, proposals):
    response = export(client, world.liaison, LIST)
    headers, rows, sheet = read(response)
    assert headers == [
        "提案号", "届次会议", "案由", "领衔提案者", "附议人数", "类别", "状态", "重点提案", "主办单位",
        "会办单位", "分办单位", "最早办理期限", "有单位逾期", "答复函分类", "提交日期",
    ]
    assert sheet.title == "提案列表"
    assert len(rows) == 4
    first = proposals["handled"][0]
    row = next(r for r in rows if r[0] == first.number)
    assert row[1:9] == ["市政协十三届二次会议", "关于甲的建议", "民建测试市委会", 0, None, "已交办", "否",
                        "市工商联"]
    assert row[9:13] == ["市民政局", None, datetime.datetime(2023, 4, 1), "是"]  # the co-handler's date
    waiting = next(r for r in rows if r[0] == proposals["waiting"].number)
    assert waiting[6] == "待审查" and waiting[8] is None and waiting[11] is None
    assert filename_of(response) == f"提案列表{excel.today_stamp()}.xlsx"


def test_the_export_has_the_pages_filters(client, world, proposals):
    _headers, rows, _sheet = read(export(client, world.liaison, LIST, state="submitted"))
    assert [row[0] for row in rows] == [proposals["waiting"].number]
    _headers, rows, _sheet = read(export(client, world.liaison, LIST, agency=proposals["third"].pk))
    assert [row[2] for row in rows] == ["关于丙的建议"]
    _headers, rows, _sheet = read(export(client, world.liaison, LIST, sort="-number"))
    numbers = [row[0] for row in rows]
    assert numbers == sorted(numbers, reverse=True)


@pytest.mark.parametrize("who, titles", [
    ("co_officer", ["关于乙的建议", "关于甲的建议"]),
    ("lead_approver", ["关于乙的建议", "关于甲的建议"]),
    ("third_officer", ["关于丙的建议"]),
])
def test_agency_staff_export_only_their_agencys_proposals(client, world, proposals, who, titles):
    user = proposals[who] if who == "third_officer" else getattr(world, who)
    headers, rows, _sheet = read(export(client, user, LIST))
    assert sorted(column(headers, rows, "案由")) == titles


def test_someone_without_an_agency_exports_an_empty_list(client, world, proposals):
    headers, rows, _sheet = read(export(client, factories.UserFactory(username="nobody"), LIST))
    assert headers[0] == "提案号" and rows == []


def test_the_export_has_every_filtered_row_not_one_page(client, world):
    for i in range(27):
        world.proposal(title=f"关于第{i}项工作的建议")
    client.force_login(world.liaison)
    page = client.get(LIST)
    assert page.context["page_obj"].paginator.count == 27
    assert len(page.context["page_obj"].object_list) == 25
    _headers, rows, _sheet = read(client.get(LIST, {"format": "xlsx"}))
    assert len(rows) == 27


def test_a_bad_filter_shows_the_page_instead_of_a_file(client, world, proposals):
    response = export(client, world.liaison, LIST, session=999999)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["filter"].form.errors


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(LIST, {"format": "xlsx"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_links_to_its_export_with_its_filters(client, world, proposals):
    client.force_login(world.liaison)
    page = client.get(LIST, {"state": "assigned", "page": "1"}).content.decode()
    assert 'href="?state=assigned&amp;format=xlsx"' in page and "导出Excel" in page


# ---------------------------------------------------------------- the inbox


def test_the_inbox_export_lists_the_agencys_assignments(client, world, proposals):
    first = proposals["handled"][0]
    world.approved_section(first.recommendations.get(ordinal=1), world.lead)
    headers, rows, _sheet = read(export(client, world.lead_officer, INBOX))
    assert headers == [
        "提案号", "案由", "届次会议", "承办单位", "承办方式", "交办日期", "办理期限", "剩余天数",
        "逾期天数", "提案状态", "答复函", "建议（条）", "已审核（条）", "未撰写（条）",
    ]
    assert sorted(column(headers, rows, "案由")) == ["关于乙的建议", "关于甲的建议"]
    late = (timezone.localdate() - datetime.date(2023, 6, 1)).days
    row = next(r for r in rows if r[0] == first.number)
    assert row[3:] == ["市工商联", "主办", datetime.datetime(2023, 3, 1), datetime.datetime(2023, 6, 1),
                       None, late, "已交办", "未起草", 2, 1, 1]


def test_the_inbox_export_of_a_co_handler_and_its_filters(client, world, proposals):
    headers, rows, _sheet = read(export(client, world.co_officer, INBOX))
    assert column(headers, rows, "承办方式") == ["会办", "会办"]
    assert column(headers, rows, "答复函") == [None, None]  # a co-handler writes no letter
    _headers, rows, _sheet = read(export(client, world.co_officer, INBOX, q="关于甲"))
    assert [row[1] for row in rows] == ["关于甲的建议"]


def test_the_inbox_export_of_someone_without_an_agency_is_empty(client, world, proposals):
    _headers, rows, _sheet = read(export(client, world.liaison, INBOX))
    assert rows == []


# ---------------------------------------------------------------- the printable letters


def test_the_office_exports_the_signed_letters(client, world):
    proposal, letter = world.signed_letter()
    world.assigned()  # nothing signed: not listed
    headers, rows, _sheet = read(export(client, world.office, LETTERS))
    assert headers == ["发文字号", "答复单位", "提案号", "案由", "届次会议", "分类", "成文日期", "印发日期", "状态"]
    assert rows == [[letter.number, "市工商联", proposal.number, proposal.title, "市政协十三届二次会议",
                     "A类", datetime.datetime(2023, 7, 7), None, "已签发"]]
    _headers, rows, _sheet = read(export(client, world.office, LETTERS, agency=world.co.pk))
    assert rows == []


def test_agency_staff_may_not_export_the_printable_letters(client, world):
    world.signed_letter()
    assert export(client, world.lead_officer, LETTERS).status_code == 403


# ---------------------------------------------------------------- what it costs


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url, {"format": "xlsx"})  # warm: the user's groups and memberships
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"format": "xlsx"}).status_code == 200
    return len(captured)


def _more(world, n: int) -> None:
    for _i in range(n):
        proposal, _letter = world.signed_letter(world.assigned(recommendations=3))
        world.assigned()


@pytest.mark.parametrize("url, who", [
    (LIST, "liaison"), (LIST, "co_officer"), (INBOX, "lead_officer"), (INBOX, "co_officer"),
    (LETTERS, "office"),
])
def test_exports_read_the_database_a_fixed_number_of_times(client, world, url, who):
    _more(world, 1)
    small = _queries(client, getattr(world, who), url)
    _more(world, 4)
    assert _queries(client, getattr(world, who), url) == small


# ---------------------------------------------------------------- the other lists


def _rows(response):
    assert response["Content-Type"] == excel.CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_extension_requests_export_for_liaison_staff(client, world):
    import datetime

    from proposals import extensions

    lead = world.assigned().assignments.get(agency=world.lead)
    extensions.extension_request(assignment=lead, due_on=datetime.date(2023, 8, 1),
                                 reason="需等待批复。", actor=world.lead_officer)
    client.force_login(world.liaison)
    rows = _rows(client.get(reverse("proposals:extensions"), {"format": "xlsx"}))
    assert rows[0][:3] == ["提案号", "案由", "承办单位"]
    assert len(rows) == 2
    assert rows[1][2] == world.lead.short_name and rows[1][5] == datetime.datetime(2023, 8, 1)
    assert rows[1][7] == "需等待批复。" and rows[1][8] == "待审批"
    client.force_login(world.lead_officer)
    assert client.get(reverse("proposals:extensions"), {"format": "xlsx"}).status_code == 403


def test_search_results_export_only_what_the_user_may_find(client, world,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the index follows the commit
        world.assigned(title="关于发展社区养老服务的建议")
        world.proposal(title="关于规范养老机构收费的建议")  # submitted: not for agency staff
    client.force_login(world.liaison)
    rows = _rows(client.get(reverse("search:results"), {"q": "养老", "kind": "proposal", "format": "xlsx"}))
    assert rows[0][:4] == ["类型", "届次会议", "提案号", "标题"]
    assert sorted(row[3] for row in rows[1:]) == ["关于发展社区养老服务的建议", "关于规范养老机构收费的建议"]
    client.force_login(world.lead_officer)
    rows = _rows(client.get(reverse("search:results"), {"q": "养老", "kind": "proposal", "format": "xlsx"}))
    assert [row[3] for row in rows[1:]] == ["关于发展社区养老服务的建议"]


def test_notifications_export_the_users_own(client, world):
    world.assigned()  # tells the lead and the co-handling agencies' staff
    client.force_login(world.lead_officer)
    rows = _rows(client.get(reverse("notifications:list"), {"format": "xlsx"}))
    assert rows[0] == ["时间", "类型", "标题", "内容", "阅读时间"]
    assert len(rows) == 2 and rows[1][1] == "新交办" and rows[1][4] is None
    client.force_login(world.liaison)
    assert len(_rows(client.get(reverse("notifications:list"), {"format": "xlsx"}))) == 1
