"""Every page that shows a list or an object reads the database a fixed number of times.

The pages are the GET rows of the permission table (tests/test_permissions.py), each
for every role allowed to see it. Each is counted twice: once with a small data set,
where every object a page shows holds two of everything (recommendations, proposers,
sections, agencies, letters) among two proposals of every kind; and once more after a
larger set is added, where the pages' objects hold ten of everything among ten more
proposals of every kind. The counts must be equal: a page whose count grows reads
something once per row (an N+1).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from followup.models import Commitment
from members import services as members
from members.models import ProposerAccount
from proposals import services as ps
from proposals.models import (
    Contact,
    ExtensionRequest,
    Proposal,
    ProposalAttachment,
    Proposer,
    ReleaseRequest,
    Signature,
)
from replies import services as rs
from replies.models import LetterAttachment
from tests import factories
from tests.factories import (
    AgencyFactory,
    letter_in_state,
    proposal_in_state,
    record_feedback,
    user_in,
)
from tests.test_permissions import PART_URLS, ROLES, ROWS, TARGETS, _attached

# Every test here reads the test database (the module's world is built in it).
# The module's world is built once (a module fixture): its tests stay on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("test_query_counts")]

SMALL, LARGE = 2, 10


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 0, 255)).save(out, "PNG")
    return out.getvalue()


PNG = _png()

# Every page: the GET rows of the permission table on the URL's own object.
PAGES = [row for row in ROWS if row.method == "GET" and row.target == TARGETS.get(row.name)]


def allowed(row) -> list[str]:
    return [role for role, outcome in zip(ROLES, row.outcomes, strict=True) if outcome == "ok"]


# ---------------------------------------------------------------- the data


def proposers(size: int) -> list[dict]:
    return [{"name": "民建测试市委会", "kind": "party", "role": "lead"}] + [
        {"name": f"委员{i}", "kind": "member", "role": "co-signer"} for i in range(1, size)
    ]


def handled_proposal(world, size: int, separate: list) -> Proposal:
    """Being handled by the lead, the co-handler and ``separate`` agencies on their own, with
    ``size`` recommendations: the lead's part approved and the co-handler's submitted on each,
    drafts of both on the first, a second part of the lead's waiting for approval on the
    last, each separate agency's part and draft letter, and the lead's draft letter."""
    proposal = world.proposal(recommendations=size, proposers=proposers(size))
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    day, due = datetime.date(2023, 3, 1), datetime.date(2023, 6, 1)
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.lead, "role": "lead", "assigned_on": day, "due_on": due},
        {"agency": world.co, "role": "co", "assigned_on": day, "due_on": due},
        *({"agency": agency, "role": "separate", "assigned_on": day, "due_on": due}
          for agency in separate),
    ])
    lead = {"officer": world.lead_officer, "approver": world.lead_approver}
    co = {"officer": world.co_officer, "approver": world.co_approver}
    recommendations = list(proposal.recommendations.order_by("ordinal"))
    for recommendation in recommendations:
        # 正在落实: each of the lead's parts makes a commitment (the follow-up pages grow too).
        factories.section_by(recommendation, world.lead, "approved", adoption="in_progress", **lead)
        factories.section_by(recommendation, world.co, "submitted", **co)
    first, last = recommendations[0], recommendations[-1]
    factories.section_by(first, world.lead, "draft", **lead)
    factories.section_by(first, world.co, "draft", **co)
    factories.section_by(last, world.lead, "submitted", **lead)
    for agency in separate:
        factories.section_by(first, agency, "approved", officer=None)
        rs.letter_create(proposal=proposal, agency=agency, actor=None)
    rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    proposal.refresh_from_db()
    return proposal


def replied_proposal(world, size: int) -> Proposal:
    proposal = world.assigned(recommendations=size, proposers=proposers(size))
    for recommendation in proposal.recommendations.all():
        factories.section_by(recommendation, world.co, "approved", officer=world.co_officer,
                             approver=world.co_approver)
    proposal, letter = world.signed_letter(proposal)
    rs.letter_store_pdf(letter=letter)
    record_feedback(world, proposal, satisfied=False)
    return proposal


def ask_for_extension(world, assignment, state=ExtensionRequest.State.PENDING) -> ExtensionRequest:
    """A request for 30 more days; a decided one is refused by the liaison staff."""
    decided = state != ExtensionRequest.State.PENDING
    return ExtensionRequest.objects.create(
        assignment=assignment, current_due_on=assignment.due_on,
        requested_due_on=assignment.due_on + datetime.timedelta(days=30), reason="需要协调。",
        requested_by=world.lead_officer, state=state,
        decided_by=world.liaison if decided else None, decided_at=timezone.now() if decided else None,
        decision_note="请按期办理。" if decided else "",
    )


def ask_for_release(world, assignment, state=ReleaseRequest.State.PENDING) -> ReleaseRequest:
    """A request to be released from ``assignment``; a decided one is refused."""
    decided = state != ReleaseRequest.State.PENDING
    return ReleaseRequest.objects.create(
        proposal=assignment.proposal, agency=assignment.agency, assignment=assignment,
        role=assignment.role, assigned_on=assignment.assigned_on, reason="不属于本单位职责。",
        suggested_agency=world.lead, requested_by=world.co_officer, state=state,
        decided_by=world.liaison if decided else None, decided_at=timezone.now() if decided else None,
        decision_note="请按职责办理。" if decided else "",
    )


def proposer_side(world, size: int) -> dict:
    """The member signs every proposal so far (``size`` of each kind) and writes a draft
    with ``size`` co-signers invited and ``size`` files attached; the co-signer is invited."""
    member = Proposer.objects.get(name="计数委员甲")
    cosigner = Proposer.objects.get(name="计数委员乙")
    for proposal in Proposal.objects.exclude(signatures__proposer=member):
        Signature.objects.create(proposal=proposal, proposer=member, role="co-signer", position=99)
    draft = members.online_save(proposer=member, session=world.session, title=f"计数草稿{size}",
                                recommendations=[{"title": f"建议{i}", "body": ""} for i in range(size)],
                                cosign_deadline=datetime.date.today() + datetime.timedelta(days=10))
    invitation = members.invitation_add(online=draft, proposer=member, name=cosigner.name)
    for i in range(size):
        invited = members.account_create(username=f"count-{size}-{i}", name=f"计数受邀{size}-{i}",
                                         password="count-pass-2023")
        members.invitation_add(online=draft, proposer=member, name=invited.proposer.name)
    for i in range(size):
        members.attachment_add(online=draft, proposer=member, upload=SimpleUploadedFile(
            f"材料{i}.png", PNG, content_type="image/png"))
    return {"member": member, "online.draft": draft, "invitation.pending": invitation,
            "attachment.draft": draft.attachments.first(),
            "account.outsider": ProposerAccount.objects.get(user__username="count-outsider")}


def populate(world, third, size: int) -> dict:
    """``size`` proposals of every kind, and the objects the pages are opened on."""
    separate = [AgencyFactory() for _ in range(size)]
    for _ in range(size):
        world.proposal()
        proposal_in_state(world, Proposal.State.REGISTERED)
        extended = handled_proposal(world, 1, [])
        ask_for_extension(world, extended.assignments.get(agency=world.co))
        ask_for_release(world, extended.assignments.get(agency=world.co))
        letter_in_state(world, "in_review")
        letter_in_state(world, "signed")
        factories.proposal_for(world, third)
        factories.finished_print_job(world, requested_by=world.office)
        factories.finished_print_job(world, requested_by=world.liaison)
    submitted = world.proposal(recommendations=size, proposers=proposers(size))
    proposer_objects = proposer_side(world, size)
    registered = world.proposal(recommendations=size, proposers=proposers(size))
    ps.proposal_register(proposal=registered, actor=world.liaison)
    handled = handled_proposal(world, size, separate)
    replied = replied_proposal(world, size)
    first = handled.recommendations.get(ordinal=1)
    lead_assignment = handled.assignments.get(agency=world.lead)
    for _ in range(size):
        ask_for_extension(world, lead_assignment, state=ExtensionRequest.State.REJECTED)
        ask_for_release(world, handled.assignments.get(agency=world.co), state=ReleaseRequest.State.REFUSED)
    draft = handled.letters.get(agency=world.lead)
    for i in range(size):
        _attached(ProposalAttachment(proposal=handled), f"材料{i}.png")
        _attached(LetterAttachment(letter=draft, title=f"附件{i}", position=i + 1, pages=1), f"附件{i}.png")
        Contact.objects.create(proposal=handled, agency=world.lead, contacted_on=datetime.date(2023, 4, 1),
                               way="phone", participants="提案者")
    for proposal in (handled, replied):  # the member follows these, among all the others
        Signature.objects.get_or_create(proposal=proposal, proposer=proposer_objects.pop("member"),
                                        defaults={"role": "co-signer", "position": 99})
        proposer_objects["member"] = Proposer.objects.get(name="计数委员甲")
    Signature.objects.get_or_create(proposal=replied, proposer=Proposer.objects.get(name="计数委员乙"),
                                    defaults={"role": "co-signer", "position": 98})
    del proposer_objects["member"]
    return {
        **proposer_objects,
        "attachment.handled": handled.attachments.first(),
        "attachment.letter": draft.attachments.first(),
        "extension.pending": ask_for_extension(world, lead_assignment),
        "release.pending": ask_for_release(world, handled.assignments.get(agency=world.co)),
        "proposal.submitted": submitted,
        "proposal.registered": registered,
        "proposal.handled": handled,
        "proposal.replied": replied,
        "assignment.lead": handled.assignments.get(agency=world.lead),
        "assignment.unused": handled.assignments.get(agency=world.co),
        "recommendation.open": first,
        "section.lead_draft": first.sections.get(agency=world.lead, state="draft"),
        "letter.draft": handled.letters.get(agency=world.lead),
        "letter.signed": replied.letters.get(),
        "job.done": factories.finished_print_job(world, requested_by=world.office),
        "commitment.lead": Commitment.objects.get(section__recommendation=first, agency=world.lead),
    }


# ---------------------------------------------------------------- counting


@dataclasses.dataclass
class Count:
    queries: int
    status: int
    length: int


def count(client: Client, path: str) -> Count:
    client.get(path)  # the first request fills the caches (content types, the session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return Count(len(queries), response.status_code, len(response.content))


def count_pages(clients: dict[str, Client], objects: dict) -> dict:
    counts = {}
    for row in PAGES:
        kwargs = {"pk": objects[row.target].pk} if row.target else {}
        if row.name in PART_URLS:
            kwargs["ordinal"] = 1
        path = reverse(row.name, kwargs=kwargs)
        for role in allowed(row):
            counts[str(row), role] = count(clients[role], path)
    return counts


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker):
    """The query count of every page for every role allowed to see it, small and large."""
    with tempfile.TemporaryDirectory() as media, django_db_blocker.unblock():
        with override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PUBLIC_CACHE_SECONDS=0, PUBLIC_PAGES_PER_MINUTE=100_000, PUBLIC_PDFS_PER_MINUTE=100_000,
            VERIFY_PER_MINUTE=100_000,
        ), transaction.atomic():
            world = factories.World.build()
            third = AgencyFactory(code="third", short_name="市第三局")
            session = world.session
            session.submission_opens_on = datetime.date.today() - datetime.timedelta(days=30)
            session.feedback_due_amount, session.feedback_due_unit = 120, "calendar_months"
            session.save()
            proposers_ = {role: members.account_create(username=f"count-{role}", name=name, kind=kind,
                                                       password="count-pass-2023").user
                          for role, name, kind in (("member", "计数委员甲", "member"),
                                                   ("cosigner", "计数委员乙", "member"),
                                                   ("outsider", "计数党派市委会", "party"))}
            users = {
                **proposers_,
                "liaison": world.liaison, "office": world.office,
                "lead_officer": world.lead_officer, "lead_approver": world.lead_approver,
                "co_officer": world.co_officer, "co_approver": world.co_approver,
                "third_officer": user_in(third, "officer"), "superuser": factories.superuser(),
            }
            clients = {"anonymous": Client()}
            for role, user in users.items():
                clients[role] = Client()
                clients[role].force_login(user)
            small = count_pages(clients, populate(world, third, SMALL))
            large = count_pages(clients, populate(world, third, LARGE))
            yield small, large
            transaction.set_rollback(True)


@pytest.mark.parametrize("row", PAGES, ids=str)
def test_the_query_count_does_not_grow_with_the_data(counted, row):
    small, large = counted
    grown = []
    for role in allowed(row):
        few, many = small[str(row), role], large[str(row), role]
        # 200, or the same redirect (a proposer's home is their own page; the code page
        # sends whoever has no code pending to the login)
        assert few.status == many.status and few.status in (200, 302), \
            f"{row} as {role}: {few.status}, {many.status}"
        if many.queries != few.queries:
            grown.append(f"  {role}: {few.queries} queries with the small data, {many.queries} with the large")
    assert not grown, f"{row}\n" + "\n".join(grown)


# Pages whose content grows with the data, for some role: the larger set is really shown.
SHOWS_MORE = {"home", "proposals:list", "proposals:detail", "proposals:edit", "replies:inbox",
              "replies:handling", "replies:letter_detail", "replies:printable_letters"}


@pytest.mark.parametrize("name", sorted(SHOWS_MORE))
def test_the_larger_data_is_on_the_page(counted, name):
    small, large = counted
    row = next(row for row in PAGES if row.name == name)
    grew = [role for role in allowed(row) if large[str(row), role].length > small[str(row), role].length]
    assert grew, f"{row}: no role sees more with the larger data"
    if name in ("proposals:detail", "replies:handling", "replies:letter_detail", "proposals:list"):
        assert grew == allowed(row)


def test_every_page_is_counted_for_someone():
    """Every GET of the application is a page counted here, for at least one role."""
    counted_names = {row.name for row in PAGES if allowed(row)}
    assert counted_names == {row.name for row in ROWS if row.method == "GET"}
    assert {"home", "proposals:list", "proposals:detail", "replies:inbox", "replies:handling",
            "replies:letter_detail", "replies:printable_letters", "replies:print_job"} <= counted_names
