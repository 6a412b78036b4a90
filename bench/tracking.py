"""Benchmark: how fast the tracking pages answer on a large data set.

    DATABASE_URL=postgres://… .venv/bin/python bench/tracking.py --proposals 100000 [--runs 7]

When the database has no proposals yet, first generates ``--proposals`` of them with
``manage.py generate_data`` (and says how long that took); when it has some, measures
those as they are. Then, warm (each measured once before timing), it times several
runs of each and prints the median, the 95th percentile and the number of database
queries of one run:

- the statistics dashboard, GET /proposals/dashboard/ as liaison staff, and
  ``session_statistics()`` called directly, for the latest session;
- ``manage.py stats --session CODE``;
- the proposal list, unfiltered and with filters (session, state, overdue, sorted by
  due date; and session, agency, search words);
- the inbox of the agency with the most assignments, GET /inbox/ as its officer;
- the search page (URL name ``search:results``) for 养老, 协会 and 中小企业融资,
  skipped when the project has no such page.

Pages are fetched through ``django.test.Client`` in this process, so the times cover
the view, the queries and the template, not a web server. Without DATABASE_URL a
throw-away SQLite database is used.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import tempfile
import time
import unicodedata
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="tracking-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ["MEDIA_ROOT"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # Static files are not collected for a benchmark; the pages do not need them.
    warnings.filterwarnings("ignore", message="No directory at")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def ensure_data(proposals: int, seed: int) -> None:
    from django.core.management import call_command

    from proposals.models import Proposal

    present = Proposal.objects.count()
    if present:
        print(f"database has {present} proposals; measuring them as they are")
        return
    print(f"generating {proposals} proposals …", flush=True)
    started = time.perf_counter()
    call_command("generate_data", proposals=proposals, seed=seed, stdout=io.StringIO())
    print(f"generated {proposals} proposals in {time.perf_counter() - started:.1f} s")


def cell(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns, counting a Chinese character as two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Bench:
    def __init__(self, runs: int):
        self.runs = runs
        self.rows: list[tuple] = []

    def measure(self, name: str, call) -> None:
        """Time ``call`` (warm), count its queries once; ``call`` returns an HTTP status or None.

        A call that fails is reported in its row, and the other measurements go on.
        """
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        print(f"measuring {name.strip()} …", flush=True)
        try:
            status = call()  # warm: caches, templates, the database's buffers
            times = []
            for _ in range(self.runs):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as queries:
                call()
        except Exception as error:  # reported in its row, not hidden
            self.skip(name, f"failed: {type(error).__name__}: {error}")
            return
        self.rows.append((name, statistics.median(times), percentile(times, 0.95), len(queries), status))

    def skip(self, name: str, why: str) -> None:
        self.rows.append((name, None, None, None, why))

    def print(self) -> None:
        print(f"\n{cell('what', 46)}{'median ms':>11}{'p95 ms':>10}{'queries':>9}  status")
        for name, median, p95, queries, status in self.rows:
            if median is None:
                print(f"{cell(name, 46)}{'-':>11}{'-':>10}{'-':>9}  {status}")
                continue
            print(f"{cell(name, 46)}{median * 1000:>11.1f}{p95 * 1000:>10.1f}{queries:>9}  {status or ''}")


def page(client, url: str):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.status_code

    return get


def people():
    """A liaison user, and the officer of the agency with the most assignments."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from agencies.models import Agency, Membership
    from core.roles import LIAISON_GROUP

    User = get_user_model()
    liaison = User.objects.filter(groups__name=LIAISON_GROUP).order_by("pk").first()
    if liaison is None:
        liaison = User.objects.create(username="bench-liaison")
        liaison.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
    busiest = Agency.objects.annotate(n=Count("assignments")).order_by("-n", "code").first()
    membership = Membership.objects.filter(agency=busiest, role="officer").select_related("user").first()
    if membership is None:
        officer = User.objects.create(username=f"bench-{busiest.code}-officer")
        Membership.objects.create(user=officer, agency=busiest, role="officer")
    else:
        officer = membership.user
    return liaison, officer, busiest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100000,
                        help="proposals to generate when the database has none (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    args = parser.parse_args()
    setup()
    ensure_data(args.proposals, args.seed)

    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from proposals.models import Proposal, Session
    from proposals.stats import session_statistics

    liaison, officer, busiest = people()
    session = Session.objects.order_by("-year", "-term", "-meeting").first()
    counts = dict(Proposal.objects.values_list("session__code").annotate(n=Count("pk")).order_by())
    print(f"latest session {session.code}: {counts.get(session.code, 0)} proposals; "
          f"all sessions: {sum(counts.values())}")
    print(f"inbox of {busiest.short_name} ({busiest.code}) as {officer.username}")

    as_liaison = Client(HTTP_HOST="localhost")
    as_liaison.force_login(liaison)
    as_officer = Client(HTTP_HOST="localhost")
    as_officer.force_login(officer)

    bench = Bench(args.runs)
    bench.measure("dashboard  GET /proposals/dashboard/", page(as_liaison, reverse("proposals:dashboard")))
    bench.measure("session_statistics(latest session)", lambda: session_statistics(session) and None)
    bench.measure(f"stats command  --session {session.code}",
                  lambda: call_command("stats", "--session", session.code, stdout=io.StringIO()))
    listing = reverse("proposals:list")
    bench.measure("proposal list  GET /proposals/", page(as_liaison, listing))
    bench.measure("  ?session&state=assigned&overdue=1&sort=due", page(
        as_liaison, f"{listing}?session={session.pk}&state=assigned&overdue=1&sort=due"))
    bench.measure("  ?session&agency&q=服务", page(
        as_liaison, f"{listing}?session={session.pk}&agency={busiest.pk}&q=服务"))
    bench.measure(f"inbox  GET /inbox/ ({busiest.code})", page(as_officer, reverse("replies:inbox")))
    try:
        search = reverse("search:results")
    except NoReverseMatch:
        search = None
    for words in ("养老", "协会", "中小企业融资"):
        name = f"search  GET /search/?q={words}"
        if search is None:
            bench.skip(name, "skipped: no page named search:results")
        else:
            bench.measure(name, page(as_liaison, f"{search}?q={words}"))
    bench.print()


if __name__ == "__main__":
    main()
