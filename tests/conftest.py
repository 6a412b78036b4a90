"""Shared fixtures. Services the suite needs are required, never silently skipped, in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from tests import factories

# In CI (CI=true) or with REQUIRE_SERVICES=1, a test marked ``postgres`` or ``redis``
# fails when its service is missing; elsewhere it is skipped with the reason.
REQUIRE_SERVICES = os.environ.get("CI", "").lower() in {"1", "true", "yes"} or \
    os.environ.get("REQUIRE_SERVICES", "") == "1"


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not _redis_answers(REDIS_URL):
        _missing(f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL)")


@pytest.fixture
def redis_url():
    """The Redis database the Celery tests use as broker and result store."""
    return REDIS_URL


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test computes the statistics of its own data (tests/test_dashboard.py tests the cache).
    settings.STATS_CACHE_SECONDS = 0
    settings.SEARCH_CACHE_SECONDS = 0  # tests/test_search.py tests the cache
    settings.LETTER_PREVIEW_CACHE_SECONDS = 0  # tests/test_letter_pdf.py tests the cache
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The portal's cache and rate limits outlive a test's rolled-back data (tests/test_public.py
    # tests both).
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_PAGES_PER_MINUTE = settings.PUBLIC_PDFS_PER_MINUTE = 100_000
    settings.VERIFY_PER_MINUTE = 100_000


@pytest.fixture
def world(db):
    """A session, a lead and a co-handling agency with their staff, and liaison staff."""
    return factories.World.build()


# ---------------------------------------------------------------- browser tests

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


class Journey:
    """A person at a browser: logs in, moves around, and keeps a screenshot of each step."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base_url = base_url
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def log_in(self, username: str, password: str = "pw"):
        self.context.clear_cookies()
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        return self.page

    def shot(self, label: str) -> Path:
        """Keep a screenshot of the page. A screenshot is a record of the step, not a check:
        when Chromium cannot capture one (it sometimes says so on a loaded machine), it is
        tried again after a moment and then of the window alone, and the journey goes on."""
        from playwright.sync_api import Error

        self.step += 1
        path = self.folder / f"{self.step:02d}-{label}.png"
        for full_page in (True, True, False):
            try:
                self.page.screenshot(path=str(path), full_page=full_page)
                break
            except Error as error:
                if "Unable to capture screenshot" not in str(error):
                    raise
                self.page.wait_for_timeout(500)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        _missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's synchronous API runs an event loop in this thread; the test's own
    # database calls are synchronous all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture
def journey(browser, live_server, request):
    """Open a browser session against the live server; ``journey(name)`` for more people."""
    opened = []

    def open_journey(name: str | None = None) -> Journey:
        j = Journey(browser, live_server.url, f"{request.node.name}/{name or len(opened) + 1}")
        opened.append(j)
        return j

    yield open_journey
    for j in opened:
        j.close()


# ---------------------------------------------------------------- the permission walk's world


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world of the permission walks (tests/test_permissions.py), built once per module
    that walks it and rolled back at the end."""
    import tempfile

    from django.db import transaction
    from django.test import override_settings

    from tests.test_permissions import build_walk, snapshot

    with tempfile.TemporaryDirectory() as media, django_db_blocker.unblock():
        with override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ), transaction.atomic():
            built = build_walk(media)
            built.baseline = snapshot()
            yield built
            transaction.set_rollback(True)


@pytest.fixture
def walked(walk, db, settings):
    """The walk's world, checked unchanged by the tests before."""
    from tests.test_permissions import snapshot

    settings.MEDIA_ROOT = walk.media
    assert snapshot() == walk.baseline, "an earlier test left changes behind"
    return walk


# ---------------------------------------------------------------- the stored facts stay true

DB_FIXTURES = {"db", "transactional_db", "live_server", "walk", "world"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After every test that used the database and passed, the answer facts stored on the
    assignments agree with their definitions (proposals.answers.stale is empty): whatever
    path a test wrote through, its action kept them. A test that writes stale facts on
    purpose says so with ``@pytest.mark.stale_facts``."""
    result = yield
    uses_db = bool(DB_FIXTURES & set(item.fixturenames)) or item.get_closest_marker("django_db")
    if uses_db and not item.get_closest_marker("stale_facts"):
        from proposals import answers

        try:
            stale = list(answers.stale().values_list("proposal__number", "agency__code")[:5])
        except RuntimeError as error:  # the test had no database access after all
            if "Database access not allowed" not in str(error):
                raise
            stale = []
        assert not stale, f"stored answer facts disagree with their definitions: {stale}"
    return result
