"""Load benchmark: the application under gunicorn on loopback, driven by concurrent users.

    .venv/bin/python bench/load.py --users 10 --duration 30

needs DATABASE_URL (PostgreSQL with data from `manage.py generate_data`). It prepares two
benchmark accounts (liaison staff, and an officer of the agency with the most
assignments), starts gunicorn on 127.0.0.1, and runs ``--users`` simulated people at once
for ``--duration`` seconds each scenario, every one signed in and keeping its
connection open as a browser does. For each page it prints the number of requests,
p50, p95 and the requests per second, and whether the target is met (pages p95 < 150 ms;
search and the dashboard p95 < 250 ms). ``--url`` drives a server already running
instead (then gunicorn is not started).

The driver is a small thread-per-user loop on http.client: the measured time is from
sending the request to having read the whole response. By default each person sends
the next request as soon as the last one is answered, which keeps the server saturated;
``--think S`` makes each one pause a random 0–2·S seconds first, as people reading a page
do (the way load tools model users).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "bench-" + secrets.token_hex(8)
PAGE_TARGET_MS, HEAVY_TARGET_MS = 150, 250


@dataclass
class Scenario:
    name: str
    user: str  # "liaison" or "officer"
    paths: list[str]  # requests cycle through these
    target_ms: int = PAGE_TARGET_MS
    timings: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0


def prepare() -> dict:
    """Benchmark accounts and the objects the scenarios open."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db.models import Count

    from agencies.models import Agency, Membership
    from core.roles import LIAISON_GROUP
    from proposals.models import Proposal, Session
    from replies.models import ReplyLetter

    session = Session.objects.order_by("-year", "-code").first()
    if session is None or not Proposal.objects.exists():
        sys.exit("No data: run `manage.py generate_data --proposals 100000` first.")
    agency = Agency.objects.annotate(n=Count("assignments")).order_by("-n").first()
    liaison, _ = User.objects.get_or_create(username="bench-liaison")
    liaison.set_password(PASSWORD)
    liaison.save()
    liaison.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
    officer, _ = User.objects.get_or_create(username="bench-officer")
    officer.set_password(PASSWORD)
    officer.save()
    Membership.objects.get_or_create(user=officer, agency=agency, defaults={"role": "officer"})
    proposals = list(
        Proposal.objects.filter(session=session, assignments__agency=agency)
        .order_by("id").values_list("pk", flat=True)[:50]
    )
    draft = (ReplyLetter.objects.filter(agency=agency, state=ReplyLetter.State.DRAFT)
             .order_by("id").values_list("pk", flat=True).first())
    categories = list(session.proposals.exclude(category=None)
                      .values_list("category_id", flat=True).distinct()[:3])
    return {"session": session.code, "session_pk": session.pk, "agency": agency.pk, "proposals": proposals,
            "draft": draft, "categories": categories}


def scenarios(objects: dict, searches: list[str]) -> list[Scenario]:
    session, in_session = objects["session"], f"/proposals/?session={objects['session_pk']}"
    lists = [in_session, f"{in_session}&state=assigned&sort=-due", f"{in_session}&overdue=1",
             f"{in_session}&q=%E5%85%BB%E8%80%81&page=2"]
    lists += [f"{in_session}&category={c}" for c in objects["categories"]]
    lists += ["/proposals/", "/proposals/?sort=-due", f"{in_session}&sort=state"]  # every session; sorts
    found = [
        Scenario("proposal list with filters", "liaison", lists),
        Scenario("proposal page", "liaison", [f"/proposals/{pk}/" for pk in objects["proposals"]]),
        Scenario("agency inbox", "officer", ["/inbox/", "/inbox/?urgency=overdue", "/inbox/?page=2"]),
        Scenario("dashboard", "liaison", [f"/proposals/dashboard/?session={session}"],
                 target_ms=HEAVY_TARGET_MS),
        Scenario("search (two characters)", "liaison",
                 ["/search/?q=" + urllib.parse.quote(word) for word in searches],
                 target_ms=HEAVY_TARGET_MS),
    ]
    if objects["draft"]:
        found.append(Scenario("draft PDF preview", "officer", [f"/letters/{objects['draft']}/draft/"],
                              target_ms=1000))
    return found


class Browser:
    """One person: a kept-alive connection and the session cookie."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"login page answered {status}")
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token[1].decode()})
        status, _ = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.host}:{self.port}/accounts/login/"})
        if status != 302:
            raise SystemExit(f"{username} could not sign in ({status})")


def drive(scenario: Scenario, host: str, port: int, users: int, duration: float,
          think: float = 0.0) -> None:
    username = {"liaison": "bench-liaison", "officer": "bench-officer"}[scenario.user]
    browsers = []
    for _ in range(users):
        browser = Browser(host, port)
        browser.login(username)
        browsers.append(browser)
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def person(index: int, browser: Browser) -> None:
        step = index
        pause = random.Random(index)
        while time.monotonic() < stop:
            if think:  # reading the page before the next click: uniform, ``think`` on average
                time.sleep(pause.uniform(0, 2 * think))
            path = scenario.paths[step % len(scenario.paths)]
            step += 1
            started = time.perf_counter()
            status, _ = browser.request("GET", path)
            took = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    scenario.timings.append(took)
                else:
                    scenario.errors += 1

    threads = [threading.Thread(target=person, args=(i, b)) for i, b in enumerate(browsers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scenario.elapsed = time.monotonic() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "WEB_CONCURRENCY": str(workers), "DJANGO_DEBUG": "false",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health/live/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--duration", type=float, default=30, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="gunicorn processes (default: one per core, as config/gunicorn.py)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", default="", help="drive this running server instead")
    parser.add_argument("--search", default="养老,协会,融资", help="two-character words, comma-separated")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds each person pauses before a request (0: none)")
    args = parser.parse_args()

    objects = prepare()
    from django.db import connection

    db = connection.settings_dict
    print(f"data: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}, session {objects['session']}; "
          f"{args.users} users, {args.duration:g} s per scenario, gunicorn workers {args.workers}, "
          f"think time {args.think:g} s")
    connection.close()
    server = None
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        host, port = parsed.hostname, parsed.port or 80
    else:
        host, port = "127.0.0.1", args.port
        server = start_gunicorn(port, args.workers)
    try:
        rows = []
        for scenario in scenarios(objects, [w for w in args.search.split(",") if w]):
            if args.only and args.only not in scenario.name:
                continue
            drive(scenario, host, port, args.users, args.duration, args.think)
            rows.append(scenario)
            report(scenario)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    missed = [s.name for s in rows if not s.timings or percentile(s.timings, 0.95) >= s.target_ms]
    print("all targets met" if not missed else "targets missed: " + ", ".join(missed))


def report(s: Scenario) -> None:
    if not s.timings:
        print(f"{s.name:32} no successful request ({s.errors} errors)")
        return
    p50, p95 = statistics.median(s.timings), percentile(s.timings, 0.95)
    verdict = "ok" if p95 < s.target_ms else "MISSED"
    print(f"{s.name:32} n={len(s.timings):6d}  p50={p50:7.1f} ms  p95={p95:7.1f} ms  "
          f"{len(s.timings) / s.elapsed:7.1f} req/s  errors={s.errors}  "
          f"target p95<{s.target_ms} ms: {verdict}", flush=True)


if __name__ == "__main__":
    main()
