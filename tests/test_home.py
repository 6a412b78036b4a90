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


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', html)


def test_every_agency_to_do_opens_the_page_where_it_is_done(client, world):
    """A draft opens its editor, a submitted section its approval on the handling page, a
    letter to sign its signing page, an assignment its handling page."""
    from replies import services as rs

    proposal = world.assigned()
    first, second = proposal.recommendations.order_by("ordinal")
    draft = rs.section_create(recommendation=first, agency=world.lead, actor=world.lead_officer,
                              adoption="adopted", body="已办理。")
    submitted = rs.section_create(recommendation=second, agency=world.lead, actor=world.lead_officer,
                                  adoption="adopted", body="已办理。")
    rs.section_submit(section=submitted, actor=world.lead_officer)
    _other, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)

    client.force_login(world.lead_approver)
    links = _links(client.get(reverse("home")).content.decode())
    assert reverse("replies:section_edit", args=[draft.pk]) in links
    assert f'{reverse("replies:handling", args=[proposal.pk])}#section-{submitted.pk}' in links
    assert reverse("replies:letter_detail", args=[letter.pk]) in links
    assert reverse("replies:handling", args=[proposal.pk]) in links
    assert reverse("proposals:detail", args=[proposal.pk]) not in links
    # Each of those pages answers, and holds the action it promises.
    assert client.get(reverse("replies:section_edit", args=[draft.pk])).status_code == 200
    handling = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    assert reverse("replies:section_approve", args=[submitted.pk]) in handling
    signing = client.get(reverse("replies:letter_detail", args=[letter.pk])).content.decode()
    assert reverse("replies:letter_sign", args=[letter.pk]) in signing


def test_the_liaison_to_dos_open_assignment_and_feedback(client, world):
    registered = world.proposal()
    ps.proposal_register(proposal=registered, actor=world.liaison)
    replied, _letter = world.signed_letter()
    client.force_login(world.liaison)
    links = _links(client.get(reverse("home")).content.decode())
    assert reverse("proposals:assign", args=[registered.pk]) in links
    assert reverse("proposals:feedback", args=[replied.pk]) in links


def test_the_office_to_do_opens_the_print_page_at_the_letter(client, world):
    _proposal, letter = world.signed_letter()
    client.force_login(world.office)
    links = _links(client.get(reverse("home")).content.decode())
    target = next(link for link in links if link.endswith(f"#letter-{letter.pk}"))
    page = client.get(target.replace("&amp;", "&").split("#")[0]).content.decode()
    assert f'id="letter-{letter.pk}"' in page
    assert reverse("replies:letter_issue", args=[letter.pk]) in page


def test_home_and_inbox_say_days_left_and_overdue_in_the_same_words(client, world):
    proposal = world.assigned()  # the lead is due on 2023-06-01
    client.force_login(world.lead_officer)
    home = client.get(reverse("home")).content.decode()
    inbox = client.get(reverse("replies:inbox")).content.decode()
    due = proposal.assignments.get(agency=world.lead).due_on
    from django.utils import timezone

    overdue = (timezone.localdate() - due).days
    words = f"已超期{overdue}天"
    assert words in home and words in inbox


def test_the_agency_sees_its_way_to_work_from_the_proposal_page(client, world):
    proposal = world.assigned()
    client.force_login(world.lead_officer)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert reverse("replies:handling", args=[proposal.pk]) in page
    client.force_login(world.office)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert reverse("replies:handling", args=[proposal.pk]) not in page


def test_the_admin_link_is_for_those_whose_work_is_in_the_admin(client, world):
    admin_url = reverse("admin:index")
    for user in (world.lead_officer, world.lead_approver, world.office, world.liaison):
        user.is_staff = True
        user.save()
    for user, shown in ((world.lead_officer, False), (world.lead_approver, False),
                        (world.office, False), (world.liaison, True)):
        client.force_login(user)
        assert (f'href="{admin_url}"' in client.get(reverse("home")).content.decode()) is shown, user


def test_the_liaison_overdue_list_says_it_in_the_same_words(client, world):
    from django.utils import timezone

    proposal = world.assigned()  # the co-handler is due on 2023-04-01
    due = proposal.assignments.get(agency=world.co).due_on
    client.force_login(world.liaison)
    page = client.get(reverse("home")).content.decode()
    assert f"已超期{(timezone.localdate() - due).days}天" in page
