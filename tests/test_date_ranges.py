"""Dates stay within a sensible range of the session: a due date of 9999-12-31 (never due,
never overdue, at the end of every sort), a letter signed in 1900 or printed in 3000 is a
typing error, refused in Chinese on the page where it was typed, and nothing is saved."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.workflow import DomainError
from proposals import services as ps
from proposals.models import Assignment, Proposal
from replies import services as rs
from replies.models import ReplyLetter
from tests.factories import letter_in_state, proposal_in_state, superuser

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "超出了"


def text(response) -> str:
    return response.content.decode()


def test_the_range_of_a_session(world):
    first, last = world.session.date_range()
    assert first == datetime.date(world.session.year - 1, 1, 1)
    assert last == max(datetime.date(world.session.year + 5, 12, 31),
                       timezone.localdate() + datetime.timedelta(days=366))
    world.session.year = timezone.localdate().year
    assert world.session.date_range()[1] == datetime.date(world.session.year + 5, 12, 31)


@pytest.mark.parametrize("due_on", ["9999-12-31", "2099-01-01", "1900-01-01"])
def test_a_due_date_far_outside_the_session_is_refused(client, world, due_on):
    assignment = world.assigned().assignments.get(role="lead")
    client.force_login(world.liaison)
    response = client.post(reverse("proposals:assignment_due", args=[assignment.pk]), {
        "due_on": due_on, "reason": "承办单位申请延期。", "version": str(assignment.version)})
    assert response.status_code == 200
    assert OUT_OF_RANGE in text(response) and "请检查是否填错" in text(response)
    assert Assignment.objects.get(pk=assignment.pk).due_on == assignment.due_on


def test_assigning_with_a_due_date_of_the_year_9999_is_refused(client, world):
    proposal = proposal_in_state(world, Proposal.State.REGISTERED)
    client.force_login(world.liaison)
    response = client.post(reverse("proposals:assign", args=[proposal.pk]), {
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-0-agency": str(world.lead.pk), "assignments-0-role": "lead",
        "assignments-0-assigned_on": "2023-03-01", "assignments-0-due_on": "9999-12-31",
    })
    assert response.status_code == 200
    assert OUT_OF_RANGE in text(response)
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.REGISTERED


def test_signing_and_printing_dates_stay_in_range(client, world):
    letter = letter_in_state(world, "in_review")
    client.force_login(world.lead_approver)
    response = client.post(reverse("replies:letter_sign", args=[letter.pk]), {"signed_on": "9999-12-31"})
    assert response.status_code == 200
    assert OUT_OF_RANGE in text(response)
    assert ReplyLetter.objects.get(pk=letter.pk).state == ReplyLetter.State.IN_REVIEW
    signed = letter_in_state(world, "signed")
    with pytest.raises(DomainError, match=OUT_OF_RANGE):
        rs.letter_issue(letter=signed, actor=world.office, issued_on=datetime.date(3000, 1, 1))


def test_feedback_and_submission_dates_stay_in_range(client, world):
    replied = proposal_in_state(world, Proposal.State.REPLIED)
    with pytest.raises(DomainError, match=OUT_OF_RANGE):
        ps.feedback_record(proposal=replied, handling="satisfied", result="satisfied",
                           received_on=datetime.date(1900, 1, 1), actor=world.liaison)
    proposal = world.proposal()
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert page.status_code == 200
    with pytest.raises(DomainError, match=OUT_OF_RANGE):
        ps.proposal_update(proposal=proposal, submitted_on=datetime.date(1900, 1, 1), actor=world.liaison)
    # The admin's proposal form asks the model, which asks the session.
    admin = superuser()
    client.force_login(admin)
    from tests.html_forms import form_fields

    change = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    fields = form_fields(text(client.get(change)), "")
    response = client.post(change, {**fields, "submitted_on": "9999-12-31"})
    assert response.status_code == 200
    assert OUT_OF_RANGE in text(response)
    assert Proposal.objects.get(pk=proposal.pk).submitted_on == proposal.submitted_on
