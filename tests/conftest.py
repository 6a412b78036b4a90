"""Shared fixtures. Services the suite needs are required, never silently skipped, in CI."""

from __future__ import annotations

import os

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
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(db):
    """A session, a lead and a co-handling agency with their staff, and liaison staff."""
    return factories.World.build()
