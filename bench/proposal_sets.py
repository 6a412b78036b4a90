"""The labelled proposal sets of bench/data, loaded into a throw-away database.

Used by ``similar_proposals.py`` and ``suggest_agencies.py``. Without DATABASE_URL a
throw-away SQLite database is made; with it (PostgreSQL), that database is used as it is
and must be empty: create one for the purpose and drop it afterwards.

Proposals are written through the services (logged, registered, and for the assignment
history assigned), so the search index is what the application itself would hold.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

SESSIONS = {"13-1": 2022, "13-2": 2023, "13-3": 2024, "13-4": 2025, "14-1": 2026}


def setup() -> str:
    """Django on a migrated database; returns the database's vendor."""
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="proposal-sets-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/sets.sqlite3"
        os.environ["MEDIA_ROOT"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("SEARCH_CACHE_SECONDS", "0")
    warnings.filterwarnings("ignore", message="No directory at")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    from proposals.models import Proposal

    if Proposal.objects.exists():
        raise SystemExit("the database already holds proposals: give an empty one")
    return connection.vendor


def read(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Loader:
    """Sessions, the demo's agencies, a liaison user; proposals from the sets' items."""

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from agencies.models import Agency
        from core.roles import LIAISON_GROUP
        from demo.words import AGENCIES, COMMITTEE, agency_row
        from proposals.models import Category, Session

        self.sessions = {}
        for code, year in SESSIONS.items():
            term, meeting = (int(part) for part in code.split("-"))
            self.sessions[code], _ = Session.objects.get_or_create(code=code, defaults={
                "committee": COMMITTEE, "term": term, "meeting": meeting, "year": year,
                "name": f"会议{code}"})
        self.agencies = {}
        for index, (code, *_rest) in enumerate(AGENCIES):
            self.agencies[code], _ = Agency.objects.get_or_create(code=code, defaults=agency_row(index))
        self.categories = {}
        for name in ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "其他"]:
            self.categories[name], _ = Category.objects.get_or_create(name=name)
        user, _ = get_user_model().objects.get_or_create(username="sets-liaison")
        user.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
        self.liaison = user

    def proposal(self, item: dict, *, session: str, assign: bool = False):
        from proposals import services

        session_obj = self.sessions[session]
        proposal = services.proposal_create(
            session=session_obj, title=item["title"], body=item.get("body", ""), actor=self.liaison,
            category=self.categories.get(item.get("category", "")),
            proposers=[{"name": "测评用提案者", "kind": "member"}],
            recommendations=[{"title": r["title"], "body": r.get("body", "")}
                             for r in item.get("recommendations", [])] or [{"title": item["title"]}],
        )
        services.proposal_register(proposal=proposal, actor=self.liaison)
        if assign:
            day = datetime.date(session_obj.year, 3, 1)
            rows = [{"agency": self.agencies[item["lead"]], "role": "lead", "assigned_on": day,
                     "due_on": day + datetime.timedelta(days=90)}]
            rows += [{"agency": self.agencies[code], "role": "co", "assigned_on": day,
                      "due_on": day + datetime.timedelta(days=60)} for code in item.get("co", [])]
            services.proposal_assign(proposal=proposal, assignments=rows, actor=self.liaison)
        proposal.refresh_from_db()
        return proposal


def rebuild_index() -> None:
    from search.services import rebuild_all

    rebuild_all()
