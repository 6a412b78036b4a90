"""Session statistics on a data set whose every number is counted by hand below."""

from __future__ import annotations

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from history.models import StateChange
from proposals import answers
from proposals import services as ps
from proposals.models import Proposal
from proposals.stats import AGENCY_SORTS, session_statistics, sort_agencies
from proposals.summary import summary_text
from replies import services as rs
from tests import factories
from tests.factories import proposal_in_state

TODAY = datetime.date(2023, 6, 15)


def signed(world, proposal, *, signed_on, adoption="adopted"):
    """The lead agency answers every recommendation with ``adoption`` and signs on ``signed_on``."""
    proposal, letter = world.ready_letter(proposal, adoption=adoption)
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=signed_on)
    proposal.refresh_from_db()
    return proposal


def feedback(world, proposal, handling, result, day):
    return ps.feedback_record(
        proposal=proposal, handling=handling, result=result, received_on=day, actor=world.liaison,
    )


def build(world):
    """Nine proposals, each assigned one to the lead agency (due 6月1日) and the co-handler
    (due 4月1日):

    P1 submitted, P2 converted, P3 withdrawn, P4 registered only;
    P5 assigned, nobody answered (lead 14 days late, co 75 days late on 6月15日);
    P6 lead signed 5月20日 (on time, class A), replied;
    P7 lead signed 7月7日 (late, A), feedback 不满意 then 满意/满意, closed;
    P8 lead signed 7月7日 (late, A), feedback 满意/不满意, reopened with new due dates
       6月5日 (lead, 10 days late on 6月15日) and 5月15日 (co, 31 days late);
    P9 lead signed 5月31日 (on time, 正在落实 → class B), co approved 留作参考 on 3月20日
       (on time), feedback 基本满意/基本满意, replied.
    """
    proposal_in_state(world, Proposal.State.SUBMITTED)
    proposal_in_state(world, Proposal.State.CONVERTED)
    proposal_in_state(world, Proposal.State.WITHDRAWN)
    proposal_in_state(world, Proposal.State.REGISTERED)
    world.assigned()  # P5
    signed(world, world.assigned(), signed_on=datetime.date(2023, 5, 20))  # P6
    p7 = signed(world, world.assigned(), signed_on=datetime.date(2023, 7, 7))
    feedback(world, p7, "dissatisfied", "dissatisfied", datetime.date(2023, 7, 20))
    feedback(world, p7, "satisfied", "satisfied", datetime.date(2023, 8, 1))
    ps.proposal_close(proposal=p7, actor=world.liaison)
    p8 = signed(world, world.assigned(), signed_on=datetime.date(2023, 7, 7))
    feedback(world, p8, "satisfied", "dissatisfied", datetime.date(2023, 8, 2))
    ps.proposal_reopen(proposal=p8, actor=world.liaison)
    # Reopening counted new due dates from the day it happened; set the re-handling ones by hand.
    for agency, due in ((world.lead, datetime.date(2023, 6, 5)), (world.co, datetime.date(2023, 5, 15))):
        ps.assignment_change_due(
            assignment=p8.assignments.get(agency=agency), due_on=due, actor=world.liaison,
            reason="按重新办理要求确定期限",
        )
    p9 = world.assigned()
    co_section = world.approved_section(p9.recommendations.get(ordinal=1), world.co, "reference")
    StateChange.objects.filter(
        content_type__model="section", object_id=co_section.pk, action="approve"
    ).update(at=timezone.make_aware(datetime.datetime(2023, 3, 20, 10, 0)))
    p9 = signed(world, p9, signed_on=datetime.date(2023, 5, 31), adoption="in_progress")
    feedback(world, p9, "basically_satisfied", "basically_satisfied", datetime.date(2023, 8, 3))


@pytest.fixture
def counted(world):
    build(world)
    return world


def test_every_statistic_on_the_hand_counted_set(counted):
    stats = session_statistics(counted.session, today=TODAY)

    assert stats["proposals"] == 9
    assert stats["submitted"] == 1
    assert stats["converted"] == 1
    assert stats["withdrawn"] == 1
    assert stats["merged"] == 0
    assert stats["registered"] == 6  # P4–P9
    assert stats["assigned"] == 5  # P5–P9
    assert stats["replied"] == 4  # P6, P7 (closed), P8 (reopened), P9
    assert stats["replied_on_time"] == 2  # P6, P9
    assert stats["closed"] == 1
    assert stats["reopened"] == 1
    assert stats["overdue"] == 2  # P5, P8
    assert stats["reply_rate"] == 80.0
    assert stats["on_time_rate"] == 40.0

    # Overdue assignments on 6月15日: P5 lead 14 days, P5 co 75, P8 lead 10, P8 co 31.
    assert stats["overdue_assignments"] == 4
    assert stats["overdue_agencies"] == 2
    assert stats["max_days_overdue"] == 75
    assert stats["avg_days_overdue"] == 32.5  # 130 / 4

    assert stats["classes"] == {"A": 3, "B": 1, "C": 0}
    assert stats["class_percent"] == {"A": 75.0, "B": 25.0, "C": 0.0}
    assert stats["adoption"] == {
        "adopted": 6, "in_progress": 2, "planned": 0, "reference": 1, "explained": 0,
    }
    assert stats["adoption_percent"] == {  # of 9 approved sections
        "adopted": 66.7, "in_progress": 22.2, "planned": 0.0, "reference": 11.1, "explained": 0.0,
    }

    # Latest feedback of P7 (满意/满意), P8 (满意/不满意), P9 (基本满意/基本满意).
    assert stats["feedback"] == 3
    assert stats["satisfaction"] == {
        "handling": {"satisfied": 2, "basically_satisfied": 1, "dissatisfied": 0},
        "result": {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1},
    }
    assert stats["satisfaction_rate"] == {"handling": 100.0, "result": 66.7}
    assert stats["agencies"] == 2


def test_every_statistic_per_agency(counted):
    co, lead = session_statistics(counted.session, today=TODAY)["by_agency"]  # the co-handler is later
    assert lead == {
        "code": "lead", "name": "测试市工商业联合会", "short_name": "市工商联",
        "assigned": 5, "lead": 5, "co": 0, "separate": 0,
        "replied": 4, "replied_on_time": 2, "reply_rate": 80.0, "on_time_rate": 40.0,
        # P5 due 6月1日 (14 days), P8 due 6月5日 after reopening (10 days).
        "overdue": 2, "max_days_overdue": 14, "days_overdue": 24, "avg_days_overdue": 12.0,
        # P6, P7, P8 class A; P9 class B.
        "letters": 4, "classes": {"A": 3, "B": 1, "C": 0},
        "class_percent": {"A": 75.0, "B": 25.0, "C": 0.0},
        # Two recommendations each: P6–P8 吸收采纳, P9 正在落实.
        "sections": 8,
        "adoption": {"adopted": 6, "in_progress": 2, "planned": 0, "reference": 0, "explained": 0},
        # It led P7, P8, P9: the proposers' latest feedback.
        "feedback": 3, "satisfied": 2,
        "satisfaction": {
            "handling": {"satisfied": 2, "basically_satisfied": 1, "dissatisfied": 0},
            "result": {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1},
        },
        "satisfaction_rate": {"handling": 100.0, "result": 66.7},
        "released": 0, "release_rate": 0.0,
        # P9's two sections answered 正在落实, each with its commitment (due 2023年12月31日).
        "commitments": {"made": 2, "kept": 0, "partly": 0, "overdue": 0},
    }
    assert co == {
        "code": "co", "name": "测试市民政局", "short_name": "市民政局",
        "assigned": 5, "lead": 0, "co": 5, "separate": 0,
        "replied": 1, "replied_on_time": 1, "reply_rate": 20.0, "on_time_rate": 20.0,
        # P5 due 4月1日 (75 days), P8 due 5月15日 after reopening (31 days).
        "overdue": 2, "max_days_overdue": 75, "days_overdue": 106, "avg_days_overdue": 53.0,
        "letters": 0, "classes": {"A": 0, "B": 0, "C": 0},
        "class_percent": {"A": None, "B": None, "C": None},
        "sections": 1,
        "adoption": {"adopted": 0, "in_progress": 0, "planned": 0, "reference": 1, "explained": 0},
        # A co-handler answers the lead agency, not the proposer: no satisfaction of its own.
        "feedback": 0, "satisfied": 0,
        "satisfaction": {
            "handling": {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0},
            "result": {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0},
        },
        "satisfaction_rate": {"handling": None, "result": None},
        "released": 0, "release_rate": 0.0,
        "commitments": {"made": 0, "kept": 0, "partly": 0, "overdue": 0},
    }


def test_agencies_sort_by_lateness_rates_or_satisfaction(counted):
    factories.proposal_for(counted, factories.AgencyFactory(code="third"))  # 14 days late, nothing answered
    rows = session_statistics(counted.session, today=TODAY)["by_agency"]
    # co: 2 overdue, at most 75 days, 53 on average, reply rate 20%, no feedback;
    # lead: 2, 14, 12.0, 80%, 66.7% satisfied; third: 1, 14, 14.0, 0%, no feedback.
    expected = {
        "late": ["co", "lead", "third"],
        "days": ["co", "lead", "third"],
        "avg_days": ["co", "third", "lead"],
        "reply_rate": ["third", "co", "lead"],
        "on_time_rate": ["third", "co", "lead"],
        "satisfaction": ["lead", "co", "third"],
        "agency": ["co", "lead", "third"],
    }
    assert set(expected) == set(AGENCY_SORTS)
    for key, codes in expected.items():
        assert [row["code"] for row in sort_agencies(rows, key)] == codes, key
    assert [row["code"] for row in rows] == expected["late"]  # the default
    assert [row["code"] for row in sort_agencies(rows, "no-such-sort")] == expected["late"]


def test_a_first_reply_is_judged_by_the_first_rounds_due_date(world):
    """Reopening sets new due dates; the first letters still count against the old ones."""
    late = signed(world, world.assigned(), signed_on=datetime.date(2023, 7, 7))  # due 6月1日
    in_time = signed(world, world.assigned(), signed_on=datetime.date(2023, 5, 20))
    for proposal in (late, in_time):
        feedback(world, proposal, "dissatisfied", "dissatisfied", datetime.date(2023, 8, 1))
        ps.proposal_reopen(proposal=proposal, actor=world.liaison)
        assert proposal.assignments.get(agency=world.lead).due_on > datetime.date(2023, 7, 7)
    stats = session_statistics(world.session, today=TODAY)
    assert (stats["replied"], stats["replied_on_time"]) == (2, 1)
    lead = next(row for row in stats["by_agency"] if row["code"] == "lead")
    assert (lead["replied"], lead["replied_on_time"]) == (2, 1)


def test_merged_proposals_count_as_received_only(world):
    merged = world.proposal()
    Proposal.objects.filter(pk=merged.pk).update(state="merged")  # 已并案, set directly
    world.proposal()
    stats = session_statistics(world.session, today=TODAY)
    assert (stats["proposals"], stats["merged"], stats["submitted"], stats["registered"]) == (2, 1, 1, 0)
    assert "并案1件" in summary_text(stats)


def test_a_later_approval_of_the_co_handler_is_late(counted):
    StateChange.objects.filter(content_type__model="section", action="approve").update(
        at=timezone.make_aware(datetime.datetime(2023, 4, 2, 10, 0))
    )
    answers.refresh()  # the history was rewritten directly; the stored facts follow it
    co = next(a for a in session_statistics(counted.session, today=TODAY)["by_agency"] if a["code"] == "co")
    assert (co["replied"], co["replied_on_time"]) == (1, 0)


def test_an_empty_session_has_no_rates(world):
    stats = session_statistics(world.session, today=TODAY)
    assert stats["proposals"] == 0
    assert stats["reply_rate"] is None and stats["on_time_rate"] is None
    assert stats["classes"] == {"A": 0, "B": 0, "C": 0}
    assert stats["class_percent"] == {"A": None, "B": None, "C": None}
    assert stats["satisfaction_rate"] == {"handling": None, "result": None}
    assert stats["by_agency"] == []
    assert (stats["overdue_assignments"], stats["max_days_overdue"], stats["avg_days_overdue"]) == (0, 0, None)
    assert summary_text(stats) == (
        "市政协十三届二次会议共收到提案0件，经审查立案0件。已交办提案0件，交由0个单位承办。"
        "已办复0件，办复率—；其中按期办复0件，按期办复率—；已办结0件。"
    )


def test_other_sessions_do_not_count(counted):
    other = factories.SessionFactory(code="13-3", meeting=3, year=2024, name="市政协十三届三次会议")
    assert session_statistics(other, today=TODAY)["proposals"] == 0
    assert session_statistics(counted.session, today=TODAY)["proposals"] == 9


# ---------------------------------------------------------------- the summary

SUMMARY = (
    "市政协十三届二次会议共收到提案9件，经审查立案6件，转为意见建议1件，撤案1件。"
    "已交办提案5件，交由2个单位承办。"
    "已办复4件，办复率80%；其中按期办复2件，按期办复率40%；已办结1件。"
    "答复函中，A类3件，占75%；B类1件，占25%；C类0件，占0%。"
    "各单位审核通过的办理意见9条，其中吸收采纳6条、正在落实2条、留作参考1条。"
    "收到提案者反馈3件，对办理工作的满意率100%，对办理结果的满意率66.7%，对办理结果不满意1件。"
    "目前尚有2件提案逾期未办复。"
    "逾期的承办单位：市民政局2件（最长逾期75天）、市工商联2件（最长逾期14天）。"
)


def test_the_summary_reads_like_a_report(counted):
    assert summary_text(session_statistics(counted.session, today=TODAY)) == SUMMARY


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?%?", text))


def test_the_summary_in_english_says_the_same_numbers(counted):
    stats = session_statistics(counted.session, today=TODAY)
    with translation.override("en"):
        english = summary_text(stats)
    assert english.strip() == english and english
    assert _numbers(english) == _numbers(SUMMARY)
    for agency in ("市民政局", "市工商联"):  # names are data: the same in every language
        assert agency in english


def test_the_summary_in_english_has_no_chinese_wording(counted):
    stats = session_statistics(counted.session, today=TODAY)
    with translation.override("en"):
        english = summary_text(stats)
    wording = re.sub("市政协十三届二次会议|市民政局|市工商联|吸收采纳|正在落实|留作参考", "", english)
    assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", wording), wording


# ---------------------------------------------------------------- what it costs


def _queries(session) -> int:
    with CaptureQueriesContext(connection) as captured:
        session_statistics(session, today=TODAY)
    return len(captured)


def test_query_count_does_not_grow_with_the_data(world):
    build(world)
    small = _queries(world.session)
    build(world)
    factories.proposal_for(world, factories.AgencyFactory(code="third"))
    assert _queries(world.session) == small
    assert small <= 9  # one of them counts the approved 退办 requests, one the commitments


# ---------------------------------------------------------------- the command


def test_command_prints_the_numbers_as_json(counted):
    out = StringIO()
    call_command("stats", "--session", "13-2", "--json", "--today", "2023-06-15", stdout=out)
    data = json.loads(out.getvalue())
    for key in ("proposals", "registered", "replied", "replied_on_time", "closed", "overdue",
                "classes", "adoption", "satisfaction", "by_agency"):
        assert key in data
    assert (data["proposals"], data["registered"], data["replied"], data["replied_on_time"],
            data["closed"], data["overdue"]) == (9, 6, 4, 2, 1, 2)
    assert data["classes"] == {"A": 3, "B": 1, "C": 0}
    assert data["adoption"]["adopted"] == 6 and data["adoption"]["reference"] == 1
    assert data["satisfaction"]["result"] == {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1}
    assert [
        {k: row[k] for k in ("code", "assigned", "replied", "replied_on_time", "overdue",
                             "max_days_overdue", "avg_days_overdue")}
        for row in data["by_agency"]
    ] == [
        {"code": "co", "assigned": 5, "replied": 1, "replied_on_time": 1, "overdue": 2,
         "max_days_overdue": 75, "avg_days_overdue": 53.0},
        {"code": "lead", "assigned": 5, "replied": 4, "replied_on_time": 2, "overdue": 2,
         "max_days_overdue": 14, "avg_days_overdue": 12.0},
    ]
    assert data["by_agency"][1]["satisfaction_rate"] == {"handling": 100.0, "result": 66.7}


def test_command_prints_a_chinese_table(counted):
    out = StringIO()
    call_command("stats", "--session", "13-2", "--today", "2023-06-15", stdout=out)
    text = out.getvalue()
    assert "收到提案" in text and "按期办复率" in text and "40%" in text
    assert "市民政局\t5\t1\t1\t20%\t20%\t2\t75\t53\t—\t—" in text
    assert "市工商联\t5\t4\t2\t80%\t40%\t2\t14\t12\t100%\t66.7%" in text
    assert SUMMARY in text


def test_command_refuses_an_unknown_session(db):
    with pytest.raises(CommandError, match="unknown session"):
        call_command("stats", "--session", "99-9", "--json", stdout=StringIO())
