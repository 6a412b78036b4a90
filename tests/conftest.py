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


@pytest.fixture(autouse=True)
def _services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(db):
    """A session, a lead and a co-handling agency with their staff, and liaison staff."""
    return factories.World.build()
