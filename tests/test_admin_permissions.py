"""The admin's URLs, walked by every role, against a permission table of their own.

The world is the site's permission walk (tests/test_permissions.py), where everyone is
staff as in the demo, so that only the admin's own rules stand between a role and a page.
They must be the site's rules: a role reads in the admin exactly the rows the site lets it
read — no agency's drafts, letters before signing or internal return reasons outside it.

Outcomes, as in the site's table, in the admin's own terms:
    ok         the page (200)
    login      a redirect to the admin's login page
    forbidden  403: the role may not use this page at all
    missing    the object does not exist for the role (the admin sends it to its index
               saying so, or answers 404)

Django's admin asks in its own order: the delete page asks for the permission first (so
a role that may delete nothing is forbidden, whether or not the object exists for it), the
history page for the object first (so an object it may not read is missing). Either way an
object a role may not read looks the same as one that does not exist.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from history.models import StateChange
from replies.models import ReplyLetter
from tests.test_permissions import INTERNAL_REASON, READS
from tests.test_permissions import STAFF_ROLES as ROLES

# The module's world is built once (a module fixture): its tests stay on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("test_admin_permissions")]

OUTCOMES = {"ok", "login", "forbidden", "missing"}

# The object each admin URL is called on unless a row names another: model → world object.
TARGETS = {
    "proposals_session": "session",
    "proposals_category": "category",
    "proposals_proposer": "proposer",
    "proposals_proposal": "proposal.handled",
    "proposals_signature": "signature",
    "proposals_recommendation": "recommendation.first",
    "proposals_assignment": "assignment.lead",
    "proposals_feedback": "feedback.third",
    "history_statechange": "statechange.assign",
    "proposals_extensionrequest": "extension.pending",
    "proposals_releaserequest": "release.pending",
    "proposals_contact": "contact.lead",
    "proposals_proposalattachment": "attachment.handled",
    "replies_letterattachment": "attachment.letter",
    "agencies_agency": "agency.lead",
    "agencies_membership": "membership.lead_officer",
    "agencies_signingcertificate": "certificate.lead",
    "workcalendar_calendaryear": "calendar.2026",
    "replies_adoptionstatus": "adoption",
    "replies_section": "section.lead_submitted",
    "replies_replyletter": "letter.signed",
    "replies_documentcounter": "counter",
    "replies_printjob": "job.done",
    "notifications_notification": "notification.lead_officer",
    "notifications_smsmessage": "sms.member",
    "members_proposeraccount": "account.member",
    "members_onlineproposal": "online.draft",
    "members_invitation": "invitation.pending",
    "members_draftattachment": "attachment.draft",
    "auth_user": "user.lead_officer",
    "auth_group": "group.liaison",
}

# "-": the URL's object from TARGETS (or none). ``admin:<model>_<view>``.
TABLE = """
URL name                                    object                  anonymous liaison   office    lead_off  lead_appr co_off    co_appr   third_off superuser
index                                       -                       login     ok        ok        ok        ok        ok        ok        ok        ok
proposals_session_changelist                -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_session_add                       -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_session_change                    -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_session_history                   -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_session_delete                    -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_category_changelist               -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_category_add                      -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_category_change                   -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_category_history                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_category_delete                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposer_changelist               -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposer_add                      -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposer_change                   -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposer_history                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposer_delete                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposal_changelist               -                       login     ok        ok        ok        ok        ok        ok        ok        ok
proposals_proposal_add                      -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_proposal_change                   -                       login     ok        ok        ok        ok        ok        ok        missing   ok
proposals_proposal_change                   proposal.third          login     ok        ok        missing   missing   missing   missing   ok        ok
proposals_proposal_history                  -                       login     ok        ok        ok        ok        ok        ok        missing   ok
proposals_proposal_delete                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_proposal_delete                   proposal.submitted      login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_signature_changelist              -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_signature_add                     -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_signature_change                  -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_signature_history                 -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_signature_delete                  -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_recommendation_changelist         -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_recommendation_add                -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_recommendation_change             -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_recommendation_history            -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_recommendation_delete             -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_assignment_changelist             -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_assignment_add                    -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_assignment_change                 -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_assignment_history                -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_assignment_delete                 -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_feedback_changelist               -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_feedback_add                      -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
proposals_feedback_change                   -                       login     ok        forbidden missing   missing   missing   missing   ok        ok
proposals_feedback_history                  -                       login     ok        forbidden missing   missing   missing   missing   ok        ok
proposals_feedback_delete                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
history_statechange_changelist            -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
history_statechange_add                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
history_statechange_change                -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
history_statechange_change                statechange.co_return   login     ok        forbidden missing   missing   ok        ok        missing   ok
history_statechange_history               -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
history_statechange_delete                -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_extensionrequest_changelist       -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_extensionrequest_add              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_extensionrequest_change           -                       login     ok        forbidden missing   missing   ok        ok        missing   ok
proposals_extensionrequest_history          -                       login     ok        missing   missing   missing   ok        ok        missing   ok
proposals_extensionrequest_delete           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_releaserequest_changelist         -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_releaserequest_add                -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_releaserequest_change             -                       login     ok        forbidden missing   missing   ok        ok        missing   ok
proposals_releaserequest_history            -                       login     ok        missing   missing   missing   ok        ok        missing   ok
proposals_releaserequest_delete             -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_contact_changelist                -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
proposals_contact_add                       -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_contact_change                    -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_contact_history                   -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
proposals_contact_delete                    -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_proposalattachment_changelist     -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
replies_letterattachment_changelist         -                       login     ok        ok        ok        ok        ok        ok        ok        ok
proposals_proposalattachment_add            -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_letterattachment_add                -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
proposals_proposalattachment_change         -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
replies_letterattachment_change             -                       login     ok        missing   ok        ok        missing   missing   missing   ok
proposals_proposalattachment_history        -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
replies_letterattachment_history            -                       login     ok        missing   ok        ok        missing   missing   missing   ok
proposals_proposalattachment_delete         -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_letterattachment_delete             -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
agencies_agency_changelist                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_agency_add                         -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_agency_change                      -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_agency_history                     -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_agency_delete                      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_membership_changelist              -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_membership_add                     -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_membership_change                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_membership_history                 -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_membership_delete                  -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_signingcertificate_changelist                  -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_signingcertificate_add                         -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_signingcertificate_change                      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_signingcertificate_history                     -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
agencies_signingcertificate_delete                      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
workcalendar_calendaryear_changelist                    -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
workcalendar_calendaryear_add                           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
workcalendar_calendaryear_change                        -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
workcalendar_calendaryear_history                       -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
workcalendar_calendaryear_delete                        -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_adoptionstatus_changelist           -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_adoptionstatus_add                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_adoptionstatus_change               -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_adoptionstatus_history              -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_adoptionstatus_delete               -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_section_changelist                  -                       login     ok        forbidden ok        ok        ok        ok        ok        ok
replies_section_add                         -                       login     forbidden forbidden ok        ok        ok        ok        ok        ok
replies_section_change                      -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
replies_section_change                      section.co_draft        login     ok        forbidden missing   missing   ok        ok        missing   ok
replies_section_change                      section.lead_draft      login     ok        forbidden ok        ok        missing   missing   missing   ok
replies_section_history                     -                       login     ok        forbidden ok        ok        ok        ok        missing   ok
replies_section_history                     section.co_draft        login     ok        missing   missing   missing   ok        ok        missing   ok
replies_section_delete                      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_replyletter_changelist              -                       login     ok        ok        ok        ok        ok        ok        ok        ok
replies_replyletter_add                     -                       login     forbidden forbidden ok        ok        ok        ok        ok        ok
replies_replyletter_change                  -                       login     ok        ok        ok        ok        ok        ok        missing   ok
replies_replyletter_change                  letter.draft            login     ok        missing   ok        ok        missing   missing   missing   ok
replies_replyletter_change                  letter.review           login     ok        missing   ok        ok        missing   missing   missing   ok
replies_replyletter_history                 letter.review           login     ok        missing   ok        ok        missing   missing   missing   ok
replies_replyletter_delete                  letter.draft            login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
replies_documentcounter_changelist          -                       login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok
replies_documentcounter_add                 -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_documentcounter_change              -                       login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok
replies_documentcounter_history             -                       login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok
replies_documentcounter_delete              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_printjob_changelist                 -                       login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok
replies_printjob_add                        -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
replies_printjob_change                     -                       login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok
replies_printjob_history                    -                       login     ok        ok        missing   missing   missing   missing   missing   ok
replies_printjob_delete                     -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
notifications_notification_changelist      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_notification_add              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
notifications_notification_change           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_notification_history          -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_notification_delete           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_changelist                        -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_add                               -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_change                            -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_history                           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_delete                            -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_user_password_change                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_group_changelist                       -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_group_add                              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_group_change                           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_group_history                          -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
auth_group_delete                           -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_smsmessage_changelist         -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_smsmessage_add                -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
notifications_smsmessage_change             -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_smsmessage_history            -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
notifications_smsmessage_delete             -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_proposeraccount_changelist          -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_proposeraccount_add                 -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_proposeraccount_change              -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_proposeraccount_history             -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_proposeraccount_delete              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_onlineproposal_changelist           -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_onlineproposal_add                  -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_onlineproposal_change               -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_onlineproposal_history              -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_onlineproposal_delete               -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_invitation_changelist               -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_invitation_add                      -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_invitation_change                   -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_invitation_history                  -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_invitation_delete                   -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_draftattachment_changelist          -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_draftattachment_add                 -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
members_draftattachment_change              -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_draftattachment_history             -                       login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok
members_draftattachment_delete              -                       login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
"""

# Pages of the admin that are the same for every staff member, tested elsewhere: signing
# in and out and the password change (tests/test_login_throttle.py), the JavaScript
# catalogue, the links to objects on the site, and the lists of an app's models.
NOT_WALKED = {"login", "logout", "password_change", "password_change_done", "jsi18n",
              "view_on_site", "app_list", "autocomplete"}


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    target: str | None
    outcomes: tuple[str, ...]

    def __str__(self) -> str:
        return f"admin:{self.name}" + (f" [{self.target}]" if self.target else "")


def admin_urls() -> dict[str, set[str]]:
    """Every named URL of the admin: name → its arguments."""
    found: dict[str, set[str]] = {}

    def walk_patterns(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk_patterns(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[pattern.name] = set(getattr(pattern.pattern, "converters", {}))

    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "admin":
            walk_patterns(pattern.url_patterns)
    return found


def _rows() -> list[Row]:
    rows = []
    for line in TABLE.strip().splitlines()[1:]:
        name, target, *outcomes = line.split()
        assert len(outcomes) == len(ROLES), line
        assert set(outcomes) <= OUTCOMES, line
        needs_object = name.rsplit("_", 1)[-1] in ("change", "history", "delete")
        model = name.rsplit("_", 2)[0] if name.endswith("_password_change") else name.rsplit("_", 1)[0]
        if target == "-":
            target = TARGETS[model] if needs_object else None
        rows.append(Row(name, target, tuple(outcomes)))
    return rows


ROWS = _rows()


def _objects(walk) -> dict[str, object]:
    """The walk's objects, and the few more the admin's pages are about."""
    from django.contrib.auth.models import Group

    from agencies.models import Agency, Membership
    from proposals.models import Category, Proposer, Session, Signature
    from replies.models import AdoptionStatus, DocumentCounter

    handled = walk.objects["proposal.handled"]
    return {
        **walk.objects,
        "session": Session.objects.get(pk=walk.session),
        "category": Category.objects.order_by("pk").first(),
        "proposer": Proposer.objects.order_by("pk").first(),
        "signature": Signature.objects.filter(proposal=handled).first(),
        "recommendation.first": handled.recommendations.get(ordinal=1),
        "agency.lead": Agency.objects.get(pk=walk.lead),
        "membership.lead_officer": Membership.objects.get(user=walk.users["lead_officer"]),
        "certificate.lead": _certificate(walk.lead),
        "calendar.2026": _calendar_year(2026),
        "adoption": AdoptionStatus.objects.get(pk=walk.adoption),
        "counter": DocumentCounter.objects.order_by("pk").first(),
        "user.lead_officer": walk.users["lead_officer"],
        "group.liaison": Group.objects.get(name="liaison"),
    }


def outcome(response) -> str:
    status = response.status_code
    if status == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "login"
        if location == reverse("admin:index"):
            said = " ".join(str(m) for m in get_messages(response.wsgi_request))
            return "missing" if "不存在" in said else f"sent to the index ({said})"
        return f"redirect to {location}"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "missing"
    if status == 200:
        return "ok"
    return f"status {status}"


def request(walk, row: Row, role: str):
    client = Client()
    user = walk.users[role]
    if user is not None:
        client.force_login(user)
    objects = _objects(walk)
    kwargs = {}
    if row.target is not None:
        name = "id" if row.name.endswith("_password_change") else "object_id"
        kwargs[name] = objects[row.target].pk
    with transaction.atomic():
        response = client.get(reverse(f"admin:{row.name}", kwargs=kwargs))
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_every_role_gets_what_the_admin_table_says(walked, row):
    failures = []
    for role, expected in zip(ROLES, row.outcomes, strict=True):
        response = request(walked, row, role)
        assert response.status_code < 500, f"{row} as {role}: server error"
        actual = outcome(response)
        if actual != expected:
            failures.append(f"  {role}: expected {expected}, got {actual}")
    assert not failures, f"{row}\n" + "\n".join(failures)


def test_the_admin_table_lists_every_admin_url():
    listed = {row.name for row in ROWS}
    urls = {name for name in admin_urls() if name not in NOT_WALKED}
    assert sorted(urls - listed) == [], "admin URLs missing from the table"
    assert sorted(listed - urls) == [], "rows for admin URLs that no longer exist"
    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(TARGETS)


# ---------------------------------------------------------------- what the lists show

# The office does not come into the sections' admin at all (it prints letters).
ADMIN_READS = {**READS, "third_officer": set()}


@pytest.mark.parametrize("role", sorted(ADMIN_READS))
def test_the_admin_lists_the_sections_the_site_shows(walked, role):
    client = Client()
    client.force_login(walked.users[role])
    response = client.get(reverse("admin:replies_section_changelist"))
    assert response.status_code == 200
    bodies = {section.body for section in response.context["cl"].queryset}
    shown = {key for key in READS["liaison"] if f"{key}的办理意见。" in bodies}
    assert shown == ADMIN_READS[role]
    # ... and so does a recommendation's page, with its sections inline.
    recommendation = walked.objects["proposal.handled"].recommendations.get(ordinal=1)
    page = client.get(reverse("admin:proposals_recommendation_change", args=[recommendation.pk]))
    if page.status_code == 200:
        text = page.content.decode()
        assert {key for key in ("lead_draft", "co_draft") if f"{key}的办理意见。" in text} == \
            {key for key in ("lead_draft", "co_draft") if key in ADMIN_READS[role]}


LETTERS = {
    "liaison": {"letter.draft", "letter.review", "letter.signed"},
    "office": {"letter.signed"},
    "lead_officer": {"letter.draft", "letter.review", "letter.signed"},
    "lead_approver": {"letter.draft", "letter.review", "letter.signed"},
    "co_officer": {"letter.signed"},
    "co_approver": {"letter.signed"},
    "third_officer": set(),
    "superuser": {"letter.draft", "letter.review", "letter.signed"},
}


@pytest.mark.parametrize("role", sorted(LETTERS))
def test_the_admin_lists_the_letters_the_site_shows(walked, role):
    client = Client()
    client.force_login(walked.users[role])
    response = client.get(reverse("admin:replies_replyletter_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    expected = {walked.objects[key].pk for key in LETTERS[role]}
    assert shown & {walked.objects[key].pk for key in LETTERS["liaison"]} == expected
    assert shown == set(ReplyLetter.objects.visible_to(walked.users[role]).values_list("pk", flat=True))


@pytest.mark.parametrize("role", sorted([*ADMIN_READS, "office"]))
def test_the_admins_history_keeps_an_agencys_internal_steps_inside_it(walked, role):
    client = Client()
    client.force_login(walked.users[role])
    reads = role in ("liaison", "superuser", "co_officer", "co_approver")
    listing = client.get(reverse("admin:history_statechange_changelist"), {"q": "退回理由"})
    if listing.status_code == 200:
        assert (INTERNAL_REASON in listing.content.decode()) == reads
    # The proposal's page, its history inline (the third agency does not see the proposal).
    page = client.get(reverse("admin:proposals_proposal_change",
                              args=[walked.objects["proposal.handled"].pk]))
    assert page.status_code == (302 if role == "third_officer" else 200)
    assert (INTERNAL_REASON in page.content.decode()) == reads
    assert StateChange.objects.visible_to(walked.users[role]).filter(
        reason=INTERNAL_REASON).exists() == reads


def test_the_admin_table_fails_on_a_wrong_expectation(walked):
    """The walk can fail: the office reading a draft letter in the admin would be caught."""
    row = next(r for r in ROWS if r.name == "replies_replyletter_change" and r.target == "letter.draft")
    assert outcome(request(walked, row, "office")) == "missing"
    assert outcome(request(walked, row, "lead_officer")) == "ok"
    # ... and without the site's rule, the admin would show it.
    from core.admin_tools import RoleAccessMixin

    original = RoleAccessMixin.scoped
    RoleAccessMixin.scoped = False
    try:
        assert outcome(request(walked, row, "office")) == "ok"
    finally:
        RoleAccessMixin.scoped = original


def _calendar_year(year: int):
    from workcalendar.calendar import WorkingCalendar
    from workcalendar.models import CalendarYear

    WorkingCalendar().year(year)  # copied from the package if the walk's database lost it
    return CalendarYear.objects.get(year=year)


def _certificate(agency_id: int):
    """The agency's signing certificate, made by the demo CA when it has none."""
    from agencies.demo_certificates import make_demo_certificates
    from agencies.models import Agency, SigningCertificate

    make_demo_certificates(Agency.objects.filter(pk=agency_id))
    return SigningCertificate.objects.get(agency_id=agency_id)
