"""Work in batches: several sections approved at once, several letters signed at once; each
item through its own service call, what is refused named, the rest done."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from history.models import StateChange
from replies import services as rs
from replies.models import ReplyLetter, Section

pytestmark = pytest.mark.django_db
SIGNED_ON = datetime.date(2023, 7, 7)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def submitted_sections(world, proposal, agency=None, officer=None):
    made = []
    for recommendation in proposal.recommendations.order_by("ordinal"):
        section = rs.section_create(recommendation=recommendation, agency=agency or world.lead,
                                    actor=officer or world.lead_officer, adoption="adopted", body="已办理。")
        rs.section_submit(section=section, actor=officer or world.lead_officer)
        made.append(section)
    return made


def test_an_approver_approves_several_sections_at_once(client, world):
    first, second = submitted_sections(world, world.assigned())
    client.force_login(world.lead_approver)
    inbox = client.get(reverse("replies:inbox")).content.decode()
    assert f'name="section" value="{first.pk}"' in inbox
    response = client.post(reverse("replies:sections_approve_batch"),
                           {"section": [first.pk, second.pk], "next": reverse("replies:inbox")})
    assert response.status_code == 302 and response["Location"] == reverse("replies:inbox")
    assert set(Section.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)) == {
        Section.State.APPROVED}
    assert "已审核通过2条办理意见。" in messages_of(response)
    assert StateChange.objects.filter(action="approve", object_id__in=[first.pk, second.pk]).count() == 2


def test_what_is_refused_is_named_and_the_rest_is_done(client, world):
    mine, _other = submitted_sections(world, world.assigned())
    theirs, *_ = submitted_sections(world, world.assigned(), agency=world.co, officer=world.co_officer)
    rs.section_approve(section=_other, actor=world.lead_approver)  # approved meanwhile by someone else
    client.force_login(world.lead_approver)
    response = client.post(reverse("replies:sections_approve_batch"),
                           {"section": [mine.pk, _other.pk, theirs.pk, "junk", "99999999999999999999"]})
    shown = messages_of(response)
    assert "已审核通过1条办理意见。" in shown
    assert any("第2条（市工商联）未审核" in line for line in shown)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == Section.State.APPROVED
    assert theirs.state == Section.State.SUBMITTED  # another agency's: not this approver's to approve


def test_nothing_ticked_says_so(client, world):
    client.force_login(world.lead_approver)
    response = client.post(reverse("replies:sections_approve_batch"), {})
    assert "请先勾选要审核通过的办理意见。" in messages_of(response)
    response = client.post(reverse("replies:letters_sign_batch"), {"signed_on": "2023-07-07"})
    assert "请先勾选要签发的答复函。" in messages_of(response)


def test_a_signer_signs_several_letters_each_with_its_own_number_and_pdf(
        client, world, django_capture_on_commit_callbacks):
    letters = []
    for _ in range(3):
        _proposal, letter = world.ready_letter()
        rs.letter_submit(letter=letter, actor=world.lead_officer)
        letters.append(letter)
    client.force_login(world.lead_approver)
    inbox = client.get(reverse("replies:inbox")).content.decode()
    assert f'name="letter" value="{letters[0].pk}"' in inbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("replies:letters_sign_batch"), {
            "letter": [letter.pk for letter in letters], "signed_on": SIGNED_ON.isoformat()})
    assert "已签发3份答复函。" in messages_of(response)
    signed = ReplyLetter.objects.filter(pk__in=[letter.pk for letter in letters]).order_by("doc_serial")
    assert [letter.state for letter in signed] == ["signed"] * 3
    assert len({letter.number for letter in signed}) == 3
    assert [letter.doc_serial for letter in signed] == [1, 2, 3]
    assert all(letter.pdf and letter.pdf_sha256 for letter in signed)
    assert all(letter.signed_on == SIGNED_ON for letter in signed)


def test_an_officer_cannot_sign_in_a_batch(client, world):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    client.force_login(world.lead_officer)
    response = client.post(reverse("replies:letters_sign_batch"),
                           {"letter": [letter.pk], "signed_on": SIGNED_ON.isoformat()})
    assert any("未签发" in line for line in messages_of(response))
    letter.refresh_from_db()
    assert letter.state == ReplyLetter.State.IN_REVIEW


def test_a_bad_date_signs_nothing(client, world):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    client.force_login(world.lead_approver)
    response = client.post(reverse("replies:letters_sign_batch"), {"letter": [letter.pk], "signed_on": "2023-13-45"})
    assert "请填写有效的日期。" in messages_of(response)
    letter.refresh_from_db()
    assert letter.state == ReplyLetter.State.IN_REVIEW
    assert client.get(reverse("replies:letters_sign_batch")).status_code == 405


# ---------------------------------------------------------------- the office's printing


def signed(world, count):
    made = []
    for _ in range(count):
        _proposal, letter = world.signed_letter()
        made.append(letter)
    return made


def test_the_office_marks_a_selection_issued(client, world):
    first, second, third = signed(world, 3)
    client.force_login(world.office)
    page = client.get(reverse("replies:printable_letters")).content.decode()
    assert f'name="letter" value="{first.pk}" form="issue-batch"' in page
    response = client.post(reverse("replies:letters_issue_batch"), {"letter": [first.pk, third.pk]})
    assert "已将2份答复函标记为已印发。" in messages_of(response)
    states = dict(ReplyLetter.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "state"))
    assert states == {first.pk: "issued", second.pk: "signed", third.pk: "issued"}
    # What is done leaves the page titled 待印发; a choice shows it again.
    listed = client.get(reverse("replies:printable_letters")).context["page"].object_list
    assert list(listed) == [second]


def test_a_batch_prints_only_what_waits_and_is_confirmed_as_issued(
        client, world, django_capture_on_commit_callbacks):
    from replies.models import PrintJob

    waiting, done = signed(world, 2)
    rs.letter_issue(letter=done, actor=world.office)
    client.force_login(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("replies:print_job_create"), {
            "session": world.session.pk, "agency": "", "format": "pdf", "seal": "1", "scope": "unprinted"})
    job = PrintJob.objects.get()
    assert response["Location"] == reverse("replies:print_job", args=[job.pk])
    assert (job.state, job.letter_ids, job.total) == ("done", [waiting.pk], 1)
    page = client.get(reverse("replies:print_job", args=[job.pk])).content.decode()
    assert reverse("replies:print_job_issue", args=[job.pk]) in page
    response = client.post(reverse("replies:print_job_issue", args=[job.pk]))
    assert "已将1份答复函标记为已印发。" in messages_of(response)
    waiting.refresh_from_db()
    assert waiting.state == "issued"
    again = client.post(reverse("replies:print_job_issue", args=[job.pk]))
    assert "本批答复函均已印发。" in messages_of(again)


def test_a_batch_of_everything_on_request(client, world, django_capture_on_commit_callbacks):
    from replies.models import PrintJob

    waiting, done = signed(world, 2)
    rs.letter_issue(letter=done, actor=world.office)
    client.force_login(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("replies:print_job_create"), {
            "session": world.session.pk, "agency": "", "format": "pdf", "seal": "1", "scope": "all"})
    assert sorted(PrintJob.objects.get().letter_ids) == sorted([waiting.pk, done.pk])


def test_nothing_waiting_to_print_says_so(client, world):
    (letter,) = signed(world, 1)
    rs.letter_issue(letter=letter, actor=world.office)
    client.force_login(world.office)
    response = client.post(reverse("replies:print_job_create"), {
        "session": world.session.pk, "agency": "", "format": "pdf", "seal": "1", "scope": "unprinted"})
    assert any("没有待印发的答复函" in line for line in messages_of(response))
