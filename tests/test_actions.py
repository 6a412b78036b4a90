"""Actions (core.actions): every write is one, and it keeps its own consequences — the
answer facts refreshed once at its end, the search index updated once per object after
it commits, a failing update logged and never an error page."""

from __future__ import annotations

import datetime
import inspect
import logging
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from core import actions
from history.models import StateChange
from proposals import answers, attachments, contacts, extensions, releases
from proposals import services as ps
from proposals.interchange import exporter, importer
from proposals.models import Assignment, Proposal, Proposer
from proposals.services import answering, assignment, common, intake, review
from replies import printing
from replies import services as rs
from replies.services import attachments as letter_attachments
from replies.services import letters, sections, stored, wording
from search import hooks
from search.models import SearchEntry

pytestmark = pytest.mark.django_db
D = datetime.date

# Public functions of the service modules that are not actions, and why.
NOT_ACTIONS = {
    "proposals.services.common.today": "reads the date",
    "proposals.services.common.as_of": "pins the date the services read",
    "proposals.services.common.lock": "locks a row inside the calling action",
    "proposals.services.common.full_clean": "a check inside the calling action",
    "proposals.services.assignment.check_dates": "a check inside the calling action",
    "proposals.services.assignment.validate_roles": "a check inside the calling action",
    "proposals.services.assignment.has_written": "reads sections and letters",
    "proposals.releases.release_until": "reads the session's calendar",
    "proposals.contacts.missing_contact": "reads whether a contact is still needed",
    "proposals.releases.release_refusal": "reads whether a request may be made",
    "replies.services.letters.default_letter_fields": "computes a new letter's wording",
    "replies.services.wording.part_sections": "reads a part's sections",
    "replies.services.attachments.clean_title": "a check inside the calling action",
    "replies.services.wording.starting_paragraphs": "computes the wording a part starts from",
    "replies.services.stored.letter_pdf_bytes": "reads the stored PDF (storing it is an action)",
    "replies.printing.may_print": "reads a role",
    "replies.printing.part_size": "reads a setting",
    "replies.printing.part_bounds": "arithmetic",
    # A print job commits its progress letter by letter (a heartbeat the watch reads), so
    # building it is a series of short transactions of its own, not one action.
    "replies.printing.print_job_build": "commits its progress step by step",
    "replies.printing.print_job_build_part": "commits its progress step by step",
    "replies.printing.watch": "runs each job's check in its own transaction",
    "replies.printing.delete_old_files": "deletes files, then rows, job by job",
}
SERVICE_MODULES = (common, intake, review, assignment, answering, sections, letters, stored, extensions,
                   releases, contacts, wording, attachments, letter_attachments, printing)


def public_functions(module):
    for name, func in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        if getattr(func, "__module__", None) != module.__name__ and not actions.is_action(func):
            continue  # imported from elsewhere
        if inspect.unwrap(func).__module__ == module.__name__:
            yield f"{module.__name__}.{name}", func


def test_every_public_service_is_an_action():
    found = dict(item for module in SERVICE_MODULES for item in public_functions(module))
    assert len(found) > 40
    not_actions = sorted(name for name, func in found.items()
                         if not actions.is_action(func) and name not in NOT_ACTIONS)
    assert not_actions == []
    assert set(NOT_ACTIONS) <= set(found), "an exemption names a function that is gone"


def test_nested_actions_join_the_outermost_record():
    seen = []

    @actions.action
    def inner():
        seen.append(actions.current())
        actions.touch(proposal=7)

    @actions.action
    def outer():
        seen.append(actions.current())
        inner()
        return actions.current()

    record = outer()
    assert seen[0] is seen[1] is record
    assert record.proposals == {7}
    assert actions.current() is None


def test_a_failed_action_leaves_no_record_behind():
    @actions.action
    def fails():
        actions.touch(proposal=1)
        raise ValueError("no")

    with pytest.raises(ValueError):
        fails()
    assert actions.current() is None


@pytest.fixture
def refreshes(monkeypatch):
    """The proposals each refresh of the answer facts was asked for."""
    calls = []
    real = answers.refresh

    def counting(proposals=None):
        calls.append(proposals)
        return real(proposals)

    monkeypatch.setattr(answers, "refresh", counting)
    return calls


def test_assigning_refreshes_the_facts_once(world, refreshes):
    proposal = world.proposal()
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    refreshes.clear()
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": Assignment.Role.LEAD, "assigned_on": D(2023, 3, 1), "due_on": D(2023, 6, 1)},
    ])
    assert refreshes == [[proposal.pk]]
    assert Assignment.objects.get(proposal=proposal).awaiting is True
    assert not answers.stale().exists()


def test_reopening_refreshes_the_facts_once(world, refreshes):
    proposal, _letter = world.signed_letter()
    ps.feedback_record(proposal=proposal, handling="dissatisfied", result="dissatisfied",
                       received_on=D(2023, 7, 1), actor=world.liaison)
    refreshes.clear()
    ps.proposal_reopen(proposal=proposal, actor=world.liaison)
    assert refreshes == [[proposal.pk]]
    assert not answers.stale().exists()


def test_signing_refreshes_once_even_when_the_proposal_moves_too(world, refreshes):
    proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    refreshes.clear()
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=D(2023, 5, 1))
    assert refreshes == [[proposal.pk]]
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REPLIED


def test_importing_a_file_refreshes_once_for_all_its_proposals(world, refreshes):
    first, second = world.assigned(number="132101"), world.assigned(number="132102")
    data = exporter.export_data(world.session)
    Proposal.objects.filter(pk__in=[first.pk, second.pk]).update(title="改过的标题")
    refreshes.clear()
    importer.import_data(data)
    assert len(refreshes) == 1
    assert sorted(refreshes[0]) == sorted([first.pk, second.pk])


def test_the_index_is_updated_once_per_object_after_commit(world, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    done = []
    monkeypatch.setattr(hooks, "reindex_now_or_later", lambda what, pk: done.append((what, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        proposal = world.proposal()
    assert done == [("proposal", proposal.pk)]
    done.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ps.proposal_register(proposal=proposal, actor=world.liaison)
    assert done == []  # a move changes no indexed text


def test_a_failing_index_update_is_logged_and_the_change_stands(world, client, monkeypatch, caplog,
                                                               django_capture_on_commit_callbacks):
    from search import services as search_services
    from search import tasks as search_tasks

    def broken(what, pk):
        raise RuntimeError("index unavailable")

    queued = []
    monkeypatch.setattr(search_services, "reindex", broken)
    monkeypatch.setattr(search_tasks.reindex_later, "apply_async", lambda *a, **k: queued.append(a))
    client.force_login(world.liaison)
    proposal = world.proposal()
    caplog.set_level(logging.ERROR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:edit", args=[proposal.pk]), {
            **_edit_form(client, proposal), "title": "关于改进社区养老服务的建议",
        })
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "关于改进社区养老服务的建议"
    assert "not refreshed; trying again later" in caplog.text
    assert queued == [(("proposal", proposal.pk),)]


def _edit_form(client, proposal) -> dict:
    from tests.html_forms import form_fields

    page = client.get(reverse("proposals:edit", args=[proposal.pk]))
    return form_fields(page.content.decode(), action="")


def test_a_proposal_added_in_the_admin_is_logged_by_the_service_and_found(
        world, client, django_capture_on_commit_callbacks):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin_user)
    proposer = Proposer.objects.create(name="九三学社中山市委员会", kind=Proposer.Kind.PARTY)
    data = {
        "session": world.session.pk, "number": "", "title": "关于建设城市绿道网络的建议",
        "submitted_on": "2023-01-10", "body": "绿道建设……",
        "signatures-TOTAL_FORMS": "1", "signatures-INITIAL_FORMS": "0",
        "signatures-0-proposer": proposer.pk, "signatures-0-role": "lead", "signatures-0-position": "1",
        "recommendations-TOTAL_FORMS": "1", "recommendations-INITIAL_FORMS": "0",
        "recommendations-0-ordinal": "1", "recommendations-0-title": "统筹规划绿道网络",
        "recommendations-0-body": "……",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:proposals_proposal_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(title="关于建设城市绿道网络的建议")
    assert proposal.number == world.session.number_prefix + "001"
    assert [s.proposer for s in proposal.signatures.all()] == [proposer]
    assert [r.title for r in proposal.recommendations.all()] == ["统筹规划绿道网络"]
    assert StateChange.objects.filter(proposal=proposal, action="create").count() == 1
    assert SearchEntry.objects.filter(kind="proposal", object_id=proposal.pk).exists()
    assert SearchEntry.objects.filter(kind="recommendation", proposal_id=proposal.pk).count() == 1


def test_the_demo_loader_is_one_action_and_leaves_the_facts_true(db, refreshes):
    call_command("load_demo", stdout=StringIO())
    assert len(refreshes) == 1
    assert not answers.stale().exists()


def test_outside_an_action_touching_keeps_nothing():
    actions.touch(proposal=3)
    assert actions.current() is None


def test_an_action_inside_a_plain_transaction_still_finishes(world, refreshes):
    proposal = world.proposal()
    refreshes.clear()
    with transaction.atomic():
        ps.proposal_register(proposal=proposal, actor=world.liaison)
    assert refreshes == [[proposal.pk]]
