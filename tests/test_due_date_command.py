"""manage.py due_date: staff check a deadline by hand."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue()


def test_working_days_across_national_day():
    # 9/28 is day 0; 9/29–10/6 off; 10/7, 10/8 (worked weekend), 10/9, 10/10, 10/11.
    out = run("2023-09-28", "5", "--working-days")
    assert "期限：2023年10月11日（2023-10-11，星期三）" in out
    assert "起算：2023年9月28日（当日不计）" in out
    assert "跳过法定节假日：中秋节（9月29日）、国庆节（9月30日—10月6日），共8天" in out
    assert "调休上班日：10月7日（国庆节调休）、10月8日（国庆节调休）" in out


def test_working_days_across_spring_festival():
    # 2/2, 2/4 (worked Sunday), 2/5–2/9, festival 2/10–2/17, 2/18 (worked Sunday), 2/19, 2/20.
    out = run("2024-02-01", "10", "--working-days")
    assert "期限：2024年2月20日" in out
    assert "春节（2月10日—2月17日）" in out
    assert "2月4日（春节调休）、2月18日（春节调休）" in out


def test_calendar_days():
    out = run("2023-09-28", "10", "--calendar-days")
    assert "期限：2023年10月8日" in out
    assert "规则：10日（自然日）" in out
    assert "跳过" not in out


def test_months_at_the_end_of_the_month():
    out = run("2023-01-31", "1", "--months")
    assert "期限：2023年2月28日" in out
    assert "到期月无对应日，取该月最后一日" in out


@pytest.mark.parametrize(("args", "message"), [
    (("2023-02-30", "5", "--working-days"), "起算日期“2023-02-30”无效"),
    (("20230301", "5", "--working-days"), "请按YYYY-MM-DD填写"),
    (("2023-03-01", "五", "--working-days"), "期限“五”无效"),
    (("2023-03-01", "-3", "--calendar-days"), "期限“-3”无效"),
    (("2023-03-01", "5"), "请指定计算方式"),
    (("2099-03-01", "5", "--working-days"), "尚无2099年的法定节假日安排"),
])
def test_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_units_exclude_each_other():
    with pytest.raises(CommandError):
        run("2023-03-01", "5", "--working-days", "--months")
