"""docker-compose.yml and the Dockerfile, checked as far as a machine without Docker allows.

The compose file parses and has the services a deployment needs, each with a restart policy
and a health check; every command it and the Dockerfile run exists in the project; the
image installs the system packages the set-up script installs; the variables compose
passes are known to the application.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_the_stack_has_every_service():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert {"pgdata", "media", "redisdata"} <= set(COMPOSE["volumes"])


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker", "beat"])
def test_long_running_services_restart_and_report_their_health(name):
    service = SERVICES[name]
    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"]


def test_data_lives_in_volumes():
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    for name in APP_SERVICES:
        assert "media:/app/media" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["MEDIA_ROOT"] == "/app/media"


def test_the_application_waits_for_its_services_and_the_migrations():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["restart"] == "no"


def test_the_application_uses_redis_for_tasks_and_the_shared_cache():
    env = SERVICES["web"]["environment"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert env["CACHE_URL"].startswith("redis://redis:6379/")
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]


def _commands() -> list[list[str]]:
    """Every command the compose file and the Dockerfile run in the application image."""
    found = []
    for name in APP_SERVICES:
        service = SERVICES[name]
        found.append(service["command"])
        test = service.get("healthcheck", {}).get("test")
        if test:
            found.append(shlex.split(test[1]) if test[0] == "CMD-SHELL" else test[1:])
    for match in re.finditer(r'^(?:CMD|HEALTHCHECK .*?CMD)\s+(\[.*\])\s*$', DOCKERFILE, re.M):
        found.append(yaml.safe_load(match[1]))
    for match in re.finditer(r"python manage\.py ([a-z_]+)", DOCKERFILE):
        found.append(["python", "manage.py", match[1]])
    return found


def test_every_command_exists_in_the_project():
    commands = _commands()
    programs = {command[0] for command in commands}
    assert programs == {"python", "gunicorn", "celery"}
    management = get_commands()
    for command in commands:
        if command[0] == "python":
            assert command[1] == "manage.py" and (ROOT / "manage.py").exists()
            assert command[2] in management, command
        elif command[0] == "gunicorn":
            module, _colon, attribute = command[1].partition(":")
            assert hasattr(importlib.import_module(module), attribute)
            config = command[command.index("--config") + 1]
            assert (ROOT / config).exists()
        else:
            assert command[1:3] == ["-A", "config"]
            assert importlib.import_module("config.celery").app.main == "proposal_replies"
            assert command[3] in {"worker", "beat", "inspect"}


def test_beat_sends_the_daily_reminders():
    from django.conf import settings

    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    app.loader.import_default_modules()
    assert schedule and all(entry["task"] in app.tasks for entry in schedule.values())


def test_the_image_installs_what_the_set_up_script_installs():
    script = (ROOT / "bin" / "_bootstrap.sh").read_text(encoding="utf-8")
    wanted = set(re.search(r"SYSTEM_PACKAGES=\(([^)]*)\)", script)[1].split())
    install = re.search(r"apt-get install -y --no-install-recommends\s*\\?\s*([^&]*)&&", DOCKERFILE)
    assert set(install[1].replace("\\", " ").split()) == wanted
    # The Fandol fonts come from the same Debian package in both.
    assert "texlive-lang-chinese" in script and "texlive-lang-chinese" in DOCKERFILE


def test_the_image_builds_static_files_with_hashed_names_and_runs_as_a_user():
    assert "DJANGO_STATIC_MANIFEST=true" in DOCKERFILE
    assert "collectstatic --no-input" in DOCKERFILE
    assert re.search(r"^USER app$", DOCKERFILE, re.M)
    assert "'.[s3]'" in DOCKERFILE


def test_nothing_private_goes_into_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "media", "db.sqlite3", ".git"} <= set(ignored)


def test_compose_variables_are_known_to_the_application():
    """What compose sets, the application reads (or compose itself uses for PostgreSQL)."""
    text = "\n".join(path.read_text("utf-8") for folder in ("config", "core")
                     for path in (ROOT / folder).rglob("*.py"))
    for name in SERVICES["web"]["environment"]:
        assert f'"{name}"' in text, name
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for variable in re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text("utf-8")):
        assert re.search(rf"^#? ?{variable}=", env_example, re.M), variable


def test_the_web_port_is_published_on_the_loopback_address_unless_told_otherwise():
    """Reached directly, the web port would let anyone claim any X-Forwarded-For; the host's
    reverse proxy reaches it on the loopback address."""
    (published,) = SERVICES["web"]["ports"]
    assert published == "${WEB_BIND_ADDRESS:-127.0.0.1}:${WEB_PORT:-8000}:8000"
    assert not any("ports" in SERVICES[name] for name in SERVICES if name != "web")


def test_gunicorn_trusts_forwarded_headers_only_from_the_named_proxy(monkeypatch):
    import config.gunicorn as gunicorn_settings

    monkeypatch.delenv("DJANGO_TRUSTED_PROXIES", raising=False)
    assert importlib.reload(gunicorn_settings).forwarded_allow_ips == ""
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", "172.30.0.1")
    assert importlib.reload(gunicorn_settings).forwarded_allow_ips == "172.30.0.1"
    # The gateway the host's proxy comes from lies in the compose network's subnet.
    (subnet,) = COMPOSE["networks"]["default"]["ipam"]["config"]
    assert subnet["subnet"] == "${COMPOSE_SUBNET:-172.30.0.0/24}"
