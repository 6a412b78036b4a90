"""A change, once committed, never shows an error page because of what follows it.

E-mails, PDFs and print batches are enqueued after the commit; when the broker is down the
enqueue fails. The change stands, the page is the usual redirect, and the failure is
logged with its step named — also for a step that is a ``functools.partial``, whose
missing ``__qualname__`` made Django's own robust logging fail in turn.
"""

from __future__ import annotations

import functools
import logging

import pytest
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from core.transactions import after_commit
from notifications import tasks as notification_tasks
from replies import tasks as reply_tasks
from replies.models import ReplyLetter, Section
from tests.factories import letter_in_state, section_by

pytestmark = pytest.mark.django_db


def _broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")


@pytest.fixture
def broker_down(monkeypatch):
    """Every enqueue fails, as when Redis is down (the broker lies outside the project)."""
    for task in (notification_tasks.send_notification_email, reply_tasks.render_signed_letter,
                 reply_tasks.build_print_job):
        monkeypatch.setattr(task, "delay", _broker_down)


def test_a_failing_partial_after_commit_is_logged_not_raised(caplog, django_capture_on_commit_callbacks):
    def step(what, times):
        raise RuntimeError(f"{what} failed {times} times")

    with caplog.at_level(logging.ERROR, logger="core.transactions"), \
            django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        after_commit(functools.partial(step, "reindex"), 3)
    assert "after-commit step tests.test_after_commit.test_a_failing_partial_after_commit_is_logged_not_raised.<locals>.step" in caplog.text
    assert "reindex failed 3 times" in caplog.text


def test_a_submitted_section_stands_when_its_mail_cannot_be_enqueued(
        client, world, broker_down, caplog, django_capture_on_commit_callbacks):
    proposal = world.assigned()
    section = section_by(proposal.recommendations.get(ordinal=1), world.lead, officer=world.lead_officer)
    world.lead_approver.email = "approver@example.org"
    world.lead_approver.save()
    client.force_login(world.lead_officer)
    with caplog.at_level(logging.ERROR, logger="core.transactions"), \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("replies:section_submit", args=[section.pk]))
    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).state == Section.State.SUBMITTED
    assert "_enqueue_emails" in caplog.text and "Connection refused" in caplog.text


def test_a_signature_stands_when_its_pdf_cannot_be_enqueued(
        client, world, broker_down, caplog, django_capture_on_commit_callbacks):
    letter = letter_in_state(world, "in_review")
    client.force_login(world.lead_approver)
    with caplog.at_level(logging.ERROR, logger="core.transactions"), \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("replies:letter_sign", args=[letter.pk]), {"signed_on": "2023-07-07"})
    assert response.status_code == 302
    assert ReplyLetter.objects.get(pk=letter.pk).state == ReplyLetter.State.SIGNED
    assert "_enqueue_render" in caplog.text
