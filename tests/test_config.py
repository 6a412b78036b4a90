"""Settings come from the environment, with safe defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS, "media": str(settings.MEDIA_ROOT),
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "classes": settings.LETTER_CLASSES,
    "sessions": settings.SESSION_ENGINE, "servercursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
}))
"""

VARIABLES = [
    "DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT", "DJANGO_SECRET_KEY", "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS", "DJANGO_REQUIRE_SECRET_KEY", "LETTER_CLASSES", "CACHE_URL",
]


def settings_with(**variables):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return done


def read(**variables):
    done = settings_with(**variables)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_are_safe_for_a_developer_machine():
    values = read()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "db.sqlite3")
    assert values["eager"] is True and values["broker"] == "memory://localhost/"
    assert values["debug"] is False
    assert values["language"] == "zh-hans" and values["tz"] == "Asia/Shanghai"
    assert values["classes"] == ["A", "B", "C"]


def test_production_values_come_from_variables(tmp_path):
    values = read(
        DATABASE_URL="postgres://app:secret@db.internal:5432/proposals",
        CELERY_BROKER_URL="redis://broker:6379/0",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="a.example, b.example",
        MEDIA_ROOT=str(tmp_path),
        LETTER_CLASSES="A,B,C,D",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "proposals" and values["host"] == "db.internal"
    assert values["eager"] is False and values["broker"] == "redis://broker:6379/0"
    assert values["hosts"] == ["a.example", "b.example"]
    assert values["media"] == str(tmp_path)
    assert values["classes"] == ["A", "B", "C", "D"]
    # short page queries: no JIT compiling, no parallel workers taking the other requests' cores
    assert values["options"] == {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}


def test_database_options_in_the_url_are_kept():
    values = read(DATABASE_URL="postgres://app@db/proposals?options=-c%20jit%3Don")
    assert values["options"] == {"options": "-c jit=on"}


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"DJANGO_REQUIRE_SECRET_KEY": "true"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be one of"),
    ],
)
def test_bad_settings_stop_the_start_with_a_clear_message(variables, message):
    done = settings_with(**variables)
    assert done.returncode != 0
    assert message in done.stderr


def test_sessions_are_read_from_the_cache_only_when_the_cache_is_shared():
    def engine(**variables):
        done = settings_with(**variables)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["sessions"].rsplit(".", 1)[-1]

    assert engine() == "db"  # each process's own memory: a signed-out session would live on elsewhere
    assert engine(CACHE_URL="redis://127.0.0.1:6379/2") == "cached_db"


def test_postgresql_rows_are_fetched_without_server_side_cursors():
    done = settings_with(DATABASE_URL="postgres://app@db.example:5432/proposals")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["servercursors"] is True
