"""Deadlines on China's working calendar: the arithmetic, the session's rules, the pages
that show how a date was computed, and the due-soon and overdue states.

Expected dates are worked out by hand from the State Council's holiday schedules:
- 2023 Mid-autumn and National Day: 9月29日 (Fri) to 10月6日 off; 10月7日 (Sat) and
  10月8日 (Sun) are working days.
- 2024 Spring Festival: 2月10日 (Sat) to 2月17日 off; 2月4日 (Sun) and 2月18日 (Sun)
  are working days.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import answers
from proposals.deadlines import (
    DueDate,
    HolidaySpan,
    MakeupDay,
    Unit,
    UnknownCalendarYear,
    add_calendar_days,
    add_calendar_months,
    add_working_days,
    due_date,
)
from proposals.models import Assignment, Proposal, Session
from tests.factories import AgencyFactory, SessionFactory, proposal_for, proposal_in_state

D = datetime.date

# Working days are counted on the database's calendar (seeded from the official one).
pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# ---------------------------------------------------------------- working days


class TestNationalDay2023:
    def test_first_working_day_after_the_holiday_is_the_makeup_saturday(self):
        # 9/28 is day 0; 9/29–10/6 are off; 10/7 (Saturday) is worked.
        assert add_working_days(D(2023, 9, 28), 1).date == D(2023, 10, 7)

    def test_both_makeup_weekend_days_count(self):
        # 9/28 (1), holiday, 10/7 (2), 10/8 (3).
        assert add_working_days(D(2023, 9, 27), 3).date == D(2023, 10, 8)

    def test_five_working_days_across_the_holiday(self):
        # 10/7 (1), 10/8 (2), 10/9 (3), 10/10 (4), 10/11 (5).
        result = add_working_days(D(2023, 9, 28), 5)
        assert result.date == D(2023, 10, 11)
        assert result.holidays == (
            HolidaySpan("中秋节", D(2023, 9, 29), D(2023, 9, 29)),
            HolidaySpan("国庆节", D(2023, 9, 30), D(2023, 10, 6)),
        )
        assert result.makeup_days == (
            MakeupDay(D(2023, 10, 7), "国庆节"), MakeupDay(D(2023, 10, 8), "国庆节"),
        )
        assert result.skipped_days == 8

    def test_thirty_working_days_from_the_first_of_september(self):
        # September after 9/1 (Fri): 4–8, 11–15, 18–22 (15), 25–28 (19); then
        # 10/7 (20), 10/8 (21), 10/9–13 (26), 10/16 (27), 17 (28), 18 (29), 19 (30).
        assert add_working_days(D(2023, 9, 1), 30).date == D(2023, 10, 19)

    def test_the_week_before(self):
        # 9/22 (Fri): 9/25–28 are 1–4, the holiday, 10/7 is the 5th.
        assert add_working_days(D(2023, 9, 22), 5).date == D(2023, 10, 7)

    def test_starting_on_a_holiday(self):
        result = add_working_days(D(2023, 10, 1), 1)
        assert result.date == D(2023, 10, 7)
        assert result.holidays == (HolidaySpan("国庆节", D(2023, 10, 2), D(2023, 10, 6)),)

    def test_explanation_names_the_holidays_and_the_makeup_days(self):
        text = add_working_days(D(2023, 9, 28), 5).explanation
        assert text.startswith("2023年9月28日起算（当日不计），5个工作日")
        assert "跳过中秋节（9月29日）、国庆节（9月30日—10月6日）" in text
        assert "含调休上班日10月7日、10月8日" in text
        assert text.endswith("期限为2023年10月11日。")


class TestSpringFestival2024:
    def test_the_sunday_before_is_worked(self):
        # 2/2 (Fri) is day 0; 2/3 Saturday off; 2/4 Sunday worked.
        result = add_working_days(D(2024, 2, 2), 1)
        assert result.date == D(2024, 2, 4)
        assert result.makeup_days == (MakeupDay(D(2024, 2, 4), "春节"),)
        assert result.holidays == ()

    def test_ten_working_days_across_the_festival(self):
        # 2/2 (1), 2/4 (2), 2/5–9 (3–7), 2/10–17 off, 2/18 (8), 2/19 (9), 2/20 (10).
        result = add_working_days(D(2024, 2, 1), 10)
        assert result.date == D(2024, 2, 20)
        assert result.holidays == (HolidaySpan("春节", D(2024, 2, 10), D(2024, 2, 17)),)
        assert [day.date for day in result.makeup_days] == [D(2024, 2, 4), D(2024, 2, 18)]

    def test_the_day_before_the_festival(self):
        # 2/9 is day 0; 2/10–17 off; 2/18 (Sunday) is the first working day.
        assert add_working_days(D(2024, 2, 9), 1).date == D(2024, 2, 18)
        assert add_working_days(D(2024, 2, 8), 2).date == D(2024, 2, 18)

    def test_explanation(self):
        text = add_working_days(D(2024, 2, 1), 10).explanation
        assert "跳过春节（2月10日—2月17日）" in text
        assert "含调休上班日2月4日、2月18日" in text
        assert "期限为2024年2月20日" in text


class TestWorkingDaysOtherwise:
    def test_an_ordinary_week(self):
        # 2023-03-01 is a Wednesday: Thu, Fri, Mon, Tue, Wed.
        result = add_working_days(D(2023, 3, 1), 5)
        assert result.date == D(2023, 3, 8)
        assert result.holidays == () and result.makeup_days == ()
        assert "期间无法定节假日" in result.explanation

    def test_zero_days_is_the_start(self):
        assert add_working_days(D(2023, 3, 1), 0).date == D(2023, 3, 1)

    def test_negative_amount_refused(self):
        with pytest.raises(ValueError):
            add_working_days(D(2023, 3, 1), -1)

    def test_unknown_year_is_reported_not_guessed(self):
        with pytest.raises(UnknownCalendarYear) as caught:
            add_working_days(D(2099, 3, 1), 5)
        assert caught.value.year == 2099
        assert "2099年" in str(caught.value)

    def test_running_into_an_unknown_year(self):
        # The calendar is known up to some year; counting past its end names the next year.
        with pytest.raises(UnknownCalendarYear) as caught:
            add_working_days(D(2099, 12, 30), 400)
        assert caught.value.year == 2099

    def test_result_keeps_the_rule(self):
        result = add_working_days(D(2023, 3, 1), 90)
        assert (result.start, result.amount, result.unit) == (D(2023, 3, 1), 90, Unit.WORKING_DAYS)
        assert result.rule == "交办后90个工作日"


# ---------------------------------------------------------------- calendar days and months


class TestCalendar:
    @pytest.mark.parametrize(("start", "months", "expected"), [
        (D(2023, 3, 1), 3, D(2023, 6, 1)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),   # leap year
        (D(2023, 3, 31), 3, D(2023, 6, 30)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2023, 11, 30), 3, D(2024, 2, 29)),
        (D(2023, 12, 15), 1, D(2024, 1, 15)),  # across the year
        (D(2023, 5, 31), 12, D(2024, 5, 31)),
    ])
    def test_months(self, start, months, expected):
        assert add_calendar_months(start, months).date == expected

    def test_month_end_is_explained(self):
        text = add_calendar_months(D(2023, 1, 31), 1).explanation
        assert "到期月无对应日，取该月最后一日" in text
        assert "期限为2023年2月28日" in text
        assert "到期月无对应日" not in add_calendar_months(D(2023, 3, 1), 3).explanation

    def test_days_do_not_skip_holidays(self):
        # 9/28 + 10 days = 10/8, holiday or not.
        result = add_calendar_days(D(2023, 9, 28), 10)
        assert result.date == D(2023, 10, 8)
        assert result.holidays == ()
        assert add_calendar_days(D(2023, 12, 25), 30).date == D(2024, 1, 24)

    def test_calendar_rules_need_no_official_calendar(self):
        assert add_calendar_days(D(2099, 3, 1), 30).date == D(2099, 3, 31)
        assert add_calendar_months(D(2099, 3, 1), 3).date == D(2099, 6, 1)

    def test_rules_in_words(self):
        assert add_calendar_months(D(2023, 3, 1), 3).rule == "交办后3个月"
        assert add_calendar_days(D(2023, 3, 1), 30).rule == "交办后30日"

    def test_dispatch_by_unit(self):
        assert due_date(D(2023, 1, 31), 1, Unit.CALENDAR_MONTHS).date == D(2023, 2, 28)
        assert due_date(D(2023, 1, 31), 1, "calendar_days").date == D(2023, 2, 1)
        assert due_date(D(2023, 9, 28), 1, "working_days").date == D(2023, 10, 7)
        with pytest.raises(ValueError):
            due_date(D(2023, 1, 31), 1, "fortnights")


# ---------------------------------------------------------------- the session's rules


@pytest.mark.django_db
class TestSessionRules:
    def test_defaults(self):
        session = SessionFactory()
        assert session.due_date_for("lead", D(2023, 3, 1)).date == D(2023, 6, 1)
        assert session.due_date_for("separate", D(2023, 3, 1)).date == D(2023, 6, 1)
        assert session.due_date_for("co", D(2023, 1, 31)).date == D(2023, 2, 28)
        assert session.due_date("feedback", D(2023, 3, 31)).date == D(2023, 4, 30)
        assert session.due_date("rehandling", D(2023, 3, 1)).date == D(2023, 4, 1)
        assert session.rule_text("lead") == "交办后3个月"

    def test_working_day_rules(self):
        session = SessionFactory(lead_due_amount=10, lead_due_unit=Unit.WORKING_DAYS,
                                 co_due_amount=5, co_due_unit=Unit.WORKING_DAYS)
        result = session.due_date_for("lead", D(2023, 9, 28))
        assert isinstance(result, DueDate)
        # 10/7 (1), 10/8 (2), 10/9–13 (3–7), 10/16 (8), 17 (9), 18 (10).
        assert result.date == D(2023, 10, 18)
        assert session.due_date_for("co", D(2023, 9, 28)).date == D(2023, 10, 11)


def assign_rows(world, assigned_on: str) -> dict:
    return {
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "0",
        "assignments-0-agency": str(world.lead.pk),
        "assignments-0-role": "lead",
        "assignments-0-assigned_on": assigned_on,
        "assignments-0-due_on": "",
        "assignments-1-agency": str(world.co.pk),
        "assignments-1-role": "co",
        "assignments-1-assigned_on": assigned_on,
        "assignments-1-due_on": "",
    }


@pytest.mark.django_db
class TestAssigning:
    def working_days(self, world):
        Session.objects.filter(pk=world.session.pk).update(
            lead_due_amount=10, lead_due_unit=Unit.WORKING_DAYS,
            co_due_amount=5, co_due_unit=Unit.WORKING_DAYS,
        )

    def test_blank_deadlines_use_the_session_rules(self, client, world):
        self.working_days(world)
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        url = reverse("proposals:assign", args=[proposal.pk])
        assert client.post(url, assign_rows(world, "2023-09-28")).status_code == 302
        dues = {a.role: a.due_on for a in proposal.assignments.all()}
        assert dues == {"lead": D(2023, 10, 18), "co": D(2023, 10, 11)}

        page = page_text(client.get(reverse("proposals:detail", args=[proposal.pk])))
        assert "2023年10月18日 按本届规定计算" in page
        assert "交办后10个工作日：2023年9月28日起算（当日不计），10个工作日" in page
        assert "跳过中秋节（9月29日）、国庆节（9月30日—10月6日）" in page
        assert "含调休上班日10月7日、10月8日" in page

    def test_assign_form_explains_the_rules(self, client, world):
        self.working_days(world)
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        page = page_text(client.get(reverse("proposals:assign", args=[proposal.pk])))
        assert "主办、分办单位为交办后10个工作日，会办单位为交办后5个工作日" in page
        assert "今天交办的主办、分办单位：" in page
        assert "起算（当日不计），10个工作日" in page

    def test_unknown_year_asks_for_a_date(self, client, world):
        self.working_days(world)
        proposal = proposal_in_state(world, Proposal.State.REGISTERED)
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:assign", args=[proposal.pk]),
                               assign_rows(world, "2099-03-01"))
        assert response.status_code == 200
        assert "尚无2099年的法定节假日安排" in page_text(response)
        assert not proposal.assignments.exists()

    def test_unknown_year_when_adding_an_agency(self, client, world):
        self.working_days(world)
        proposal = world.assigned()
        third = AgencyFactory(code="third", short_name="市第三局")
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:assignment_add", args=[proposal.pk]), {
            "agency": str(third.pk), "role": "co", "assigned_on": "2099-03-01", "due_on": "",
            "reason": "涉及第三局职责",
        })
        assert response.status_code == 200
        assert "尚无2099年的法定节假日安排" in page_text(response)
        assert not proposal.assignments.filter(agency=third).exists()

    def test_extension_shows_the_new_date_and_the_reason(self, client, world):
        proposal = world.assigned()
        lead = proposal.assignments.get(role="lead")
        client.force_login(world.liaison)
        response = client.post(reverse("proposals:assignment_due", args=[lead.pk]), {
            "due_on": "2023-08-01", "reason": "承办单位申请延期，经同意延期两个月。", "version": "1",
        })
        assert response.status_code == 302
        page = page_text(client.get(reverse("proposals:detail", args=[proposal.pk])))
        assert "2023年8月1日 已调整期限" in page
        assert "由2023年6月1日调整，理由：承办单位申请延期，经同意延期两个月。" in page
        assert "按本届规定（交办后3个月）应为2023年6月1日" in page


# ---------------------------------------------------------------- due soon and overdue


@pytest.mark.django_db
class TestDueStates:
    def test_due_soon_and_overdue(self, world):
        today = D(2023, 6, 1)
        dues = {
            "late": today - datetime.timedelta(days=1),
            "today": today,
            "in7": today + datetime.timedelta(days=7),
            "in8": today + datetime.timedelta(days=8),
        }
        ids = {}
        for code, due in dues.items():
            proposal = proposal_for(world, AgencyFactory(code=code))
            Assignment.objects.filter(proposal=proposal).update(due_on=due)
            ids[code] = proposal.assignments.get().pk
        # A session that warns two weeks ahead.
        other = SessionFactory(code="14-1", term=14, meeting=1, year=2024, name="十四届一次",
                               due_soon_days=14)
        proposal = proposal_for(world, AgencyFactory(code="other"))
        Proposal.objects.filter(pk=proposal.pk).update(session=other)
        Assignment.objects.filter(proposal=proposal).update(due_on=today + datetime.timedelta(days=10))
        ids["other"] = proposal.assignments.get().pk
        # Answered work is neither due soon nor overdue.
        done = proposal_for(world, AgencyFactory(code="done"))
        Assignment.objects.filter(proposal=done).update(due_on=today)
        Proposal.objects.filter(pk=done.pk).update(state=Proposal.State.CLOSED)
        answers.refresh()  # the rows above were written straight to the tables

        soon = set(Assignment.objects.due_soon(today).values_list("pk", flat=True))
        late = set(Assignment.objects.overdue(today).values_list("pk", flat=True))
        assert soon == {ids["today"], ids["in7"], ids["other"]}
        assert late == {ids["late"]}

    def test_progress_column_uses_the_sessions_warning_days(self, client, world):
        proposal = world.assigned()
        Session.objects.filter(pk=world.session.pk).update(due_soon_days=30)
        due = timezone.localdate() + datetime.timedelta(days=20)
        Assignment.objects.filter(proposal=proposal).update(due_on=due)
        answers.refresh(proposal)  # written straight to the table
        client.force_login(world.liaison)
        html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
        assert '<span class="due-soon">剩余20天</span>' in html
