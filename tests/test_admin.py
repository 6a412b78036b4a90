"""The admin: every page renders, workflow fields stay read-only, moves go through the services."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.forms import CheckboxInput
from django.test import RequestFactory
from django.urls import reverse

from demo.dates import STORY_TODAY
from history.models import StateChange
from proposals.models import Proposal, Proposer
from replies.models import ReplyLetter, Section

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("agencies", "history", "proposals", "replies")


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module and rolled back at its end; each test's
    own changes are rolled back after it (the ``db`` fixture's savepoint)."""
    import tempfile

    from django.db import transaction
    from django.test import TestCase, override_settings

    with tempfile.TemporaryDirectory() as media, django_db_blocker.unblock():
        with override_settings(MEDIA_ROOT=media), transaction.atomic():
            # What the load leaves for after its commit runs too: the texts to proposers
            # (SMS records) are demo rows like any other.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("load_demo", as_of=STORY_TODAY, stdout=StringIO())
            yield media
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_world, db, settings):
    settings.MEDIA_ROOT = demo_world


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def superuser_client(client, demo):
    client.force_login(user("admin"))
    return client


def url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(response) -> dict:
    """The POST a browser would send back for a change form as rendered, inlines included."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = value

    form = response.context["adminform"].form
    add(form)
    if getattr(form, "loaded_state", None):
        data["_loaded_state"] = form.loaded_state
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.initial_forms:
            add(form)
    return data


def test_every_project_model_is_in_the_admin():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            assert model in admin.site._registry, model._meta.label
            assert admin.site._registry[model].search_fields, model._meta.label


def test_every_admin_page_renders_for_the_superuser(superuser_client):
    request = RequestFactory().get("/")
    request.user = user("admin")
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert superuser_client.get(url(model, "changelist")).status_code == 200, label
        response = superuser_client.get(url(model, "changelist"), {"q": "中山"})
        assert response.status_code == 200, label
        add = superuser_client.get(url(model, "add"))
        assert add.status_code == (200 if model_admin.has_add_permission(request) else 403), label
        obj = model_admin.get_queryset(request).first()
        assert obj is not None, label
        assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200, label


def test_search_finds_the_example(superuser_client):
    response = superuser_client.get(url(ReplyLetter, "changelist"), {"q": "132020"})
    assert [letter.number for letter in response.context["cl"].result_list] == ["中工商联函〔2023〕11号"]
    response = superuser_client.get(url(Proposal, "changelist"), {"q": "民建中山市委会"})
    assert [p.number for p in response.context["cl"].result_list] == ["132020"]


def test_workflow_fields_are_read_only():
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    for model in (Proposal, Section, ReplyLetter):
        form = admin.site._registry[model].get_form(request, None)
        assert "state" not in form.base_fields, model
        assert "version" not in form.base_fields, model
    history_admin = admin.site._registry[StateChange]
    assert not history_admin.has_add_permission(request)
    assert not history_admin.has_change_permission(request)
    assert not history_admin.has_delete_permission(request)


def test_posting_a_state_to_a_proposal_does_not_move_it(superuser_client):
    proposal = Proposal.objects.get(state=Proposal.State.SUBMITTED, title__contains="电梯")
    page = superuser_client.get(url(proposal, "change", proposal.pk))
    data = form_data(page)
    data.update(state="closed", round="5", title="关于加快推进老旧小区加装电梯的建议")
    response = superuser_client.post(url(proposal, "change", proposal.pk), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.round == 1
    assert proposal.title == "关于加快推进老旧小区加装电梯的建议"
    last = proposal.history.last()
    assert (last.action, last.actor.username, last.data["fields"]) == ("update", "admin", ["title"])


def test_a_signed_letter_cannot_be_changed_in_the_admin(superuser_client):
    for letter in ReplyLetter.objects.filter(state__in=["signed", "issued"]):
        before = ReplyLetter.objects.filter(pk=letter.pk).values().get()
        change_url = url(letter, "change", letter.pk)
        page = superuser_client.get(change_url)
        assert page.status_code == 200
        assert page.context["adminform"].form.fields.keys().isdisjoint(
            {"title", "opening", "addressee", "cc"}
        ) or not page.context["has_change_permission"]
        response = superuser_client.post(change_url, {
            "title": "改过的标题", "addressee": "别人", "opening": "改过的开头", "closing": "此复。",
            "signatory": "别的单位", "note": "", "disclosure": "不予公开", "cc": "市政府办公室",
            "issued_by": "别的单位", "klass": "C", "class_reason": "试图修改", "loaded_version": "1",
        })
        assert response.status_code == 403
        assert ReplyLetter.objects.filter(pk=letter.pk).values().get() == before


def test_a_draft_letter_is_edited_through_the_service(superuser_client):
    letter = ReplyLetter.objects.get(state=ReplyLetter.State.DRAFT)
    page = superuser_client.get(url(letter, "change", letter.pk))
    data = form_data(page)
    data.update(note="（联系人及电话：梁颖诗，0760-88316215）", cc="市政协提案委、市政府办公室，市卫健局")
    response = superuser_client.post(url(letter, "change", letter.pk), data)
    assert response.status_code == 302
    updated = ReplyLetter.objects.get(pk=letter.pk)
    assert updated.note == "（联系人及电话：梁颖诗，0760-88316215）"
    assert updated.cc == ["市政协提案委", "市政府办公室", "市卫健局"]
    assert updated.version == letter.version + 1
    last = StateChange.objects.filter(object_id=letter.pk, content_type__model="replyletter").last()
    assert (last.action, last.actor.username) == ("update", "admin")

    # A save based on the old version is refused with a message, not applied.
    data["note"] = "（联系人及电话：另一个人）"
    response = superuser_client.post(url(letter, "change", letter.pk), data)
    assert response.status_code == 200
    assert "已被他人修改" in str(response.context["adminform"].form.non_field_errors())
    assert ReplyLetter.objects.get(pk=letter.pk).note == updated.note


def test_an_action_reports_an_illegal_move_as_a_message(superuser_client):
    closed = Proposal.objects.get(state=Proposal.State.CLOSED)
    submitted = Proposal.objects.filter(state=Proposal.State.SUBMITTED).first()
    response = superuser_client.post(
        url(Proposal, "changelist"),
        {"action": "register", "_selected_action": [closed.pk, submitted.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = messages_of(response)
    assert any(f"第{closed.number}号" in t and "不能立案" in t for t in texts), texts
    assert any("已立案 1 项" in t for t in texts), texts
    closed.refresh_from_db()
    submitted.refresh_from_db()
    assert closed.state == Proposal.State.CLOSED
    assert submitted.state == Proposal.State.REGISTERED
    assert submitted.history.last().actor.username == "admin"


def test_a_move_needing_a_reason_says_so(superuser_client):
    submitted = Proposal.objects.filter(state=Proposal.State.SUBMITTED).first()
    response = superuser_client.post(
        url(Proposal, "changelist"),
        {"action": "withdraw", "_selected_action": [submitted.pk], "reason": ""}, follow=True,
    )
    assert any("需要填写理由" in t for t in messages_of(response))
    submitted.refresh_from_db()
    assert submitted.state == Proposal.State.SUBMITTED


def test_permission_refusals_become_messages(client, demo):
    """An officer of another agency cannot approve a section: a message, not an error page."""
    section = Section.objects.get(state=Section.State.SUBMITTED, agency__code="gxj",
                                  recommendation__proposal__is_key=False)
    client.force_login(user("gxj-officer"))
    response = client.post(url(Section, "changelist"),
                           {"action": "approve", "_selected_action": [section.pk]}, follow=True)
    assert any("签发人" in t for t in messages_of(response))
    section.refresh_from_db()
    assert section.state == Section.State.SUBMITTED

    client.force_login(user("gxj-approver"))
    response = client.post(url(Section, "changelist"),
                           {"action": "approve", "_selected_action": [section.pk]}, follow=True)
    section.refresh_from_db()
    assert section.state == Section.State.APPROVED


def test_agency_staff_see_only_their_agency(client, demo):
    officer = user("mzj-officer")
    client.force_login(officer)
    response = client.get(url(Section, "changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    # The sections the site shows them: all of their own agency's, and the others' once
    # submitted, on the proposals assigned to them.
    assert shown == set(Section.objects.visible_to(officer))
    assert {s.agency.code for s in shown if s.state == Section.State.DRAFT} <= {"mzj"}
    assert any(s.agency.code == "mzj" for s in shown)
    response = client.get(url(Proposal, "changelist"))
    numbers = {p.number for p in response.context["cl"].result_list}
    assert "132020" in numbers
    assert not Proposal.objects.filter(number__in=numbers, assignments__isnull=True).exists()
    other = Section.objects.filter(agency__code="tcj").first()
    assert client.get(url(other, "change", other.pk)).status_code in (302, 404)


def test_signing_and_issuing_through_actions(client, demo):
    letter = ReplyLetter.objects.get(state=ReplyLetter.State.IN_REVIEW)
    approver = f"{letter.agency.code}-approver"
    client.force_login(user(approver))
    client.post(url(ReplyLetter, "changelist"),
                {"action": "sign", "_selected_action": [letter.pk], "on_date": "2023-06-28"})
    letter.refresh_from_db()
    assert letter.state == ReplyLetter.State.SIGNED
    assert letter.signed_on == datetime.date(2023, 6, 28)
    assert letter.number == f"{letter.agency.doc_prefix}〔2023〕2号"

    client.force_login(user("office"))
    response = client.post(url(ReplyLetter, "changelist"),
                           {"action": "issue", "_selected_action": [letter.pk],
                            "on_date": "2023-06-20"}, follow=True)
    assert any("印发日期不能早于成文日期" in t for t in messages_of(response))
    client.post(url(ReplyLetter, "changelist"),
                {"action": "issue", "_selected_action": [letter.pk], "on_date": "2023-06-30"})
    letter.refresh_from_db()
    assert letter.state == ReplyLetter.State.ISSUED
    assert StateChange.objects.filter(action="issue", object_id=letter.pk,
                                      actor__username="office").exists()


def test_a_proposal_logged_in_the_admin_gets_a_number_and_history(superuser_client):
    proposer = Proposer.objects.get(name="民建中山市委会")
    session = Proposal.objects.get(number="132020").session
    data = {
        "session": session.pk, "number": "", "title": "关于发展夜间经济的建议",
        "submitted_on": "2023-01-20", "body": "",
        "signatures-TOTAL_FORMS": "1", "signatures-INITIAL_FORMS": "0",
        "signatures-MIN_NUM_FORMS": "0", "signatures-MAX_NUM_FORMS": "1000",
        "signatures-0-proposer": proposer.pk, "signatures-0-role": "co-signer",
        "signatures-0-position": "1",
        "recommendations-TOTAL_FORMS": "1", "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0", "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-ordinal": "1", "recommendations-0-title": "打造夜间消费街区",
    }
    response = superuser_client.post(url(Proposal, "add"), data)
    assert response.status_code == 200  # no lead proposer: refused
    assert not Proposal.objects.filter(title="关于发展夜间经济的建议").exists()

    data["signatures-0-role"] = "lead"
    response = superuser_client.post(url(Proposal, "add"), data)
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于发展夜间经济的建议")
    assert proposal.number == "132021"  # after 132020, the highest number so far
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.lead_proposer == proposer
    assert [(h.action, h.actor.username) for h in proposal.history.all()] == [("create", "admin")]


def test_assigning_on_the_proposal_page_uses_the_service(superuser_client):
    from agencies.models import Agency

    proposal = Proposal.objects.get(state=Proposal.State.REGISTERED)
    page = superuser_client.get(url(proposal, "change", proposal.pk))
    data = form_data(page)
    lead, co = Agency.objects.get(code="mzj"), Agency.objects.get(code="gsl")
    rows = [(lead, "co"), (co, "co")]  # no lead: refused by the service
    for i, (agency, role) in enumerate(rows):
        data.update({f"assignments-{i}-agency": agency.pk, f"assignments-{i}-role": role,
                     f"assignments-{i}-assigned_on": "2023-03-01",
                     f"assignments-{i}-due_on": "2023-06-01"})
    data["assignments-TOTAL_FORMS"] = "2"
    response = superuser_client.post(url(proposal, "change", proposal.pk), data)
    assert response.status_code == 200
    assert "主办单位" in " ".join(str(e) for e in response.context["inline_admin_formsets"][2].formset.non_form_errors())
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REGISTERED

    data["assignments-0-role"] = "lead"
    response = superuser_client.post(url(proposal, "change", proposal.pk), data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ASSIGNED
    assert {(a.agency.code, a.role) for a in proposal.assignments.all()} == {("mzj", "lead"), ("gsl", "co")}
    assign = proposal.history.get(action="assign")
    assert assign.actor.username == "admin"


def test_a_section_is_added_through_the_service(client, demo):
    key = Proposal.objects.get(is_key=True)
    client.force_login(user("tcj-officer"))
    tcj = user("tcj-officer").memberships.get().agency
    data = {"proposal": key.pk, "ordinal": "1", "agency": tcj.pk, "adoption": "",
            "body": "市投促局将把沿线产业规划纳入招商推介内容。"}
    response = client.post(url(Section, "add"), {**data, "ordinal": "9"})
    assert response.status_code == 200
    assert "没有第9条建议" in str(response.context["adminform"].form.errors)

    answered = Proposal.objects.get(number="132020")
    response = client.post(url(Section, "add"), {**data, "proposal": answered.pk})
    assert response.status_code == 200
    assert "只有已交办或重新办理的提案可以办理" in str(response.context["adminform"].form.errors)

    response = client.post(url(Section, "add"), data)
    assert response.status_code == 302
    section = Section.objects.get(recommendation__proposal=key, recommendation__ordinal=1,
                                  agency=tcj)
    assert section.state == Section.State.DRAFT
    assert section.created_by.username == "tcj-officer"
    created = StateChange.objects.get(content_type__model="section", object_id=section.pk)
    assert (created.action, created.actor.username) == ("create", "tcj-officer")


def test_feedback_is_recorded_through_the_service(client, demo):
    replied = Proposal.objects.get(state=Proposal.State.REPLIED, number="132020")
    client.force_login(user("liaison"))
    data = {"proposal": replied.pk, "received_on": "2023-08-01", "handling": "satisfied",
            "result": "basically_satisfied", "comment": "答复认真。"}
    closed = Proposal.objects.get(state=Proposal.State.CLOSED)
    response = client.post(url(replied.feedback.model, "add"), {**data, "proposal": closed.pk})
    assert response.status_code == 200
    assert "只有已答复的提案可以登记反馈" in str(response.context["adminform"].form.errors)

    assert client.post(url(replied.feedback.model, "add"), data).status_code == 302
    feedback = replied.feedback.get()
    assert (feedback.round, feedback.recorded_by.username) == (1, "liaison")
    client.post(url(Proposal, "changelist"), {"action": "close", "_selected_action": [replied.pk]})
    replied.refresh_from_db()
    assert replied.state == Proposal.State.CLOSED


def test_a_due_date_changes_only_with_a_reason(superuser_client):
    assignment = Proposal.objects.get(is_key=True).assignments.get(role="lead")
    change_url = url(assignment, "change", assignment.pk)
    loaded = form_data(superuser_client.get(change_url))["_loaded_state"]
    response = superuser_client.post(change_url, {"due_on": "2023-07-15", "reason": "",
                                                  "_loaded_state": loaded})
    assert response.status_code == 200
    assert "需要填写理由" in str(response.context["adminform"].form.errors)
    response = superuser_client.post(change_url, {"due_on": "2023-07-15", "reason": "经批准延期。",
                                                  "_loaded_state": loaded})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_on == datetime.date(2023, 7, 15)
    extend = StateChange.objects.get(action="extend", object_id=assignment.pk,
                                     content_type__model="assignment")
    assert (extend.reason, extend.actor.username) == ("经批准延期。", "admin")


def test_history_lines_show_local_time(demo, settings):
    from django.utils import timezone

    change = StateChange.objects.first()
    assert str(change).startswith(f"{timezone.localtime(change.at):%Y-%m-%d %H:%M}")
    assert timezone.localtime(change.at).utcoffset() == datetime.timedelta(hours=8)
