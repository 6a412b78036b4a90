"""The reads behind the agency pages: who sees which sections, the inbox and the approvers' queues."""

from __future__ import annotations

import datetime

import pytest

from proposals import answers
from proposals import services as ps
from proposals.models import Proposal
from replies import selectors
from replies import services as rs
from replies.models import ReplyLetter, Section
from tests.factories import AgencyFactory, UserFactory, proposal_in_state, user_in

D = datetime.date
LEAD_DUE, CO_DUE = D(2023, 6, 1), D(2023, 4, 1)


def assign(world, proposal, *, lead=None, co=(), separate=(), lead_due=LEAD_DUE,
           co_due=CO_DUE):
    """Register and assign ``proposal`` with the given agencies and due dates."""
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    day = D(2023, 3, 1)
    items = []
    if lead is not None:
        items.append({"agency": lead, "role": "lead", "assigned_on": day, "due_on": lead_due})
    items += [{"agency": a, "role": "co", "assigned_on": day, "due_on": co_due} for a in co]
    items += [{"agency": a, "role": "separate", "assigned_on": day, "due_on": lead_due}
              for a in separate]
    ps.proposal_assign(proposal=proposal, assignments=items, actor=world.liaison)
    proposal.refresh_from_db()
    return proposal


def draft(world, proposal, agency, ordinal=1, body="草稿内容。"):
    officer = world.lead_officer if agency == world.lead else world.co_officer
    return rs.section_create(
        recommendation=proposal.recommendations.get(ordinal=ordinal), agency=agency,
        actor=officer, adoption="adopted", body=body,
    )


# ---------------------------------------------------------------- Section.objects.visible_to


def test_an_agencys_draft_stays_within_the_agency(world):
    proposal = world.assigned()
    co_draft = draft(world, proposal, world.co)
    lead_draft = draft(world, proposal, world.lead, ordinal=2)

    lead_sees = set(Section.objects.visible_to(world.lead_officer))
    co_sees = set(Section.objects.visible_to(world.co_officer))
    assert lead_sees == {lead_draft}
    assert co_sees == {co_draft}


def test_submitted_and_approved_sections_are_shared_on_the_proposal(world):
    proposal = world.assigned()
    co_section = draft(world, proposal, world.co)
    rs.section_submit(section=co_section, actor=world.co_officer)
    assert co_section in Section.objects.visible_to(world.lead_officer)
    assert co_section in Section.objects.visible_to(world.lead_approver)
    rs.section_approve(section=co_section, actor=world.co_approver)
    assert co_section in Section.objects.visible_to(world.lead_officer)
    # …and back to draft, it is the co-handler's own again.
    rs.section_revise(section=co_section, actor=world.co_officer, reason="补充数据")
    assert co_section not in Section.objects.visible_to(world.lead_officer)


def test_staff_of_agencies_not_assigned_see_no_sections(world):
    proposal = world.assigned()
    section = draft(world, proposal, world.lead)
    rs.section_submit(section=section, actor=world.lead_officer)
    outsider = user_in(AgencyFactory(code="outside"), "approver")
    assert not Section.objects.visible_to(outsider).exists()
    assert not Section.objects.visible_to(UserFactory(username="nobody")).exists()
    assert not Section.objects.visible_to(None).exists()


def test_liaison_sees_every_section_and_office_the_shared_ones(world):
    proposal = world.assigned()
    drafted = draft(world, proposal, world.co)
    submitted = draft(world, proposal, world.lead, ordinal=2)
    rs.section_submit(section=submitted, actor=world.lead_officer)
    assert set(Section.objects.visible_to(world.liaison)) == {drafted, submitted}
    assert set(Section.objects.visible_to(world.office)) == {submitted}
    superuser = UserFactory(username="root", is_superuser=True)
    assert set(Section.objects.visible_to(superuser)) == {drafted, submitted}


# ---------------------------------------------------------------- awaiting_proposals


@pytest.mark.parametrize("state", [s.value for s in Proposal.State])
def test_awaiting_in_sql_agrees_with_its_python_twin(world, state):
    proposal = proposal_in_state(world, state)
    assert (proposal in selectors.awaiting_proposals()) == answers.is_awaiting(proposal)


def test_awaiting_twins_agree_after_a_letter_is_voided(world):
    proposal, letter = world.signed_letter()
    assert (proposal in selectors.awaiting_proposals()) is answers.is_awaiting(proposal) is False
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    proposal.refresh_from_db()
    assert (proposal in selectors.awaiting_proposals()) is answers.is_awaiting(proposal) is True


def test_a_voided_letter_puts_an_answered_proposal_back_in_the_queue(world):
    proposal, letter = world.signed_letter()
    assert proposal.state == Proposal.State.REPLIED
    assert proposal not in selectors.awaiting_proposals()
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    assert proposal in selectors.awaiting_proposals()


# ---------------------------------------------------------------- the inbox


def test_inbox_lists_the_agencys_assignments_most_urgent_first(world):
    other = AgencyFactory(code="other")
    later = assign(world, world.proposal(number="132101"), lead=world.lead, lead_due=D(2023, 9, 1))
    sooner = assign(world, world.proposal(number="132102"), lead=world.lead, lead_due=D(2023, 5, 1))
    middle = assign(world, world.proposal(number="132103"), lead=other, co=[world.lead],
                    co_due=D(2023, 7, 1))
    assign(world, world.proposal(number="132104"), lead=other)  # not ours
    world.proposal(number="132105")  # not assigned at all

    entries = selectors.inbox(world.lead_officer, today=D(2023, 6, 1))
    assert [e.assignment.proposal for e in entries] == [sooner, middle, later]
    assert [e.days_left for e in entries] == [-31, 30, 92]
    assert [e.overdue for e in entries] == [True, False, False]
    assert [e.assignment.get_role_display() for e in entries] == ["主办", "会办", "主办"]
    assert [len(e.rows) for e in entries] == [2, 2, 2]


def test_inbox_shows_this_agencys_sections_and_letter_only(world):
    proposal = world.assigned()
    draft(world, proposal, world.co)  # the co-handler's, not ours
    own = draft(world, proposal, world.lead, ordinal=2)
    (entry,) = selectors.inbox(world.lead_officer)
    assert entry.rows[0][1] == []
    assert [section.pk for section in entry.rows[1][1]] == [own.pk]
    assert entry.letter is None

    (co_entry,) = selectors.inbox(world.co_officer)
    assert [s.agency_id for s in co_entry.rows[0][1]] == [world.co.pk]
    assert not co_entry.answers


def test_inbox_leaves_out_proposals_no_longer_handled(world):
    proposal, letter = world.signed_letter()
    assert selectors.inbox(world.lead_officer) == []
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    (entry,) = selectors.inbox(world.lead_officer)
    assert entry.assignment.proposal == proposal
    assert entry.letter is None  # the voided letter is not the current one


def test_users_outside_agencies_have_an_empty_inbox(world):
    world.assigned()
    assert selectors.inbox(world.liaison) == []
    assert selectors.inbox(UserFactory(username="nobody")) == []


def test_days_left():
    assert selectors.days_left(D(2023, 6, 1), D(2023, 6, 1)) == 0
    assert selectors.days_left(D(2023, 6, 1), D(2023, 5, 30)) == 2
    assert selectors.days_left(D(2023, 6, 1), D(2023, 6, 4)) == -3


# ---------------------------------------------------------------- the approvers' queues


def test_approvers_queue_holds_their_agencys_submitted_sections(world):
    proposal = world.assigned()
    ours = draft(world, proposal, world.lead)
    theirs = draft(world, proposal, world.co)
    rs.section_submit(section=ours, actor=world.lead_officer)
    rs.section_submit(section=theirs, actor=world.co_officer)
    draft(world, proposal, world.lead, ordinal=2)  # still a draft

    assert list(selectors.sections_to_approve(world.lead_approver)) == [ours]
    assert list(selectors.sections_to_approve(world.co_approver)) == [theirs]
    assert not selectors.sections_to_approve(world.lead_officer).exists()
    assert not selectors.sections_to_approve(world.liaison).exists()


def test_approvers_queue_holds_their_agencys_letters_sent_for_signing(world):
    _proposal, letter = world.ready_letter()
    assert not selectors.letters_to_sign(world.lead_approver).exists()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert list(selectors.letters_to_sign(world.lead_approver)) == [letter]
    assert not selectors.letters_to_sign(world.lead_officer).exists()
    assert not selectors.letters_to_sign(world.co_approver).exists()
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=D(2023, 7, 7))
    assert not selectors.letters_to_sign(world.lead_approver).exists()


def test_proposal_recommendations_carry_the_sections_the_user_may_see(world):
    proposal = world.assigned()
    co_draft = draft(world, proposal, world.co)
    lead_draft = draft(world, proposal, world.lead)
    seen = {
        r.ordinal: r.visible_sections
        for r in selectors.proposal_recommendations(proposal, world.lead_officer)
    }
    assert seen == {1: [lead_draft], 2: []}
    rs.section_submit(section=co_draft, actor=world.co_officer)
    seen = {
        r.ordinal: r.visible_sections
        for r in selectors.proposal_recommendations(proposal, world.lead_officer)
    }
    assert seen[1] == [co_draft, lead_draft]  # by position: the co-handler wrote first


def test_proposal_letters_are_scoped(world):
    proposal, letter = world.ready_letter()
    assert list(selectors.proposal_letters(proposal, world.lead_officer)) == [letter]
    assert not selectors.proposal_letters(proposal, world.co_officer).exists()  # still a draft
    outsider = user_in(AgencyFactory(code="outside"), "officer")
    assert not selectors.proposal_letters(proposal, outsider).exists()
    assert ReplyLetter.objects.count() == 1


def test_the_approvers_queues_put_the_most_urgent_first(world):
    later = world.assigned(number="132101")
    sooner = world.assigned(number="132102")
    ps.assignment_change_due(assignment=sooner.assignments.get(agency=world.lead),
                             due_on=datetime.date(2023, 5, 1), actor=world.liaison, reason="提前")
    for proposal in (later, sooner):  # the later one is submitted first
        for recommendation in proposal.recommendations.order_by("-ordinal"):
            section = rs.section_create(recommendation=recommendation, agency=world.lead,
                                        actor=world.lead_officer, adoption="adopted", body="已办理。")
            rs.section_submit(section=section, actor=world.lead_officer)
    queue = list(selectors.sections_to_approve(world.lead_approver))
    assert [(s.recommendation.proposal.number, s.recommendation.ordinal) for s in queue] == [
        ("132102", 1), ("132102", 2), ("132101", 1), ("132101", 2)]



def test_the_letters_to_sign_put_the_most_urgent_first(world):
    later = world.assigned(number="132101")
    sooner = world.assigned(number="132102")
    ps.assignment_change_due(assignment=sooner.assignments.get(agency=world.lead),
                             due_on=datetime.date(2023, 5, 1), actor=world.liaison, reason="提前")
    for proposal in (later, sooner):  # the later one is sent for signing first
        _p, letter = world.ready_letter(proposal)
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert [letter.proposal.number for letter in selectors.letters_to_sign(world.lead_approver)] == [
        "132102", "132101"]
