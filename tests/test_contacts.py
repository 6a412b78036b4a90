"""沟通: agencies record their contacts with the proposer; a session may require one before
a letter goes for signing; liaison staff see the answers that came without any; the
interchange format carries them."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from proposals import contacts
from proposals import services as ps
from proposals.interchange import exporter, importer
from proposals.interchange.base import InterchangeError
from proposals.models import Contact
from replies import services as rs
from tests.factories import history_of, letter_in_state

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(ps.common, "today", lambda: D(2023, 5, 1))


def record(world, proposal, agency=None, **kwargs):
    agency = agency or world.lead
    officer = world.lead_officer if agency == world.lead else world.co_officer
    values = {"contacted_on": D(2023, 4, 10), "way": "meeting",
              "participants": "提案者；市工商联会员部部长", "note": "听取意见。", **kwargs}
    return contacts.contact_record(proposal=proposal, agency=agency, actor=officer, **values)


def test_an_agency_records_a_contact_with_history(world):
    proposal = world.assigned()
    contact = record(world, proposal)
    assert (contact.round, contact.way, contact.recorded_by) == (1, "meeting", world.lead_officer)
    change = history_of(contact).get()
    assert (change.action, change.proposal, change.data["way"]) == ("contact", proposal, "meeting")
    contacts.contact_delete(contact=contact, actor=world.lead_approver)
    assert not Contact.objects.exists()
    assert StateChange.objects.filter(proposal=proposal, action="delete_contact").exists()


def test_bad_contacts_are_refused(world):
    proposal = world.assigned()
    with pytest.raises(DomainError, match="不能晚于今天"):
        record(world, proposal, contacted_on=D(2023, 5, 2))
    with pytest.raises(DomainError, match="参加沟通的人员"):
        record(world, proposal, participants="  ")
    with pytest.raises(DomainError, match="沟通方式"):
        record(world, proposal, way="telepathy")
    with pytest.raises(DomainError, match="超出了"):
        record(world, proposal, contacted_on=D(1990, 1, 1))
    with pytest.raises(PermissionDenied):  # the co-handler does not speak for the lead
        contacts.contact_record(proposal=proposal, agency=world.lead, contacted_on=D(2023, 4, 1),
                                way="phone", participants="提案者", actor=world.co_officer)
    contact = record(world, proposal)
    with pytest.raises(PermissionDenied):
        contacts.contact_delete(contact=contact, actor=world.co_officer)
    submitted = world.proposal()
    with pytest.raises(IllegalMove):  # not being handled
        record(world, submitted)
    assert Contact.objects.count() == 1


def test_a_session_may_require_a_contact_before_signing(world):
    world.session.contact_required = True
    world.session.save()
    letter = letter_in_state(world, "draft")
    with pytest.raises(IllegalMove, match="本届要求答复前与提案者沟通"):
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    record(world, letter.proposal, agency=world.co)  # another agency's contact does not count
    with pytest.raises(IllegalMove):
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    record(world, letter.proposal)
    assert rs.letter_submit(letter=letter, actor=world.lead_officer).state == "in_review"


def test_without_the_rule_a_letter_goes_without_a_contact(world):
    letter = letter_in_state(world, "draft")
    assert rs.letter_submit(letter=letter, actor=world.lead_officer).state == "in_review"


def test_the_pages_record_show_and_list_the_answers_without_contact(client, world):
    proposal = world.assigned()
    client.force_login(world.lead_officer)
    handling = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    create = reverse("proposals:contact_create", args=[proposal.pk])
    assert create in handling and "尚未登记与提案者的沟通" in handling
    response = client.post(create, {"contacted_on": "2023-06-01", "way": "phone", "participants": "提案者"})
    assert "沟通日期不能晚于今天" in response.content.decode()
    response = client.post(create, {"contacted_on": "2023-04-20", "way": "forum",
                                    "participants": "提案者；本局分管领导", "note": "座谈听取意见。"})
    assert response.status_code == 302 and response["Location"].endswith("#contacts")
    handling = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assert "座谈听取意见" in handling and "2023年4月20日" in handling

    signed = letter_in_state(world, "signed")
    client.force_login(world.liaison)
    page = client.get(reverse("proposals:contacts_missing"), {"session": world.session.code}).content.decode()
    assert signed.number in page and "共1份" in page
    # recorded while it was handled (written here directly: the proposal is answered now)
    Contact.objects.create(proposal=signed.proposal, agency=world.lead, contacted_on=D(2023, 4, 10),
                           way="meeting", participants="提案者；市工商联会员部部长")
    page = client.get(reverse("proposals:contacts_missing"), {"session": world.session.code}).content.decode()
    assert signed.number not in page and "每份已签发的答复函都登记了沟通情况" in page
    letter_page = client.get(reverse("replies:letter_detail", args=[signed.pk])).content.decode()
    assert "提案者；市工商联会员部部长" in letter_page
    assert "提案者；市工商联会员部部长" in client.get(
        reverse("proposals:detail", args=[signed.proposal_id])).content.decode()


def _export(session) -> dict:
    return json.loads(exporter.dumps(exporter.export_data(session)))


def test_contacts_travel_with_the_proposal_and_old_files_leave_them_alone(world):
    proposal = world.assigned()
    record(world, proposal)
    record(world, proposal, agency=world.co, way="phone", contacted_on=D(2023, 4, 12), note="")
    data = _export(world.session)
    exported = data["proposals"][0]["contacts"]
    assert [(c["agency"], c["way"], c["contacted_on"]) for c in exported] == [
        ("lead", "meeting", "2023-04-10"), ("co", "phone", "2023-04-12")]

    # a file of the older format says nothing of contacts: they stay
    del data["proposals"][0]["contacts"]
    importer.import_data(data)
    assert Contact.objects.count() == 2
    # the file is the truth when it has the key
    data["proposals"][0]["contacts"] = exported[:1]
    data["proposals"][0]["contacts"][0]["note"] = "改过的沟通情况。"
    importer.import_data(data)
    assert list(Contact.objects.values_list("agency__code", "note")) == [("lead", "改过的沟通情况。")]
    data["proposals"][0]["contacts"] = []
    importer.import_data(data)
    assert not Contact.objects.exists()


def test_a_contact_of_a_wrong_way_is_refused_with_its_path(world):
    proposal = world.assigned()
    record(world, proposal)
    data = _export(world.session)
    data["proposals"][0]["contacts"][0]["way"] = "telepathy"
    with pytest.raises(InterchangeError) as error:
        importer.import_data(data)
    assert "proposals[0].contacts[0].way" in str(error.value)
