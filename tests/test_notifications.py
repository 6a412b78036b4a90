"""Event notifications: who is told about each move, by e-mail and in the application;
the e-mail task; and the notification pages."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import tasks
from notifications.models import Notification
from proposals import services as ps
from replies import services as rs
from tests import factories
from tests.factories import AgencyFactory, UserFactory, record_feedback, user_in

pytestmark = pytest.mark.django_db

STAFF = ("liaison", "office", "lead_officer", "lead_approver", "co_officer", "co_approver")


@pytest.fixture
def world(world):
    """The usual world, where everyone has an e-mail address."""
    for name in STAFF:
        user = getattr(world, name)
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """``told(action)``: run ``action`` and what it leaves for after the commit; return
    {username: kind} of the notifications it made and the addresses it mailed, sorted."""

    def run(action):
        mail.outbox.clear()
        start = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        with django_capture_on_commit_callbacks(execute=True):
            action()
        made = Notification.objects.filter(pk__gt=start).select_related("recipient")
        people = {}
        for notification in made:
            assert notification.recipient.username not in people, "told twice"
            people[notification.recipient.username] = notification.kind
        mailed = sorted(address for message in mail.outbox for address in message.to)
        return people, mailed

    return run


def latest(user) -> Notification:
    return Notification.objects.filter(recipient=user).latest("pk")


# ---------------------------------------------------------------- who is told


def test_assigning_tells_each_assigned_agencys_staff(world, told):
    holder = {}
    people, mailed = told(lambda: holder.setdefault("proposal", world.assigned()))
    assert people == {
        "lead-officer": "assigned", "lead-approver": "assigned",
        "co-officer": "assigned", "co-approver": "assigned",
    }
    assert mailed == ["co-approver@example.org", "co-officer@example.org",
                      "lead-approver@example.org", "lead-officer@example.org"]
    proposal = holder["proposal"]
    lead = latest(world.lead_officer)
    assert lead.title == f"新交办：第{proposal.number}号提案"
    assert lead.text == (f"第{proposal.number}号提案《关于充分发挥行业协会作用的建议》已交市工商联办理"
                         f"（主办），办理期限为2023年6月1日。")
    assert lead.link == f"/handling/{proposal.pk}/"
    assert lead.proposal == proposal
    assert "（会办），办理期限为2023年4月1日。" in latest(world.co_approver).text


def test_an_added_agency_hears_and_no_one_else(world, told):
    proposal = world.assigned()
    third = AgencyFactory(code="third", short_name="市第三局")
    officer = user_in(third, "officer")
    officer.email = "third@example.org"
    officer.save()
    people, mailed = told(lambda: ps.assignment_add(
        proposal=proposal, agency=third, role="co", assigned_on=datetime.date(2023, 3, 5),
        due_on=datetime.date(2023, 4, 5), actor=world.liaison, reason="涉及第三局职责。",
    ))
    assert people == {"third-officer": "assigned"}
    assert mailed == ["third@example.org"]
    assert "已交市第三局办理（会办），办理期限为2023年4月5日。" in latest(officer).text


def test_a_submitted_section_goes_to_the_agencys_approvers(world, told):
    proposal = world.assigned()
    section = rs.section_create(recommendation=proposal.recommendations.get(ordinal=2),
                                agency=world.lead, actor=world.lead_officer, adoption="adopted",
                                body="已办理。")
    people, mailed = told(lambda: rs.section_submit(section=section, actor=world.lead_officer))
    assert people == {"lead-approver": "section_submitted"}
    assert mailed == ["lead-approver@example.org"]
    notification = latest(world.lead_approver)
    assert notification.title == f"办理意见待审核：第{proposal.number}号提案第2条建议"
    assert notification.link == f"/handling/{proposal.pk}/"


def test_a_returned_section_goes_to_its_author_and_the_agencys_officers(world, told):
    second_officer = user_in(world.lead, "officer", username="lead-officer-2")
    proposal = world.assigned()
    # Written by the approver, so the author is not among the officers.
    section = rs.section_create(recommendation=proposal.recommendations.get(ordinal=1),
                                agency=world.lead, actor=world.lead_approver, adoption="adopted",
                                body="已办理。")
    rs.section_submit(section=section, actor=world.lead_officer)
    other_approver = user_in(world.lead, "approver", username="lead-approver-2")
    people, mailed = told(lambda: rs.section_return(section=section, actor=other_approver,
                                                    reason="请补充数据。"))
    assert people == {"lead-approver": "section_returned", "lead-officer": "section_returned",
                      "lead-officer-2": "section_returned"}
    assert mailed == ["lead-approver@example.org", "lead-officer@example.org"]  # no address: no mail
    assert latest(second_officer).text.endswith("被退回修改。理由：请补充数据。")


def test_a_letter_sent_for_signing_goes_to_the_approvers_and_back_to_the_officers(world, told):
    _proposal, letter = world.ready_letter()
    people, mailed = told(lambda: rs.letter_submit(letter=letter, actor=world.lead_officer))
    assert people == {"lead-approver": "letter_submitted"}
    assert mailed == ["lead-approver@example.org"]
    assert latest(world.lead_approver).link == f"/letters/{letter.pk}/"

    people, mailed = told(lambda: rs.letter_return(letter=letter, actor=world.lead_approver,
                                                   reason="请核对数字。"))
    assert people == {"lead-officer": "letter_returned"}
    assert mailed == ["lead-officer@example.org"]
    assert latest(world.lead_officer).text.endswith("理由：请核对数字。")


def test_a_signed_letter_goes_to_liaison_staff_and_the_agencys_officers(world, told):
    proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    people, mailed = told(lambda: rs.letter_sign(letter=letter, actor=world.lead_approver,
                                                 signed_on=datetime.date(2023, 7, 7)))
    assert people == {"liaison": "letter_signed", "lead-officer": "letter_signed"}
    assert mailed == ["lead-officer@example.org", "liaison@example.org"]
    assert latest(world.liaison).title == "答复函已签发：测工商联函〔2023〕1号"
    assert latest(world.liaison).link == f"/proposals/{proposal.pk}/"
    assert latest(world.lead_officer).link == f"/letters/{letter.pk}/"


def test_feedback_goes_to_every_assigned_agency(world, told):
    proposal, _letter = world.signed_letter()
    people, mailed = told(lambda: record_feedback(world, proposal, satisfied=False))
    assert people == {
        "lead-officer": "feedback_recorded", "lead-approver": "feedback_recorded",
        "co-officer": "feedback_recorded", "co-approver": "feedback_recorded",
    }
    assert len(mailed) == 4
    assert latest(world.co_officer).text.endswith(
        "办理工作的评价为“满意”，对办理结果的评价为“不满意”。提案者表示不满意，提案可能重新办理。"
    )


def test_the_person_who_moves_is_not_told_nor_anyone_inactive(world, told):
    proposal = world.assigned()
    world.co_officer.is_active = False
    world.co_officer.save()
    # The approver writes and submits a section himself: he is the only approver.
    section = rs.section_create(recommendation=proposal.recommendations.get(ordinal=1),
                                agency=world.co, actor=world.co_approver, adoption="adopted",
                                body="会办意见。")
    assert told(lambda: rs.section_submit(section=section, actor=world.co_approver)) == ({}, [])
    people, _mailed = told(lambda: rs.section_return(section=section, actor=world.co_approver,
                                                     reason="自行退回。"))
    assert people == {}  # the author returned it; the only officer is inactive


def test_a_move_rolled_back_leaves_no_notification_and_sends_nothing(world, told):
    proposal, letter = world.ready_letter()

    def submit_then_roll_back():
        with transaction.atomic():
            rs.letter_submit(letter=letter, actor=world.lead_officer)
            transaction.set_rollback(True)

    assert told(submit_then_roll_back) == ({}, [])
    assert not Notification.objects.filter(kind="letter_submitted").exists()


def test_the_mail_waits_for_the_commit(world, django_capture_on_commit_callbacks):
    _proposal, letter = world.ready_letter()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        rs.letter_submit(letter=letter, actor=world.lead_officer)
    assert mail.outbox == []
    assert latest(world.lead_approver).kind == "letter_submitted"  # in the application at once
    for callback in pending:
        callback()
    assert [m.to for m in mail.outbox] == [["lead-approver@example.org"]]


# ---------------------------------------------------------------- the e-mail


def test_the_mail_says_what_happened_with_an_absolute_link(world, told, settings):
    settings.SITE_URL = "https://proposals.example.gov.cn"
    _proposal, letter = world.ready_letter()
    told(lambda: rs.letter_submit(letter=letter, actor=world.lead_officer))
    [message] = mail.outbox
    notification = latest(world.lead_approver)
    assert message.subject == f"【政协提案办理】{notification.title}"
    assert message.to == ["lead-approver@example.org"]
    assert message.body.startswith("lead-approver，您好：\n")
    assert notification.text in message.body
    assert f"查看详情：https://proposals.example.gov.cn/letters/{letter.pk}/\n" in message.body
    assert notification.emailed_at is not None


def test_the_task_sends_each_mail_once_and_skips_a_deleted_notification(world):
    notification = Notification.objects.create(
        recipient=world.lead_officer, kind="assigned", title="新交办：第132001号提案", text="正文。",
        link="/inbox/",
    )
    mail.outbox.clear()
    assert tasks.send_notification_email.apply(args=[notification.pk]).get() is True
    assert tasks.send_notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1
    notification.delete()
    assert tasks.send_notification_email.apply(args=[notification.pk]).get() is None
    assert len(mail.outbox) == 1


def test_someone_without_an_address_is_told_in_the_application_only(world, told):
    world.lead_approver.email = ""
    world.lead_approver.save()
    _proposal, letter = world.ready_letter()
    people, mailed = told(lambda: rs.letter_submit(letter=letter, actor=world.lead_officer))
    assert people == {"lead-approver": "letter_submitted"}
    assert mailed == []
    assert latest(world.lead_approver).emailed_at is None


# ---------------------------------------------------------------- the pages


def note(user, title: str, **fields) -> Notification:
    return Notification.objects.create(recipient=user, kind="assigned", title=title, **fields)


def test_the_list_shows_ones_own_notifications_newest_first(client, world):
    note(world.lead_officer, "第一条通知", text="第一行\n第二行", link="/inbox/")
    second = note(world.lead_officer, "第二条通知")
    note(world.co_officer, "别人的通知")
    client.force_login(world.lead_officer)
    second.read_at = second.created_at
    second.save()
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index("第二条通知") < page.index("第一条通知")
    assert "别人的通知" not in page
    assert page.count('class="notification notification--unread"') == 1
    assert '<a href="/inbox/">第一条通知</a>' in page
    assert "第一行<br>第二行" in page
    assert "1 条未读" in page


def test_the_header_shows_the_unread_count(client, world):
    for i in range(3):
        note(world.lead_officer, f"通知{i}")
    client.force_login(world.lead_officer)
    page = client.get(reverse("home")).content.decode()
    assert '<span class="nav-count">3<span class="visually-hidden">条未读</span></span>' in page
    client.force_login(world.co_officer)
    assert 'class="nav-count"' not in client.get(reverse("home")).content.decode()


def test_the_list_is_paginated(client, world):
    for i in range(25):
        note(world.liaison, f"通知{i:02d}")
    client.force_login(world.liaison)
    first = client.get(reverse("notifications:list"))
    assert len(first.context["page"].object_list) == 20
    assert "通知24" in first.content.decode() and "通知04" not in first.content.decode()
    second = client.get(reverse("notifications:list"), {"page": 2})
    assert [n.title for n in second.context["page"].object_list] == [f"通知{i:02d}" for i in range(4, -1, -1)]


def test_marking_one_read_goes_back_where_it_came_from(client, world):
    one, other = note(world.lead_officer, "甲"), note(world.lead_officer, "乙")
    client.force_login(world.lead_officer)
    response = client.post(reverse("notifications:read", args=[one.pk]),
                           {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.read_at is not None and other.read_at is None


def test_marking_all_read_touches_only_ones_own(client, world):
    mine = [note(world.lead_officer, f"通知{i}") for i in range(3)]
    theirs = note(world.co_officer, "别人的通知")
    client.force_login(world.lead_officer)
    response = client.post(reverse("notifications:read_all"), {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("notifications:list")  # not off the site
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_someone_elses_notification_does_not_exist_for_you(client, world):
    theirs = note(world.co_officer, "别人的通知")
    client.force_login(factories.superuser())
    response = client.post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_reads_the_same_number_of_times_for_few_or_many(client, world):
    def queries() -> int:
        client.get(reverse("notifications:list"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(captured)

    client.force_login(world.lead_officer)
    proposal = world.assigned()  # tells the lead officer
    few = queries()
    for i in range(15):
        note(world.lead_officer, f"通知{i}", proposal=proposal, link=f"/handling/{proposal.pk}/")
    assert queries() == few


def test_a_user_with_no_role_still_has_a_notification_page(client, db):
    user = UserFactory(username="nobody")
    client.force_login(user)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert "还没有通知。" in response.content.decode()
