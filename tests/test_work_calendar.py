"""The working calendar the deployment owns: seeded from the package, extended in the admin
or from a file, complete years only, and open due dates counted again when a year changes.

The 2027 dates below are a made-up schedule (the State Council had not published one when
these tests were written): 2月6日—2月13日 春节 off, 2月14日 (Sunday) worked.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from history.models import StateChange
from notifications.models import Notification
from proposals import answers
from proposals.deadlines import Unit, UnknownCalendarYear, add_working_days
from proposals.models import Assignment, Proposal, Session
from tests.factories import proposal_in_state, superuser
from workcalendar.calendar import WorkingCalendar, package_years
from workcalendar.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
D = datetime.date

CALENDAR_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-14,workday,春节
"""


def load(tmp_path, text, *args) -> str:
    path = tmp_path / "calendar.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("load_calendar", str(path), *args, stdout=out)
    return out.getvalue()


def due(*args) -> str:
    out = StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue()


class TestSeeded:
    def test_the_package_years_are_in_the_database_and_complete(self):
        years = package_years()
        stored = CalendarYear.objects.filter(year__in=years, complete=True, source="package")
        assert stored.count() == len(years)
        assert CalendarDay.objects.get(date=D(2026, 2, 17)).name == "春节"
        assert CalendarDay.objects.get(date=D(2023, 10, 7)).kind == CalendarDay.Kind.WORKDAY

    def test_a_year_emptied_from_the_database_comes_back_from_the_package(self):
        CalendarYear.objects.filter(year=2023).delete()
        assert add_working_days(D(2023, 9, 28), 5).date == D(2023, 10, 11)
        assert CalendarYear.objects.get(year=2023).complete

    def test_past_the_package_the_year_is_refused_naming_it_and_where_to_enter_it(self):
        with pytest.raises(UnknownCalendarYear) as caught:
            add_working_days(D(2026, 12, 20), 20)
        assert caught.value.year == 2027
        assert "尚无2027年的法定节假日安排" in str(caught.value)
        assert "工作日历" in str(caught.value) and "load_calendar" in str(caught.value)
        with pytest.raises(CommandError, match="尚无2027年"):
            due("2026-12-20", "20", "--working-days")


class TestLoadingAFile:
    def test_a_loaded_year_is_complete_and_counts(self, tmp_path):
        out = load(tmp_path, CALENDAR_2027)
        assert "2027年：10天（已标记为完整）" in out
        entry = CalendarYear.objects.get(year=2027)
        assert entry.complete and entry.source == CalendarYear.Source.FILE
        # 2027-02-04 (Thu) + 3 working days: Fri 2/5, Sun 2/14 (worked), Mon 2/15.
        text = due("2027-02-04", "3", "--working-days")
        assert "期限：2027年2月15日" in text
        assert "春节（2月6日—2月13日）" in text
        assert "2月14日（春节调休）" in text
        # Across the year's end, now that 2027 is known.
        assert add_working_days(D(2026, 12, 20), 20).date == D(2027, 1, 18)

    def test_partial_leaves_the_year_incomplete(self, tmp_path):
        load(tmp_path, "2027-01-01,holiday,元旦\n", "--partial")
        entry = CalendarYear.objects.get(year=2027)
        assert not entry.complete and entry.days.count() == 1
        with pytest.raises(UnknownCalendarYear):
            add_working_days(D(2026, 12, 20), 20)

    def test_a_bad_file_changes_nothing_and_names_every_bad_line(self, tmp_path):
        bad = CALENDAR_2027 + "2027-13-01,holiday,元旦\n2027-03-03,workday,春节\n2027-04-05,vacation,清明节\n"
        with pytest.raises(CommandError) as caught:
            load(tmp_path, bad)
        message = str(caught.value)
        assert "未做任何修改" in message
        assert "第12行" in message and "日期“2027-13-01”无效" in message
        assert "第13行" in message and "本来就是工作日" in message
        assert "第14行" in message and "类型“vacation”无效" in message
        assert not CalendarYear.objects.filter(year=2027).exists()

    @pytest.mark.parametrize(("text", "expected"), [
        ("", "没有任何"),
        ("2027-01-01,holiday\n", "三项"),
        ("2027-01-01,holiday,\n", "节日名称"),
        ("2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", "重复"),
        ("1899-01-01,holiday,元旦\n", "年份应在"),
    ])
    def test_bad_lines(self, tmp_path, text, expected):
        with pytest.raises(CommandError, match=expected):
            load(tmp_path, text)

    def test_missing_and_binary_files(self, tmp_path):
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("load_calendar", str(tmp_path / "none.csv"))
        path = tmp_path / "binary.csv"
        path.write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(CommandError, match="UTF-8"):
            call_command("load_calendar", str(path))


def _working_day_session(world, amount=10):
    Session.objects.filter(pk=world.session.pk).update(
        lead_due_amount=amount, lead_due_unit=Unit.WORKING_DAYS,
        co_due_amount=amount, co_due_unit=Unit.WORKING_DAYS)
    world.session.refresh_from_db()


def _assigned(world, state, on: datetime.date) -> Assignment:
    proposal = proposal_in_state(world, state)
    assignment = proposal.assignments.get(role="lead")
    assignment.assigned_on = on
    assignment.due_on = world.session.due_date_for("lead", on).date
    assignment.save()
    answers.refresh(proposal)
    return assignment


class TestRecalculating:
    def test_open_due_dates_over_a_corrected_year_move_and_closed_ones_stay(self, tmp_path, world):
        _working_day_session(world)
        open_one = _assigned(world, Proposal.State.ASSIGNED, D(2026, 9, 1))
        closed_one = _assigned(world, Proposal.State.CLOSED, D(2026, 9, 1))
        by_hand = _assigned(world, Proposal.State.ASSIGNED, D(2026, 9, 1))
        by_hand.due_on = D(2026, 9, 30)
        by_hand.save()
        answers.refresh(by_hand.proposal)
        assert open_one.due_on == D(2026, 9, 15)  # ten working days, no holiday
        # A correction: 9月14日 made a day off.
        load(tmp_path, "2026-09-14,holiday,中秋节\n", "--partial")

        open_one.refresh_from_db()
        assert open_one.due_on == D(2026, 9, 16)
        line = StateChange.objects.get(object_id=open_one.pk, action="recalculate_due")
        assert line.data["from"] == "2026-09-15" and line.data["to"] == "2026-09-16"
        assert "2026年工作日历导入" in line.reason and "交办后10个工作日" in line.reason
        told = Notification.objects.filter(recipient=world.lead_officer, kind="due_recalculated",
                                           proposal=open_one.proposal)
        assert told.count() == 1
        assert "2026年9月15日调整为2026年9月16日" in told.get().text

        closed_one.refresh_from_db()
        by_hand.refresh_from_db()
        assert closed_one.due_on == D(2026, 9, 15)
        assert by_hand.due_on == D(2026, 9, 30)
        assert not StateChange.objects.filter(object_id__in=[closed_one.pk, by_hand.pk],
                                              action="recalculate_due").exists()

    def test_the_history_page_shows_why(self, tmp_path, client, world):
        _working_day_session(world)
        assignment = _assigned(world, Proposal.State.ASSIGNED, D(2026, 9, 1))
        load(tmp_path, "2026-09-14,holiday,中秋节\n", "--partial")
        client.force_login(world.liaison)
        page = client.get(reverse("proposals:detail", args=[assignment.proposal.pk])).content.decode()
        assert "按新日历重算期限" in page


class TestAdmin:
    def _form(self, year, days, **extra):
        data = {"year": str(year), "complete": "on", "note": "国办发明电〔2026〕1号",
                "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": "0",
                "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000", **extra}
        for index, (day, kind, name) in enumerate(days):
            data.update({f"days-{index}-date": day, f"days-{index}-kind": kind,
                         f"days-{index}-name": name})
        return data

    def test_an_administrator_enters_a_year(self, client):
        client.force_login(superuser())
        response = client.post(reverse("admin:workcalendar_calendaryear_add"), self._form(
            2027, [("2027-01-01", "holiday", "元旦"), ("2027-02-14", "workday", "春节")]))
        assert response.status_code == 302
        entry = CalendarYear.objects.get(year=2027)
        assert entry.complete and entry.source == CalendarYear.Source.ADMIN
        assert WorkingCalendar().detail(D(2027, 2, 14)) == (True, False, "春节")
        assert add_working_days(D(2026, 12, 31), 1).date == D(2027, 1, 4)

    def test_wrong_days_are_refused_with_why(self, client):
        client.force_login(superuser())
        response = client.post(reverse("admin:workcalendar_calendaryear_add"), self._form(
            2027, [("2028-01-01", "holiday", "元旦"), ("2027-03-03", "workday", "春节")]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "不在2027年内" in page and "本来就是工作日" in page
        assert not CalendarYear.objects.filter(year=2027).exists()

    def test_a_complete_year_without_holidays_is_refused(self, client, tmp_path):
        client.force_login(superuser())
        response = client.post(reverse("admin:workcalendar_calendaryear_add"), self._form(
            2027, [("2027-02-14", "workday", "春节")]))
        assert response.status_code == 200 and "至少要录入该年的法定节假日" in response.content.decode()
        assert not CalendarYear.objects.filter(year=2027).exists()
        with pytest.raises(CommandError, match="2027年没有任何放假日"):
            load(tmp_path, "2027-02-14,workday,春节\n")
        load(tmp_path, "2027-02-14,workday,春节\n", "--partial")  # a make-up day alone, added to an open year
        assert not CalendarYear.objects.get(year=2027).complete

    def test_the_list_says_where_the_package_ends(self, client):
        client.force_login(superuser())
        page = client.get(reverse("admin:workcalendar_calendaryear_changelist")).content.decode()
        assert f"{package_years()[-1]}年的国务院节假日安排" in page

    def test_marking_a_year_in_the_admin_recalculates(self, client, world):
        _working_day_session(world)
        assignment = _assigned(world, Proposal.State.ASSIGNED, D(2026, 9, 1))
        entry = CalendarYear.objects.get(year=2026)
        client.force_login(superuser())
        url = reverse("admin:workcalendar_calendaryear_change", args=[entry.pk])
        form = client.get(url).context["adminform"].form
        existing = list(entry.days.order_by("date"))
        data = self._form(2026, [(d.date.isoformat(), d.kind, d.name) for d in existing]
                          + [("2026-09-14", "holiday", "中秋节")],
                          **{"days-INITIAL_FORMS": str(len(existing)), "_loaded_state": form.loaded_state})
        for index, day in enumerate(existing):
            data[f"days-{index}-id"] = str(day.pk)
            data[f"days-{index}-year"] = str(entry.pk)
        data.pop("year")
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assignment.refresh_from_db()
        assert assignment.due_on == D(2026, 9, 16)


def test_a_due_date_past_the_last_date_is_refused_not_a_server_error(client, world):
    proposal = proposal_in_state(world, Proposal.State.REGISTERED)
    client.force_login(world.liaison)
    response = client.post(reverse("proposals:assign", args=[proposal.pk]), {
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-0-agency": str(world.lead.pk), "assignments-0-role": "lead",
        "assignments-0-assigned_on": "9999-12-31", "assignments-0-due_on": ""})
    assert response.status_code == 200
    assert not Assignment.objects.filter(proposal=proposal).exists()
