"""Production settings, switched on by the variables documented in .env.example.

Each check runs Django in a fresh process with exactly those variables, the way a
container starts: `check --deploy` is clean, static files are served by WhiteNoise with
hashed names, HTTPS is enforced, logs are JSON lines, and media can live in an
S3-compatible store.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
SOURCES = ["config", "core", "agencies", "proposals", "replies", "notifications", "search"]


def documented() -> dict[str, str]:
    """The variables .env.example sets, with the blanks a deployment must fill filled in."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match[1]] = match[2]
    values["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    values["POSTGRES_PASSWORD"] = secrets.token_urlsafe(16)
    return values


def run(args: list[str], variables: dict[str, str], tmp_path: Path, stdin: str | None = None):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media"),
           **variables}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, input=stdin)


def test_every_variable_the_application_reads_is_documented():
    read = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z][A-Z0-9_]*)"', path.read_text("utf-8")))
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = sorted(name for name in read if not re.search(rf"^#? ?{name}=", text, re.M))
    assert read and missing == []


def test_check_deploy_reports_nothing_with_the_documented_variables(tmp_path):
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], documented(), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_the_documented_variables_check_deploy_complains(tmp_path):
    """The check above can fail: development defaults are not production settings."""
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
               {"DJANGO_DEBUG": "true"}, tmp_path)
    assert done.returncode != 0
    assert "security.W004" in done.stderr + done.stdout  # no HSTS


def test_a_production_process_refuses_to_start_without_a_secret_key(tmp_path):
    variables = documented()
    variables["DJANGO_SECRET_KEY"] = ""
    done = run(["manage.py", "check"], variables, tmp_path)
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production." in done.stderr


PAGES_PROBE = """
import json, django
django.setup()
from django.test import Client
from django.templatetags.static import static
client = Client()
css = static("css/app.css")
asset = client.get(css, secure=True)
plain = client.get("/", secure=False)
secure_login = client.get("/accounts/login/", secure=True)
health = client.get("/health/live/", secure=False)
print(json.dumps({
    "css_url": css, "css_status": asset.status_code,
    "css_cache": asset.headers.get("Cache-Control", ""),
    "css_body": b"".join(asset.streaming_content).decode()[:40] if asset.status_code == 200 else "",
    "plain_status": plain.status_code, "plain_location": plain.headers.get("Location", ""),
    "hsts": secure_login.headers.get("Strict-Transport-Security", ""),
    "login_status": secure_login.status_code,
    "cookie_secure": bool(secure_login.cookies["csrftoken"]["secure"]),
    "frame": secure_login.headers.get("X-Frame-Options", ""),
    "health_status": health.status_code,
}))
"""


def test_static_files_https_and_headers_in_production(tmp_path):
    variables = documented()
    collected = run(["manage.py", "collectstatic", "--no-input"], variables, tmp_path)
    assert collected.returncode == 0, collected.stderr
    variables["DJANGO_ALLOWED_HOSTS"] = "testserver"
    done = run(["-c", PAGES_PROBE], variables, tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # WhiteNoise serves the hashed file from the web process, cached for a long time.
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", seen["css_url"]), seen["css_url"]
    assert seen["css_status"] == 200
    assert "max-age=315360000" in seen["css_cache"] and "immutable" in seen["css_cache"]
    assert seen["css_body"].strip()
    # Plain http goes to https; the health check stays reachable over http from inside.
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert seen["health_status"] == 200
    assert seen["login_status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookie_secure"] is True
    assert seen["frame"] == "DENY"


LOG_PROBE = """
import logging, django
django.setup()
logging.getLogger("security.login").warning("login locked", extra={"username": "张三", "client": "10.0.0.1"})
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("proposals").exception("failed")
"""


def test_logs_are_json_lines_on_stdout(tmp_path):
    done = run(["-c", LOG_PROBE], {"DJANGO_LOG_FORMAT": "json"}, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    locked = next(line for line in lines if line["message"] == "login locked")
    assert (locked["level"], locked["logger"], locked["username"], locked["client"]) == (
        "WARNING", "security.login", "张三", "10.0.0.1")
    assert locked["time"].endswith("+00:00")
    failed = next(line for line in lines if line["message"] == "failed")
    assert "ZeroDivisionError" in failed["exc_info"]


S3_PROBE = """
import json, django
django.setup()
from django.core.files.storage import default_storage, storages
backend = storages["default"]
print(json.dumps({
    "class": type(backend).__module__ + "." + type(backend).__name__,
    "bucket": default_storage.bucket_name,
    "url": default_storage.url("letters/2023/a.pdf"),
}))
"""


def test_media_can_live_in_an_s3_compatible_store(tmp_path):
    variables = {
        "S3_BUCKET": "proposal-letters", "S3_ENDPOINT_URL": "https://s3.example.gov.cn",
        "S3_REGION": "cn-north-1", "S3_ACCESS_KEY_ID": "key", "S3_SECRET_ACCESS_KEY": "secret",
        "S3_PREFIX": "media",
    }
    done = run(["-c", S3_PROBE], variables, tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["class"] == "storages.backends.s3.S3Storage"
    assert seen["bucket"] == "proposal-letters"
    # A private bucket: links are signed and expire.
    assert seen["url"].startswith("https://s3.example.gov.cn/proposal-letters/media/letters/2023/a.pdf?")
    assert "Signature=" in seen["url"] or "X-Amz-Signature=" in seen["url"]
