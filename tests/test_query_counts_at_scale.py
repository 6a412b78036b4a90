"""Query counts at scale: every list and detail page makes as many queries with 1,000
proposals in the database as with 10.

The data comes from `manage.py generate_data` (sessions, agencies, proposals in every
state with recommendations, sections, letters, feedback and history): first 10
proposals, then 990 more appended. The pages are opened on the same objects both times,
as liaison staff and as an officer of the busiest agency. tests/test_query_counts.py
does the same for every page on hand-built data.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Membership
from core.roles import LIAISON_GROUP
from proposals.models import Proposal, Session
from replies.models import ReplyLetter

pytestmark = pytest.mark.django_db


def generate(count: int, *, append: bool) -> None:
    call_command("generate_data", proposals=count, sessions=1, agencies=6, seed=7, append=append,
                 stdout=io.StringIO())


def queries(client: Client, path: str) -> int:
    first = client.get(path)  # fills the per-request caches (content types, the session)
    assert first.status_code == 200, (path, first.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def pages(objects: dict) -> dict[str, list[str]]:
    session = objects["session"]
    return {
        "liaison": [
            "/", f"/proposals/?session={session}", f"/proposals/?session={session}&state=assigned",
            f"/proposals/?session={session}&sort=-due", "/proposals/?overdue=1&page=2",
            f"/proposals/dashboard/?session={session}", "/proposals/extensions/", "/print/",
            "/search/?q=%E5%85%BB%E8%80%81", "/notifications/",
            f"/proposals/{objects['proposal']}/", f"/handling/{objects['proposal']}/",
        ],
        "officer": [
            "/", "/inbox/", "/inbox/?page=2", f"/handling/{objects['proposal']}/",
            f"/letters/{objects['letter']}/", "/search/?q=%E5%8D%8F%E4%BC%9A", "/notifications/",
        ],
    }


def count_all(clients: dict[str, Client], objects: dict) -> dict[str, int]:
    return {f"{who} {path}": queries(clients[who], path)
            for who, paths in pages(objects).items() for path in paths}


def test_pages_make_the_same_queries_for_10_and_1000_proposals():
    generate(10, append=False)
    agency = Agency.objects.annotate(n=Count("assignments")).order_by("-n", "code").first()
    liaison = User.objects.create_user("scale-liaison", password="pw")
    liaison.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
    officer = User.objects.create_user("scale-officer", password="pw")
    Membership.objects.create(user=officer, agency=agency, role="officer")
    letter = ReplyLetter.objects.filter(agency=agency).order_by("id").first()
    assert letter is not None
    objects = {
        "session": Session.objects.get().code,
        "proposal": letter.proposal_id,
        "letter": letter.pk,
    }
    clients = {"liaison": Client(), "officer": Client()}
    clients["liaison"].force_login(liaison)
    clients["officer"].force_login(officer)

    small = count_all(clients, objects)
    generate(990, append=True)
    assert Proposal.objects.count() == 1000
    large = count_all(clients, objects)
    assert large == small
