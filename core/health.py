"""Health checks for load balancers, container health checks and the operations staff.

``/health/`` reports the database, the Celery broker and a live worker as JSON and answers
503 when one of them is failing. ``/health/live/`` only says the web process answers,
for a container's own health check (a database outage should not restart every web
container). Neither needs a login, and neither shows anything but up or down and timings.

With no broker configured (tasks run inline, as in development) the broker and the worker
are reported as inline, which is healthy.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a health check reports every failure, it never raises
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _inline() -> bool:
    from celery import current_app as app

    return bool(app.conf.task_always_eager)


def check_broker() -> dict:
    from celery import current_app as app

    if _inline():
        return {"ok": True, "mode": "inline"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_BROKER_TIMEOUT)
    return {"ok": True, "mode": "broker"}


def check_worker() -> dict:
    from celery import current_app as app

    if _inline():
        return {"ok": True, "mode": "inline"}
    replies = app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT)
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return {"ok": False, "error": "no worker answered", "workers": []}
    return {"ok": True, "workers": workers}


CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


def run_checks(names: list[str]) -> dict:
    """The named checks' results; the worker is not asked when the broker is down."""
    results = {}
    for name in names:
        if name == "worker" and not results.get("broker", {"ok": True})["ok"]:
            results[name] = {"ok": False, "error": "broker unavailable", "ms": 0.0}
            continue
        results[name] = _timed(CHECKS[name])
    return results


@never_cache
@require_GET
def health(request):
    """Every check, or only those named in ``?check=database,broker``."""
    wanted = [name for name in request.GET.get("check", "").split(",") if name]
    unknown = [name for name in wanted if name not in CHECKS]
    if unknown:
        return JsonResponse({"status": "error", "error": f"unknown check: {', '.join(unknown)}",
                             "checks": sorted(CHECKS)}, status=400)
    results = run_checks(wanted or list(CHECKS))
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results},
                        status=200 if healthy else 503)


@never_cache
@require_GET
def live(request):
    return HttpResponse("ok", content_type="text/plain")
