"""The facts each assignment keeps about its agency's answer (proposals.answers)."""

from __future__ import annotations

import datetime

import pytest

from proposals import answers
from proposals import services as ps
from proposals.models import Assignment
from replies import services as rs
from replies.models import ReplyLetter
from tests.factories import proposal_in_state, record_feedback


def facts(proposal, agency) -> tuple[bool, bool, bool]:
    row = Assignment.objects.get(proposal=proposal, agency=agency)
    return row.answered, row.answered_ever, row.answered_in_time


def test_signing_a_letter_in_time_marks_the_lead_answered(world):
    proposal = world.assigned()
    assert facts(proposal, world.lead) == (False, False, False)
    proposal, _letter = world.signed_letter(proposal, signed_on=datetime.date(2023, 5, 30))
    assert facts(proposal, world.lead) == (True, True, True)
    assert not answers.stale().exists()


def test_a_letter_signed_after_the_due_date_is_answered_but_late(world):
    proposal, _letter = world.signed_letter(signed_on=datetime.date(2023, 7, 7))  # due 2023-06-01
    assert facts(proposal, world.lead) == (True, True, False)


def test_voiding_the_only_letter_takes_the_answer_back(world):
    proposal, letter = world.signed_letter(signed_on=datetime.date(2023, 5, 30))
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    assert facts(proposal, world.lead) == (False, False, False)
    assert not answers.stale().exists()


def test_the_co_handler_answers_with_an_approved_section_and_revising_takes_it_back(world):
    proposal = world.assigned()
    section = world.approved_section(proposal.recommendations.get(ordinal=1), world.co)
    assert facts(proposal, world.co)[:2] == (True, True)
    rs.section_revise(section=section, actor=world.co_officer, reason="补充数据")
    assert facts(proposal, world.co) == (False, False, False)
    assert not answers.stale().exists()


def test_reopening_starts_a_new_round_the_earlier_answer_still_counts(world):
    proposal, _letter = world.signed_letter(signed_on=datetime.date(2023, 5, 30))
    record_feedback(world, proposal, satisfied=False)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    assert facts(proposal, world.lead) == (False, True, True)
    assert Assignment.objects.pending().filter(proposal=proposal, agency=world.lead).exists()


def test_extending_the_due_date_makes_a_late_letter_on_time(world):
    proposal = world.assigned()
    assignment = Assignment.objects.get(proposal=proposal, agency=world.lead)
    proposal, letter = world.ready_letter(proposal)
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 6, 10))
    assert facts(proposal, world.lead) == (True, True, False)
    # the due date changed afterwards (a late extension recorded by the liaison staff)
    record_feedback(world, proposal, satisfied=False)
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    ps.assignment_change_due(assignment=assignment, due_on=datetime.date(2027, 12, 31),
                             actor=world.liaison, reason="延期")
    # the first round's due date is the one before reopening: still late
    assert facts(proposal, world.lead) == (False, True, False)
    assert not answers.stale().exists()


def test_every_state_reached_through_the_services_keeps_the_facts_true(world):
    for state in ("assigned", "replied", "reopened", "closed"):
        proposal_in_state(world, state)
    stored = Assignment.objects.values_list("answered", "answered_ever", "answered_in_time")
    assert {True, False} <= {row[0] for row in stored}
    assert not answers.stale().exists()


def test_stale_finds_a_change_made_behind_the_services_back_and_refresh_mends_it(world):
    proposal, letter = world.signed_letter(signed_on=datetime.date(2023, 5, 30))
    ReplyLetter.objects.filter(pk=letter.pk).update(state=ReplyLetter.State.VOIDED)
    assert list(answers.stale().values_list("agency__code", flat=True)) == ["lead"]
    assert answers.refresh(proposal) == 2
    assert not answers.stale().exists()
    assert facts(proposal, world.lead) == (False, False, False)


def awaiting(proposal) -> dict[str, bool]:
    return dict(Assignment.objects.filter(proposal=proposal).values_list("agency__code", "awaiting"))


def test_an_assignment_waits_in_the_inbox_while_its_proposal_is_handled(world):
    proposal = world.assigned()
    assert awaiting(proposal) == {"lead": True, "co": True}
    proposal, letter = world.signed_letter(proposal)  # every answering agency signed: 已答复
    assert awaiting(proposal) == {"lead": False, "co": False}
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")  # a letter to replace
    assert awaiting(proposal) == {"lead": True, "co": True}
    assert not answers.stale().exists()


def test_closing_takes_the_proposal_out_of_every_inbox_and_reopening_puts_it_back(world):
    closed = proposal_in_state(world, "closed")
    assert awaiting(closed) == {"lead": False, "co": False}
    reopened = proposal_in_state(world, "reopened")
    assert awaiting(reopened) == {"lead": True, "co": True}
    withdrawn = proposal_in_state(world, "withdrawn")
    assert awaiting(withdrawn) == {}
    assert not answers.stale().exists()


def test_a_proposal_keeps_its_earliest_due_date_and_its_sessions_year(world):
    proposal = world.proposal()
    assert (proposal.earliest_due_on, proposal.session_year) == (None, world.session.year)
    proposal = world.assigned()  # lead due 2023-06-01, co due 2023-04-01
    proposal.refresh_from_db()
    assert proposal.earliest_due_on == datetime.date(2023, 4, 1)
    co = Assignment.objects.get(proposal=proposal, agency=world.co)
    ps.assignment_change_due(assignment=co, due_on=datetime.date(2023, 7, 1), actor=world.liaison,
                             reason="延期")
    proposal.refresh_from_db()
    assert proposal.earliest_due_on == datetime.date(2023, 6, 1)
    Assignment.objects.filter(pk=co.pk).update(due_on=datetime.date(2023, 5, 1))  # behind its back
    assert answers.stale(proposal).exists()
    answers.refresh(proposal)
    assert not answers.stale().exists()

    world.session.year += 1
    world.session.save()
    proposal.refresh_from_db()
    assert proposal.session_year == world.session.year


def test_removing_an_assignment_moves_the_earliest_due_date(world):
    proposal = world.assigned()
    co = Assignment.objects.get(proposal=proposal, agency=world.co)
    ps.assignment_remove(assignment=co, actor=world.liaison, reason="交办有误")
    proposal.refresh_from_db()
    assert proposal.earliest_due_on == datetime.date(2023, 6, 1)
    assert not answers.stale().exists()


@pytest.mark.stale_facts  # ends by writing a stale fact to see stale() find it
def test_a_proposal_keeps_the_due_date_it_waits_on_and_is_overdue_by_it(world):
    from proposals.models import Proposal, proposal_overdue
    from proposals.selectors import prepare_rows

    proposal = world.assigned()  # lead due 2023-06-01, co due 2023-04-01
    proposal.refresh_from_db()
    assert proposal.unanswered_due_on == datetime.date(2023, 4, 1)

    def overdue_on(day) -> tuple[bool, bool]:
        found = Proposal.objects.filter(proposal_overdue(day), pk=proposal.pk).exists()
        shown = prepare_rows([Proposal.objects.get(pk=proposal.pk)], day)[0].is_overdue
        assert found == shown
        return found

    assert (overdue_on(datetime.date(2023, 4, 1)), overdue_on(datetime.date(2023, 4, 2))) == (False, True)
    # The co-handler answers: the proposal now waits on the lead only.
    world.approved_section(proposal.recommendations.get(ordinal=1), world.co)
    proposal.refresh_from_db()
    assert proposal.unanswered_due_on == datetime.date(2023, 6, 1)
    assert not overdue_on(datetime.date(2023, 5, 1))
    # The lead's letter is signed: nobody is waited on, and it is never overdue.
    proposal, _letter = world.signed_letter(proposal, signed_on=datetime.date(2023, 7, 7))
    proposal.refresh_from_db()
    assert proposal.unanswered_due_on is None
    assert not overdue_on(datetime.date(2024, 1, 1))
    assert not answers.stale().exists()

    # stale() sees the stored date wrong either way, None included.
    Proposal.objects.filter(pk=proposal.pk).update(unanswered_due_on=datetime.date(2023, 6, 1))
    assert answers.stale(proposal).exists()
    answers.refresh(proposal)
    assert not answers.stale().exists()
    Assignment.objects.filter(proposal=proposal, agency=world.lead).update(answered=False)
    assert answers.stale(proposal).exists()
