"""The health endpoint: the database, the broker and a live worker, as JSON.

Inline (no broker, as in development) the broker and worker are reported as inline. With
Redis as broker a real worker answers the ping; with no worker, or a broker that cannot be
reached, the endpoint answers 503 and says which part is failing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.celery import app
from tests.test_celery_worker import _reset_app_connections, worker  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_inline_every_check_passes(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "mode": "inline", "ms": body["checks"]["broker"]["ms"]}
    assert body["checks"]["worker"]["mode"] == "inline"
    assert response["Cache-Control"].startswith("max-age=0")


def test_one_check_can_be_asked_for(client):
    body = client.get(reverse("health"), {"check": "database"}).json()
    assert list(body["checks"]) == ["database"]


def test_an_unknown_check_is_a_clear_error(client):
    response = client.get(reverse("health"), {"check": "database,disk"})
    assert response.status_code == 400
    assert response.json()["error"] == "unknown check: disk"


def test_liveness_needs_nothing_but_the_process(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health_live"))
    assert (response.status_code, response.content) == (200, b"ok")


def test_a_failing_database_answers_503(client, monkeypatch):
    from core import health

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is False
    assert "connection refused" in body["checks"]["database"]["error"]


@pytest.fixture
def broker_only(redis_url):
    """Redis as broker, and no worker listening."""
    saved = {key: app.conf.get(key) for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url, task_always_eager=False)
    _reset_app_connections()
    yield
    app.conf.update(saved)
    _reset_app_connections()


@pytest.mark.redis
def test_with_no_worker_the_worker_check_fails(client, broker_only):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is True
    assert checks["worker"] == {**checks["worker"], "ok": False, "error": "no worker answered"}


@pytest.mark.redis
def test_an_unreachable_broker_fails_and_the_worker_is_not_asked(client, settings):
    saved = {key: app.conf.get(key) for key in ("broker_url", "task_always_eager")}
    # Nothing listens on port 1.
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    _reset_app_connections()
    settings.HEALTH_BROKER_TIMEOUT = 0.5
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.update(saved)
        _reset_app_connections()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["worker"]["error"] == "broker unavailable"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_live_worker_answers(client, worker):  # noqa: F811
    response = client.get(reverse("health"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["broker"]["mode"] == "broker"
    assert body["checks"]["worker"]["ok"] is True
    assert len(body["checks"]["worker"]["workers"]) == 1
