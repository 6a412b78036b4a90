"""The home page shows each user what needs them now; logging in and out."""

import datetime

from django.urls import reverse

from proposals import services as ps


def test_anonymous_is_asked_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logging_in_and_out(client, world):
    page = client.get(reverse("login"))
    assert "用户名" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "liaison", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "liaison", "password": "pw"})
    assert good.status_code == 302 and good["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_liaison_sees_proposals_waiting_for_them_and_overdue_agencies(client, world):
    waiting = world.proposal(title="关于待审查事项的建议")
    overdue = world.assigned(title="关于逾期事项的建议")
    client.force_login(world.liaison)
    page = client.get(reverse("home")).content.decode()
    assert "待审查的提案" in page and waiting.number in page
    # The world's co-handler was due on 2023-04-01 and has written nothing.
    assert "逾期未办复" in page and overdue.number in page and "市民政局" in page


def test_an_officer_sees_only_their_agency_work_most_urgent_first(client, world):
    world.assigned(title="关于第一件的建议")
    second = world.assigned(title="关于第二件的建议")
    ps.assignment_change_due(assignment=second.assignments.get(agency=world.lead),
                             due_on=datetime.date(2023, 5, 1), actor=world.liaison, reason="提前")
    client.force_login(world.lead_officer)
    page = client.get(reverse("home")).content.decode()
    assert page.index("关于第二件的建议") < page.index("关于第一件的建议")
    assert "待审查的提案" not in page
    assert "待签发的答复函" not in page  # officers do not sign


def test_an_approver_sees_what_waits_for_approval(client, world):
    proposal = world.assigned()
    from replies import services as rs

    section = rs.section_create(recommendation=proposal.recommendations.first(), agency=world.lead,
                                actor=world.lead_officer, adoption="adopted", body="已办理。")
    rs.section_submit(section=section, actor=world.lead_officer)
    client.force_login(world.lead_approver)
    page = client.get(reverse("home")).content.decode()
    assert "待审核的办理意见" in page and proposal.number in page


def test_office_sees_signed_letters_to_issue(client, world):
    proposal, letter = world.signed_letter()
    client.force_login(world.office)
    page = client.get(reverse("home")).content.decode()
    assert letter.number in page


def test_home_query_count_does_not_grow_with_the_data(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    users = (world.liaison, world.lead_officer, world.lead_approver, world.office)
    world.signed_letter()
    world.assigned()
    before = [queries(user) for user in users]
    for _ in range(6):
        world.signed_letter()
        world.assigned()
    assert [queries(user) for user in users] == before


def test_a_voided_letter_puts_the_proposal_back_on_the_home_page_as_in_the_inbox(client, world):
    """The home page and the inbox read one selector: after the lead's signed letter is
    voided, both list the proposal again for the lead agency."""
    from replies import services as rs

    proposal, letter = world.signed_letter()
    client.force_login(world.lead_officer)
    title = proposal.title

    def shown() -> tuple[bool, bool]:
        home = client.get(reverse("home")).content.decode()
        inbox = client.get(reverse("replies:inbox")).content.decode()
        return title in home, title in inbox

    assert shown() == (False, False)
    rs.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    assert shown() == (True, True)
