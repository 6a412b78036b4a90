"""Two people saving one record from the same loaded page: the later save is refused.

For every record people edit — on the site's pages and in the admin — the page is loaded
once and its form sent twice, as by two people who opened it at the same moment: the first
save goes through; the second is refused with a message in Chinese, shows what the first
saved, and changes nothing; sending the refused page's form again then saves knowingly.
On PostgreSQL, the rows are locked as in production; the last test sends the two saves at
the very same moment, from two connections.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies.models import Membership
from proposals.models import Category, Feedback, Proposal
from replies.models import AdoptionStatus, ReplyLetter, Section
from tests import factories
from tests.factories import World, proposal_in_state
from tests.html_forms import form_fields

pytestmark = pytest.mark.postgres

REFUSED = ("保存失败", "登记失败")


@dataclasses.dataclass
class Case:
    """A page with a form: who opens it, how each of the two people fills it in, and what
    the record holds after a save."""

    name: str
    open: Callable  # world → (user, page url, form action or "")
    fill: Callable  # (fields, which: "A" | "B") → fields
    saved: Callable  # world → the value the fill changes, as stored now
    expect: Callable  # "A" | "B" → that value
    shown: str = ""  # how the refused page shows what A saved, when not as stored


def _proposal_edit(world):
    proposal = world.proposal()
    world.case_object = proposal
    return world.liaison, reverse("proposals:edit", args=[proposal.pk]), ""


def _due_change(world):
    assignment = world.assigned().assignments.get(role="lead")
    world.case_object = assignment
    return world.liaison, reverse("proposals:assignment_due", args=[assignment.pk]), ""


def _feedback(world):
    proposal = proposal_in_state(world, Proposal.State.REPLIED)
    world.case_object = proposal
    return world.liaison, reverse("proposals:feedback", args=[proposal.pk]), ""


def _section(world):
    proposal = world.assigned()
    section = factories.section_by(proposal.recommendations.get(ordinal=1), world.lead,
                                   officer=world.lead_officer)
    world.case_object = section
    return world.lead_officer, reverse("replies:section_edit", args=[section.pk]), ""


def _letter(world):
    _proposal, letter = world.ready_letter()
    world.case_object = letter
    return (world.lead_officer, reverse("replies:letter_detail", args=[letter.pk]),
            reverse("replies:letter_update", args=[letter.pk]))


def _admin(model_object):
    def open_(world):
        obj = model_object(world)
        world.case_object = obj
        admin = factories.superuser()
        return admin, reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
                              args=[obj.pk]), ""
    return open_


def _refetch(world):
    obj = world.case_object
    return type(obj).objects.get(pk=obj.pk)


DUE = {"A": datetime.date(2023, 7, 1), "B": datetime.date(2023, 8, 1)}

CASES = [
    Case("site: a proposal", _proposal_edit,
         lambda f, w: {**f, "title": f"关于{w}方案的建议"},
         lambda world: _refetch(world).title, lambda w: f"关于{w}方案的建议"),
    Case("site: an assignment's due date", _due_change,
         lambda f, w: {**f, "due_on": DUE[w].isoformat(), "reason": f"理由{w}。"},
         lambda world: _refetch(world).due_on, lambda w: DUE[w], "2023年7月1日"),
    Case("site: the proposer's feedback", _feedback,
         lambda f, w: {**f, "handling": "satisfied", "result": "satisfied",
                       "received_on": "2023-08-01", "comment": f"意见{w}"},
         lambda world: sorted(Feedback.objects.filter(proposal=world.case_object)
                              .values_list("comment", flat=True)),
         lambda w: ["意见A"] if w == "A" else ["意见A", "意见B"], "意见A"),
    Case("site: a section", _section,
         lambda f, w: {**f, "body": f"办理意见{w}。"},
         lambda world: _refetch(world).body, lambda w: f"办理意见{w}。"),
    Case("site: a letter", _letter,
         lambda f, w: {**f, "closing": f"特此函复{w}。"},
         lambda world: _refetch(world).closing, lambda w: f"特此函复{w}。"),
    Case("admin: a proposal", _admin(lambda world: world.proposal()),
         lambda f, w: {**f, "title": f"关于{w}方案的建议"},
         lambda world: _refetch(world).title, lambda w: f"关于{w}方案的建议"),
    Case("admin: an assignment", _admin(lambda world: world.assigned().assignments.get(role="lead")),
         lambda f, w: {**f, "due_on": DUE[w].isoformat(), "reason": f"理由{w}。"},
         lambda world: _refetch(world).due_on, lambda w: DUE[w], "2023年7月1日"),
    Case("admin: an agency", _admin(lambda world: world.lead),
         lambda f, w: {**f, "contact": f"联系人{w}，88223809"},
         lambda world: _refetch(world).contact, lambda w: f"联系人{w}，88223809"),
    Case("admin: a session", _admin(lambda world: world.session),
         lambda f, w: {**f, "due_soon_days": {"A": "5", "B": "9"}[w]},
         lambda world: _refetch(world).due_soon_days, lambda w: {"A": 5, "B": 9}[w], "现为：5"),
    Case("admin: a category", _admin(lambda world: Category.objects.order_by("pk").first()),
         lambda f, w: {**f, "name": f"类别{w}"},
         lambda world: _refetch(world).name, lambda w: f"类别{w}"),
    Case("admin: a proposer", _admin(lambda world: world.proposal().signatures.first().proposer),
         lambda f, w: {**f, "contact": f"电话{w}"},
         lambda world: _refetch(world).contact, lambda w: f"电话{w}"),
    Case("admin: an adoption status", _admin(lambda world: AdoptionStatus.objects.get(code="adopted")),
         lambda f, w: {**f, "phrase": f"采纳用语{w}。"},
         lambda world: _refetch(world).phrase, lambda w: f"采纳用语{w}。"),
    Case("admin: a membership", _admin(lambda world: Membership.objects.get(user=world.lead_officer)),
         lambda f, w: {**f, "role": {"A": "approver", "B": "officer"}[w]},
         lambda world: _refetch(world).role, lambda w: {"A": "approver", "B": "officer"}[w], "现为：签发人"),
    Case("admin: a recommendation",
         _admin(lambda world: world.proposal().recommendations.get(ordinal=1)),
         lambda f, w: {**f, "title": f"建议标题{w}"},
         lambda world: _refetch(world).title, lambda w: f"建议标题{w}"),
]


def _open(world, case):
    """The page loaded once: (client, where its form posts, the form's action, its fields)."""
    user, url, action = case.open(world)
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200, (case.name, page.status_code)
    return client, action or url, action, form_fields(page.content.decode(), action)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_second_save_from_one_loaded_page_is_refused(case):
    world = World.build()
    client, post_to, action, loaded = _open(world, case)

    first = client.post(post_to, case.fill(loaded, "A"))
    assert first.status_code == 302, (case.name, first.content.decode()[:3000])
    assert case.saved(world) == case.expect("A")

    second = client.post(post_to, case.fill(loaded, "B"))
    body = second.content.decode()
    assert second.status_code == 200, case.name
    assert any(word in body for word in REFUSED), case.name
    assert case.saved(world) == case.expect("A"), "the refused save changed the record"
    # What the other person saved is shown; what this one typed stays in the form.
    assert (case.shown or str(case.expect("A"))) in body, case.name
    again = form_fields(body, action)
    assert again == {**again, **case.fill({}, "B")}

    # Sending the refused page's form saves it, knowingly, over the other.
    resent = client.post(post_to, again)
    assert resent.status_code == 302, (case.name, resent.content.decode()[:3000])
    assert case.saved(world) == case.expect("B")


def test_the_form_reader_reads_what_a_browser_sends():
    html = """<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input name="a" value="1"><input type="checkbox" name="b" checked><input type="checkbox" name="c">
    <textarea name="d">
两行
文字</textarea><select name="e"><option value="1">一</option><option value="2" selected>二</option></select>
    <select name="f"><option value="x">x</option></select><input type="submit" name="go" value="保存"></form>"""
    assert form_fields(html, "/x/") == {"csrfmiddlewaretoken": "t", "a": "1", "b": "on",
                                        "d": "两行\n文字", "e": "2", "f": "x"}


# ---------------------------------------------------------------- at the same moment


def at_the_same_moment(*prepares):
    """Run requests at the same moment, each from its own thread and connection.

    Each of ``prepares`` is called in its thread and returns the request to send; the
    threads wait for each other, then send together. Returns what each sent request
    returned, in order; an error in any thread fails the test."""
    barrier = threading.Barrier(len(prepares), timeout=30)
    results, errors = [None] * len(prepares), []

    def run(index, prepare):
        try:
            send = prepare()
            barrier.wait()
            results[index] = send()
        except BaseException as error:  # reported below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(prepares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("case", [CASES[0], CASES[7]], ids=lambda case: case.name)
def test_two_saves_at_the_same_moment_one_wins(case):
    world = World.build()
    opened, post_to, _action, loaded = _open(world, case)
    user = type(world.liaison).objects.get(pk=opened.session["_auth_user_id"])

    def saving(which):
        def prepare():
            client = Client()
            client.force_login(user)
            data = case.fill(loaded, which)
            return lambda: client.post(post_to, data).status_code
        return prepare

    statuses = dict(zip("AB", at_the_same_moment(saving("A"), saving("B")), strict=True))
    assert sorted(statuses.values()) == [200, 302], statuses
    winner = next(which for which, status in statuses.items() if status == 302)
    assert case.saved(world) == case.expect(winner)


@pytest.mark.django_db
def test_logging_a_proposal_twice_from_one_form_logs_it_once():
    world = World.build()
    client = Client()
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:create"))
    fields = form_fields(page.content.decode(), "")
    assert fields["submission_key"]
    fields.update({
        "session": str(world.session.pk), "title": "关于建设口袋公园的建议", "submitted_on": "2023-01-10",
        "proposers-TOTAL_FORMS": "1", "proposers-0-name": "九三学社测试市委会", "proposers-0-kind": "party",
        "recommendations-TOTAL_FORMS": "1", "recommendations-0-title": "利用边角地建设口袋公园",
        "recommendations-0-body": "",
    })
    before = Proposal.objects.count()
    first = client.post(reverse("proposals:create"), fields)
    second = client.post(reverse("proposals:create"), fields)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Proposal.objects.count() == before + 1
    assert "没有重复登记" in client.get(second["Location"]).content.decode()
    # A new page is a new form: the same text logged again is another proposal.
    fresh = form_fields(client.get(reverse("proposals:create")).content.decode(), "")
    assert fresh["submission_key"] != fields["submission_key"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_at_the_same_moment_logs_one_proposal():
    world = World.build()
    client = Client()
    client.force_login(world.liaison)
    fields = form_fields(client.get(reverse("proposals:create")).content.decode(), "")
    fields.update({
        "session": str(world.session.pk), "title": "关于建设口袋公园的建议", "submitted_on": "2023-01-10",
        "proposers-TOTAL_FORMS": "1", "proposers-0-name": "九三学社测试市委会", "proposers-0-kind": "party",
        "recommendations-TOTAL_FORMS": "1", "recommendations-0-title": "利用边角地建设口袋公园",
    })
    def sending():
        own = Client()
        own.force_login(world.liaison)
        return lambda: own.post(reverse("proposals:create"), fields).status_code

    assert at_the_same_moment(sending, sending) == [302, 302]
    assert Proposal.objects.filter(title="关于建设口袋公园的建议").count() == 1


# Models the admin never changes besides those it only shows (``ReadOnlyMixin``: history,
# requests decided on the site, contacts, attachments, counters, print jobs): feedback
# (recorded once) and notifications.
READ_ONLY_IN_THE_ADMIN = {"proposals.Feedback", "notifications.Notification"}


def test_every_admin_change_form_is_guarded():
    """Every model the admin changes refuses a stale save: by the page's fingerprint, or
    (sections, letters) by the version their services check. Django's users and groups are
    left as Django makes them."""
    from django.contrib import admin

    from core.admin_site import ConcurrentEditGuard
    from core.admin_tools import ReadOnlyMixin

    unguarded = [
        model._meta.label for model, model_admin in admin.site._registry.items()
        if model._meta.app_label != "auth" and model not in (Section, ReplyLetter)
        and model._meta.label not in READ_ONLY_IN_THE_ADMIN
        and not isinstance(model_admin, (ConcurrentEditGuard, ReadOnlyMixin))
    ]
    assert unguarded == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_proposal_submitted_twice_at_the_same_moment_is_logged_once():
    """Two presses of 提交提案 (two devices, a double tap): one proposal, the other press told
    it is submitted already — never an error page."""
    import datetime

    from members import services as members
    from members.models import OnlineProposal

    world = World.build()
    session = world.session
    session.submission_opens_on = datetime.date.today() - datetime.timedelta(days=1)
    session.save()
    account = members.account_create(username="m1", name="张委员", password="pw-pw-pw-pw")
    online = members.online_save(proposer=account.proposer, session=session, title="关于建设口袋公园的建议",
                                 recommendations=[{"title": "利用边角地建设口袋公园", "body": ""}])
    def submitting():
        own = Client()
        own.force_login(account.user)
        return lambda: own.post(reverse("members:submit", args=[online.pk])).status_code

    assert at_the_same_moment(submitting, submitting) == [302, 302]
    assert Proposal.objects.filter(title="关于建设口袋公园的建议").count() == 1
    assert OnlineProposal.objects.get(pk=online.pk).state == "submitted"
