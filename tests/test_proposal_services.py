"""Proposal services: every legal and illegal move, the history they write, and their rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from history.moves import transition
from proposals import services as ps
from proposals.models import (
    Assignment,
    Feedback,
    Proposal,
    Session,
)
from tests.factories import (
    AgencyFactory,
    SessionFactory,
    history_of,
    proposal_in_state,
    record_feedback,
)

State = Proposal.State
DAY = datetime.date(2023, 3, 1)
DUE = datetime.date(2023, 6, 1)


def lead_only(world, *, agency=None, assigned_on=DAY, due_on=DUE):
    return [{"agency": agency or world.lead, "role": "lead", "assigned_on": assigned_on,
             "due_on": due_on}]


def assert_refused_without_trace(proposal, state, history_count):
    proposal.refresh_from_db()
    assert proposal.state == state
    assert StateChange.objects.count() == history_count


# ---------------------------------------------------------------- illegal moves, from every state

# One call per move of Proposal.MOVES, each well-formed, so the only thing wrong is the state.
# "reply" has no service of its own: letter signing makes it (tested below).
PROPOSAL_MOVES = {
    "register": lambda w, p: ps.proposal_register(proposal=p, actor=w.liaison),
    "convert": lambda w, p: ps.proposal_convert(proposal=p, actor=w.liaison, reason="属于工作建议"),
    "withdraw": lambda w, p: ps.proposal_withdraw(proposal=p, actor=w.liaison, reason="提案者申请"),
    "assign": lambda w, p: ps.proposal_assign(
        proposal=p, actor=w.liaison, assignments=lead_only(w, agency=AgencyFactory(code="fresh"))
    ),
    "close": lambda w, p: ps.proposal_close(proposal=p, actor=w.liaison, reason="已作说明"),
    "reopen": lambda w, p: ps.proposal_reopen(proposal=p, actor=w.liaison, reason="需再次办理"),
    # The state is checked before the proposal merged into (here itself, so nothing is added).
    "merge": lambda w, p: ps.proposal_merge(proposal=p, into=p, actor=w.liaison),
}


def wrong_states(model, moves):
    return [
        pytest.param(move, state, id=f"{move}-from-{state}")
        for move in moves
        for state in model.State.values
        if state not in model.MOVES[move].sources
    ]


def test_every_proposal_move_is_covered():
    assert set(PROPOSAL_MOVES) | {"reply"} == set(Proposal.MOVES)


@pytest.mark.parametrize(("move", "state"), wrong_states(Proposal, PROPOSAL_MOVES))
def test_proposal_move_from_a_wrong_state_is_refused(world, move, state):
    proposal = proposal_in_state(world, state)
    history_count = StateChange.objects.count()
    assignments = list(proposal.assignments.values_list("agency__code", "role"))
    round_before = proposal.round

    with pytest.raises(IllegalMove) as caught:
        PROPOSAL_MOVES[move](world, proposal)

    message = caught.value.message
    assert f"不能{Proposal.MOVES[move].label}" in message
    assert f"当前状态为“{State(state).label}”" in message
    assert_refused_without_trace(proposal, state, history_count)
    assert proposal.round == round_before
    assert list(proposal.assignments.values_list("agency__code", "role")) == assignments


def test_register_an_assigned_proposal_says_why(world):
    proposal = world.assigned()
    with pytest.raises(IllegalMove) as caught:
        ps.proposal_register(proposal=proposal, actor=world.liaison)
    assert caught.value.message == "不能立案：该提案当前状态为“已交办”，只有处于“待审查”状态时才能立案。"


@pytest.mark.parametrize(
    "state", [s for s in State.values if s not in Proposal.MOVES["reply"].sources]
)
def test_reply_move_only_from_a_handled_proposal(world, state):
    proposal = proposal_in_state(world, state)
    history_count = StateChange.objects.count()

    assert ps.proposal_mark_replied_if_complete(proposal=proposal, actor=world.lead_approver) is False
    assert_refused_without_trace(proposal, state, history_count)

    with pytest.raises(IllegalMove) as caught, transaction.atomic():
        transition(Proposal.objects.select_for_update().get(pk=proposal.pk), "reply")
    assert "不能答复" in caught.value.message
    assert f"“{State(state).label}”" in caught.value.message
    assert_refused_without_trace(proposal, state, history_count)


def test_reply_waits_for_the_lead_letter(world):
    proposal = world.assigned()
    assert ps.proposal_mark_replied_if_complete(proposal=proposal) is False
    proposal.refresh_from_db()
    assert proposal.state == State.ASSIGNED


# ---------------------------------------------------------------- legal moves and their history


def test_create_logs_a_submitted_proposal(world):
    proposal = ps.proposal_create(
        session=world.session,
        title="  关于加强社区养老服务的建议 ",
        proposers=[
            {"name": "张某某", "kind": "member", "role": "lead"},
            {"name": "李某某", "kind": "member", "role": "co-signer"},
        ],
        recommendations=[{"title": "增加社区食堂"}, {"title": "培训护理人员", "body": "内容"}],
        actor=world.liaison,
    )
    assert proposal.state == State.SUBMITTED
    assert proposal.title == "关于加强社区养老服务的建议"
    assert proposal.lead_proposer.name == "张某某"
    assert list(proposal.signatures.values_list("proposer__name", "role")) == [
        ("张某某", "lead"), ("李某某", "co-signer"),
    ]
    assert list(proposal.recommendations.values_list("ordinal", "title")) == [
        (1, "增加社区食堂"), (2, "培训护理人员"),
    ]
    (change,) = history_of(proposal)
    assert (change.action, change.source, change.target, change.actor) == (
        "create", "", "submitted", world.liaison,
    )


def test_register(world):
    proposal = world.proposal()
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert proposal.state == State.REGISTERED
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor, change.reason) == (
        "register", "submitted", "registered", world.liaison, "",
    )


@pytest.mark.parametrize(
    ("service", "action", "target"),
    [(ps.proposal_convert, "convert", "converted"), (ps.proposal_withdraw, "withdraw", "withdrawn")],
)
def test_convert_and_withdraw_record_their_reason(world, service, action, target):
    proposal = world.proposal()
    service(proposal=proposal, actor=world.liaison, reason="  不属于提案受理范围  ")
    proposal.refresh_from_db()
    assert proposal.state == target
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor, change.reason) == (
        action, "submitted", target, world.liaison, "不属于提案受理范围",
    )


@pytest.mark.parametrize("service", [ps.proposal_convert, ps.proposal_withdraw])
@pytest.mark.parametrize("reason", ["", "   "])
def test_convert_and_withdraw_need_a_reason(world, service, reason):
    proposal = world.proposal()
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        service(proposal=proposal, actor=world.liaison, reason=reason)
    assert caught.value.field == "reason"
    assert "理由" in caught.value.message
    assert_refused_without_trace(proposal, State.SUBMITTED, history_count)


def test_assign_creates_the_assignments(world):
    proposal = proposal_in_state(world, State.REGISTERED)
    ps.proposal_assign(
        proposal=proposal,
        actor=world.liaison,
        assignments=[
            {"agency": world.lead, "role": "lead", "assigned_on": DAY, "due_on": DUE},
            {"agency": world.co, "role": "co", "assigned_on": DAY,
             "due_on": datetime.date(2023, 4, 1)},
        ],
    )
    proposal.refresh_from_db()
    assert proposal.state == State.ASSIGNED
    assert sorted(proposal.assignments.values_list("agency__code", "role", "due_on")) == [
        ("co", "co", datetime.date(2023, 4, 1)), ("lead", "lead", DUE),
    ]
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor) == (
        "assign", "registered", "assigned", world.liaison,
    )
    assert change.data["assignments"][0] == {"agency": "lead", "role": "lead", "due_on": "2023-06-01"}


def test_separate_handlers_need_no_lead(world):
    proposal = proposal_in_state(world, State.REGISTERED)
    ps.proposal_assign(
        proposal=proposal, actor=world.liaison,
        assignments=[
            {"agency": world.lead, "role": "separate", "assigned_on": DAY, "due_on": DUE},
            {"agency": world.co, "role": "separate", "assigned_on": DAY, "due_on": DUE},
        ],
    )
    proposal.refresh_from_db()
    assert proposal.state == State.ASSIGNED
    assert set(proposal.assignments.answering().values_list("agency__code", flat=True)) == {"lead", "co"}


def test_signing_the_letter_records_the_reply(world):
    proposal, letter = world.signed_letter()
    assert proposal.state == State.REPLIED
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor) == (
        "reply", "assigned", "replied", world.lead_approver,
    )


def test_close_after_satisfaction_needs_no_reason(world):
    proposal = proposal_in_state(world, State.REPLIED)
    record_feedback(world, proposal, satisfied=True)
    ps.proposal_close(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor, change.reason) == (
        "close", "replied", "closed", world.liaison, "",
    )


def test_close_after_dissatisfaction_needs_a_reason(world):
    proposal = proposal_in_state(world, State.REPLIED)
    record_feedback(world, proposal, satisfied=False)
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        ps.proposal_close(proposal=proposal, actor=world.liaison, reason=" ")
    assert caught.value.field == "reason"
    assert "不满意" in caught.value.message
    assert_refused_without_trace(proposal, State.REPLIED, history_count)

    ps.proposal_close(proposal=proposal, actor=world.liaison, reason="已当面沟通，受条件限制")
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    assert history_of(proposal).last().reason == "已当面沟通，受条件限制"


def test_reopen_after_dissatisfaction(world):
    proposal = proposal_in_state(world, State.REPLIED)
    record_feedback(world, proposal, satisfied=False)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.round) == (State.REOPENED, 2)
    change = history_of(proposal).last()
    assert (change.action, change.source, change.target, change.actor, change.reason) == (
        "reopen", "replied", "reopened", world.liaison, "",
    )
    assert change.data == {"round": 2}


@pytest.mark.parametrize("state", [State.REPLIED, State.CLOSED])
def test_reopen_without_dissatisfaction_needs_a_reason(world, state):
    proposal = proposal_in_state(world, state)
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    assert caught.value.field == "reason"
    assert_refused_without_trace(proposal, state, history_count)
    assert proposal.round == 1

    ps.proposal_reopen(proposal=proposal, actor=world.liaison, reason="主席会议决定重新办理")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.round) == (State.REOPENED, 2)
    change = history_of(proposal).last()
    assert (change.source, change.target, change.reason) == (state, "reopened", "主席会议决定重新办理")


# ---------------------------------------------------------------- editing a proposal


@pytest.mark.parametrize("state", [State.SUBMITTED, State.REGISTERED])
def test_update_while_under_review(world, state):
    proposal = proposal_in_state(world, state)
    ps.proposal_update(
        proposal=proposal, actor=world.liaison, title="新案由",
        recommendations=[{"title": "唯一的建议"}],
        proposers=[{"name": "王某某", "kind": "member"}],
    )
    proposal.refresh_from_db()
    assert proposal.title == "新案由"
    assert list(proposal.recommendations.values_list("title", flat=True)) == ["唯一的建议"]
    assert proposal.lead_proposer.name == "王某某"
    assert proposal.state == state
    change = history_of(proposal).last()
    assert (change.action, change.actor) == ("update", world.liaison)


@pytest.mark.parametrize(
    "state", [s for s in State.values if s not in (State.SUBMITTED, State.REGISTERED)]
)
def test_text_is_fixed_after_review(world, state):
    proposal = proposal_in_state(world, state)
    title = proposal.title
    history_count = StateChange.objects.count()
    with pytest.raises(IllegalMove) as caught:
        ps.proposal_update(proposal=proposal, actor=world.liaison, title="改过的案由")
    assert f"“{State(state).label}”" in caught.value.message
    proposal.refresh_from_db()
    assert proposal.title == title
    assert StateChange.objects.count() == history_count


def test_key_flag_can_change_while_handled(world):
    proposal = world.assigned()
    ps.proposal_update(proposal=proposal, actor=world.liaison, is_key=True)
    proposal.refresh_from_db()
    assert proposal.is_key is True


# ---------------------------------------------------------------- proposers


@pytest.mark.parametrize(
    "proposers",
    [
        pytest.param([], id="none"),
        pytest.param([{"name": "甲", "role": "co-signer"}], id="no-lead"),
        pytest.param([{"name": "甲"}, {"name": "乙"}], id="two-leads"),
    ],
)
def test_exactly_one_lead_proposer(world, proposers):
    with pytest.raises(DomainError) as caught:
        ps.proposal_create(session=world.session, title="案由", proposers=proposers,
                           actor=world.liaison)
    assert caught.value.message == "一件提案须有且只有一位领衔提案者。"
    assert caught.value.field == "proposers"
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("proposers", "words"),
    [
        pytest.param([{"name": "  "}], "不能为空", id="blank"),
        pytest.param([{"name": "甲"}, {"name": "甲", "role": "co-signer"}], "重复", id="twice"),
        pytest.param([{"name": "甲", "kind": "alien"}], "类型", id="kind"),
        pytest.param([{"name": "甲", "role": "boss"}], "身份", id="role"),
    ],
)
def test_bad_proposers_are_refused(world, proposers, words):
    with pytest.raises(DomainError) as caught:
        ps.proposal_create(session=world.session, title="案由", proposers=proposers,
                           actor=world.liaison)
    assert words in caught.value.message
    assert not Proposal.objects.exists()


# ---------------------------------------------------------------- registering


def test_register_needs_recommendations(world):
    proposal = world.proposal(recommendations=0)
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        ps.proposal_register(proposal=proposal, actor=world.liaison)
    assert caught.value.field == "recommendations"
    assert "建议" in caught.value.message
    assert_refused_without_trace(proposal, State.SUBMITTED, history_count)


def test_blank_recommendation_title_is_refused(world):
    with pytest.raises(DomainError) as caught:
        ps.proposal_create(session=world.session, title="案由", proposers=[{"name": "甲"}],
                           recommendations=[{"title": "一"}, {"title": " "}], actor=world.liaison)
    assert "第2条建议的标题不能为空" in caught.value.message
    assert not Proposal.objects.exists()


# ---------------------------------------------------------------- proposal numbers in a committee


def other_session(world, **kwargs) -> Session:
    values = {"code": "13-3", "committee": world.session.committee, "term": 13, "meeting": 3,
              "year": 2024, "name": "市政协十三届三次会议"}
    values.update(kwargs)
    return SessionFactory(**values)


def test_number_is_unique_in_the_committee_across_sessions(world):
    world.proposal(number="132001")
    later = other_session(world)
    with pytest.raises(DomainError) as caught:
        ps.proposal_create(session=later, number="132001", title="案由",
                           proposers=[{"name": "甲"}], actor=world.liaison)
    assert caught.value.field == "number"
    assert "132001" in caught.value.message
    assert Proposal.objects.filter(number="132001").count() == 1


def test_same_number_in_the_same_session_is_refused(world):
    world.proposal(number="132050")
    with pytest.raises(DomainError) as caught:
        world.proposal(number="132050")
    assert caught.value.field == "number"
    assert Proposal.objects.count() == 1


def test_another_committee_may_use_the_same_number(world):
    world.proposal(number="132001")
    elsewhere = other_session(world, code="x-13-2", committee="政协另一市委员会", meeting=2)
    proposal = ps.proposal_create(session=elsewhere, number="132001", title="案由",
                                  proposers=[{"name": "甲"}], actor=world.liaison)
    assert proposal.number == "132001"


def test_a_number_must_be_digits(world):
    with pytest.raises(DomainError) as caught:
        world.proposal(number="13-2-001")
    assert caught.value.field == "number"


# ---------------------------------------------------------------- assignment rules


def item(agency, role, assigned_on=DAY, due_on=DUE):
    return {"agency": agency, "role": role, "assigned_on": assigned_on, "due_on": due_on}


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda w, x: [item(w.lead, "lead"), item(w.co, "lead")], "只能有一个主办单位",
                     id="two-leads"),
        pytest.param(lambda w, x: [item(w.co, "co")], "有会办单位时必须指定主办单位",
                     id="co-without-lead"),
        pytest.param(lambda w, x: [item(w.co, "co"), item(w.lead, "separate")],
                     "有会办单位时必须指定主办单位", id="co-with-separate-only"),
        pytest.param(lambda w, x: [item(w.lead, "lead"), item(w.lead, "co")], "不能重复交办",
                     id="same-agency-twice"),
        pytest.param(lambda w, x: [item(w.lead, "lead", due_on=datetime.date(2023, 2, 28))],
                     "早于交办日期", id="due-before-assigned"),
        pytest.param(lambda w, x: [item(w.lead, "lead", due_on=None)], "都必须填写", id="no-due"),
        pytest.param(lambda w, x: [item(w.lead, "lead"), item(x, "co")], "已停用",
                     id="inactive-agency"),
        pytest.param(lambda w, x: [], "至少指定一个", id="none"),
        pytest.param(lambda w, x: [item(w.lead, "lead"), item(w.co, "boss")], "无效",
                     id="unknown-role"),
    ],
)
def test_assignment_rules(world, make, words):
    retired = AgencyFactory(code="retired", is_active=False)
    proposal = proposal_in_state(world, State.REGISTERED)
    history_count = StateChange.objects.count()
    with pytest.raises(DomainError) as caught:
        ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=make(world, retired))
    assert words in caught.value.message
    assert_refused_without_trace(proposal, State.REGISTERED, history_count)
    assert not Assignment.objects.exists()


def test_due_on_the_day_of_assignment_is_allowed(world):
    proposal = proposal_in_state(world, State.REGISTERED)
    ps.proposal_assign(proposal=proposal, actor=world.liaison,
                       assignments=[item(world.lead, "lead", due_on=DAY)])
    assert proposal.assignments.get().due_on == DAY


# ---------------------------------------------------------------- changing assignments


def test_add_a_co_handler_while_handled(world):
    proposal = world.assigned()
    extra = AgencyFactory(code="extra")
    assignment = ps.assignment_add(proposal=proposal, agency=extra, role="co", assigned_on=DAY,
                                   due_on=DUE, actor=world.liaison, reason="涉及该局职能")
    assert (assignment.agency, assignment.role) == (extra, "co")
    change = history_of(assignment).last()
    assert (change.action, change.actor, change.reason, change.proposal) == (
        "add_assignment", world.liaison, "涉及该局职能", proposal,
    )


@pytest.mark.parametrize(
    ("agency", "role", "words"),
    [
        pytest.param("co", "co", "已是本提案的承办单位", id="already"),
        pytest.param("extra", "lead", "只能有一个主办单位", id="second-lead"),
    ],
)
def test_add_refuses_a_duplicate_or_a_second_lead(world, agency, role, words):
    proposal = world.assigned()
    extra = AgencyFactory(code="extra")
    with pytest.raises(DomainError) as caught:
        ps.assignment_add(proposal=proposal, agency=extra if agency == "extra" else world.co,
                          role=role, assigned_on=DAY, due_on=DUE, actor=world.liaison,
                          reason="补充")
    assert words in caught.value.message
    assert proposal.assignments.count() == 2


def test_add_needs_a_reason(world):
    proposal = world.assigned()
    with pytest.raises(DomainError) as caught:
        ps.assignment_add(proposal=proposal, agency=AgencyFactory(code="extra"), role="co",
                          assigned_on=DAY, due_on=DUE, actor=world.liaison)
    assert caught.value.field == "reason"
    assert proposal.assignments.count() == 2


@pytest.mark.parametrize(
    "state", [s for s in State.values if s not in (State.ASSIGNED, State.REOPENED)]
)
def test_assignments_change_only_while_handled(world, state):
    proposal = proposal_in_state(world, state)
    history_count = StateChange.objects.count()
    label = f"“{State(state).label}”"
    with pytest.raises(IllegalMove) as caught:
        ps.assignment_add(proposal=proposal, agency=AgencyFactory(code="extra"), role="separate",
                          assigned_on=DAY, due_on=DUE, actor=world.liaison, reason="补充")
    assert label in caught.value.message
    assignment = proposal.assignments.first()
    if assignment is not None:
        due = assignment.due_on
        with pytest.raises(IllegalMove) as caught:
            ps.assignment_change_due(assignment=assignment, due_on=DUE + datetime.timedelta(days=30),
                                     actor=world.liaison, reason="延期")
        assert label in caught.value.message
        with pytest.raises(IllegalMove):
            ps.assignment_remove(assignment=assignment, actor=world.liaison, reason="交办错误")
        assignment.refresh_from_db()
        assert assignment.due_on == due
    assert StateChange.objects.count() == history_count


def test_extend_the_due_date(world):
    proposal = world.assigned()
    assignment = proposal.assignments.get(role="lead")
    later = datetime.date(2023, 9, 1)
    ps.assignment_change_due(assignment=assignment, due_on=later, actor=world.liaison,
                             reason="经批准延期三个月")
    assignment.refresh_from_db()
    assert assignment.due_on == later
    change = history_of(assignment).last()
    assert (change.action, change.actor, change.reason) == ("extend", world.liaison, "经批准延期三个月")
    assert change.data == {"agency": "lead", "from": "2023-06-01", "to": "2023-09-01"}


def test_extend_needs_a_reason_and_a_date_after_assignment(world):
    proposal = world.assigned()
    assignment = proposal.assignments.get(role="lead")
    with pytest.raises(DomainError) as caught:
        ps.assignment_change_due(assignment=assignment, due_on=datetime.date(2023, 9, 1),
                                 actor=world.liaison, reason="")
    assert caught.value.field == "reason"
    with pytest.raises(DomainError) as caught:
        ps.assignment_change_due(assignment=assignment, due_on=datetime.date(2023, 2, 1),
                                 actor=world.liaison, reason="调整")
    assert "早于交办日期" in caught.value.message
    assignment.refresh_from_db()
    assert assignment.due_on == DUE
    assert not history_of(assignment).exists()


def test_remove_an_assignment_made_in_error(world):
    proposal = world.assigned()
    assignment = proposal.assignments.get(role="co")
    pk = assignment.pk
    ps.assignment_remove(assignment=assignment, actor=world.liaison, reason="交办错误")
    assert not Assignment.objects.filter(pk=pk).exists()
    change = StateChange.objects.get(action="remove_assignment")
    assert (change.object_id, change.reason, change.data) == (pk, "交办错误", {"agency": "co", "role": "co"})


def test_remove_refused_once_the_agency_has_written(world):
    from replies import services as rs

    proposal = world.assigned()
    rs.section_create(recommendation=proposal.recommendations.first(), agency=world.co,
                      actor=world.co_officer)
    with pytest.raises(DomainError) as caught:
        ps.assignment_remove(assignment=proposal.assignments.get(role="co"), actor=world.liaison,
                             reason="交办错误")
    assert "已有办理意见" in caught.value.message
    assert proposal.assignments.count() == 2


def test_remove_refuses_to_leave_co_handlers_without_a_lead(world):
    proposal = world.assigned()
    with pytest.raises(DomainError) as caught:
        ps.assignment_remove(assignment=proposal.assignments.get(role="lead"), actor=world.liaison,
                             reason="交办错误")
    assert "必须指定主办单位" in caught.value.message
    assert proposal.assignments.count() == 2


# ---------------------------------------------------------------- feedback


def test_feedback_is_recorded_for_the_current_round(world):
    proposal = proposal_in_state(world, State.REPLIED)
    feedback = ps.feedback_record(proposal=proposal, handling="satisfied", result="dissatisfied",
                                  received_on=datetime.date(2023, 8, 2), comment="希望加快",
                                  actor=world.liaison)
    assert (feedback.round, feedback.is_dissatisfied, feedback.recorded_by) == (1, True, world.liaison)
    change = history_of(feedback).last()
    assert (change.action, change.proposal, change.data) == (
        "feedback", proposal, {"handling": "satisfied", "result": "dissatisfied"},
    )
    proposal.refresh_from_db()
    assert proposal.state == State.REPLIED


@pytest.mark.parametrize("state", [s for s in State.values if s != State.REPLIED])
def test_feedback_only_for_an_answered_proposal(world, state):
    proposal = proposal_in_state(world, state)
    with pytest.raises(IllegalMove) as caught:
        ps.feedback_record(proposal=proposal, handling="satisfied", result="satisfied",
                           actor=world.liaison)
    assert f"“{State(state).label}”" in caught.value.message
    assert Feedback.objects.filter(proposal=proposal).count() == (
        1 if state in (State.REOPENED, State.CLOSED) else 0
    )


def test_feedback_values_and_date_are_checked(world):
    proposal = proposal_in_state(world, State.REPLIED)
    with pytest.raises(DomainError) as caught:
        ps.feedback_record(proposal=proposal, handling="great", result="satisfied",
                           actor=world.liaison)
    assert "great" in caught.value.message
    with pytest.raises(DomainError) as caught:
        ps.feedback_record(proposal=proposal, handling="satisfied", result="satisfied",
                           received_on=ps.today() + datetime.timedelta(days=1), actor=world.liaison)
    assert caught.value.field == "received_on"
    assert not Feedback.objects.exists()


# ---------------------------------------------------------------- liaison-only services

# (state the proposal needs, the call); every call is otherwise well-formed.
LIAISON_ONLY = {
    "proposal_create": (State.SUBMITTED, lambda w, p, actor: ps.proposal_create(
        session=w.session, title="案由", proposers=[{"name": "甲"}], actor=actor)),
    "proposal_update": (State.SUBMITTED, lambda w, p, actor: ps.proposal_update(
        proposal=p, title="新案由", actor=actor)),
    "proposal_register": (State.SUBMITTED, lambda w, p, actor: ps.proposal_register(
        proposal=p, actor=actor)),
    "proposal_convert": (State.SUBMITTED, lambda w, p, actor: ps.proposal_convert(
        proposal=p, actor=actor, reason="理由")),
    "proposal_withdraw": (State.SUBMITTED, lambda w, p, actor: ps.proposal_withdraw(
        proposal=p, actor=actor, reason="理由")),
    "proposal_assign": (State.REGISTERED, lambda w, p, actor: ps.proposal_assign(
        proposal=p, assignments=lead_only(w), actor=actor)),
    "assignment_add": (State.ASSIGNED, lambda w, p, actor: ps.assignment_add(
        proposal=p, agency=AgencyFactory(code="extra"), role="co", assigned_on=DAY, due_on=DUE,
        actor=actor, reason="理由")),
    "assignment_change_due": (State.ASSIGNED, lambda w, p, actor: ps.assignment_change_due(
        assignment=p.assignments.get(role="lead"), due_on=datetime.date(2023, 9, 1), actor=actor,
        reason="理由")),
    "assignment_remove": (State.ASSIGNED, lambda w, p, actor: ps.assignment_remove(
        assignment=p.assignments.get(role="co"), actor=actor, reason="理由")),
    "feedback_record": (State.REPLIED, lambda w, p, actor: ps.feedback_record(
        proposal=p, handling="satisfied", result="satisfied", actor=actor)),
    "proposal_close": (State.REPLIED, lambda w, p, actor: ps.proposal_close(
        proposal=p, actor=actor)),
    "proposal_reopen": (State.REPLIED, lambda w, p, actor: ps.proposal_reopen(
        proposal=p, actor=actor, reason="理由")),
}


@pytest.mark.parametrize("service", list(LIAISON_ONLY))
@pytest.mark.parametrize("who", ["lead_officer", "lead_approver", "co_approver", "office"])
def test_liaison_only_services_refuse_others(world, service, who):
    state, call = LIAISON_ONLY[service]
    proposal = proposal_in_state(world, state)
    history_count = StateChange.objects.count()
    proposals = Proposal.objects.count()
    with pytest.raises(PermissionDenied):
        call(world, proposal, getattr(world, who))
    assert_refused_without_trace(proposal, state, history_count)
    assert Proposal.objects.count() == proposals


@pytest.mark.parametrize("service", list(LIAISON_ONLY))
def test_liaison_only_services_serve_liaison_staff(world, service):
    state, call = LIAISON_ONLY[service]
    proposal = proposal_in_state(world, state)
    before = set(StateChange.objects.values_list("pk", flat=True))
    call(world, proposal, world.liaison)
    new = StateChange.objects.exclude(pk__in=before)
    # Reopening also gives each assignment its re-handling deadline, one row each.
    extra = proposal.assignments.count() if service == "proposal_reopen" else 0
    assert new.count() == 1 + extra
    assert {change.actor for change in new} == {world.liaison}


def test_session_counter_is_not_touched_by_a_refused_create(world):
    with pytest.raises(PermissionDenied):
        ps.proposal_create(session=world.session, title="案由", proposers=[{"name": "甲"}],
                           actor=world.lead_officer)
    world.session.refresh_from_db()
    assert world.session.last_serial == 0
