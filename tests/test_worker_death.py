"""A worker killed in the middle of a batch: the job finishes once a worker is back.

A real Celery worker *process* builds a print job of 24 letters in parts, against Redis and
the test's PostgreSQL database. When it has printed a few letters it is killed (SIGKILL:
no chance to clean up, as when the machine loses power or the kernel kills it for memory).
A new worker is started; the job's unfinished work reaches it — its task, acknowledged
late, comes back from Redis, and the watch that Celery beat runs every minute queues
the missing parts again — and the job ends done with every letter in its file, within a
bounded wait. It never stays running.
"""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from pypdf import PdfReader

from config.celery import app
from replies import printing
from replies.models import PrintJob, ReplyLetter
from replies.pdf import render_letter_pdf
from tests.factories import World
from tests.test_celery_worker import _reset_app_connections

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

ROOT = Path(__file__).resolve().parent.parent
LETTERS = 24
PART_SIZE = 4
WAIT = 180  # seconds: a generous bound for starting two workers and printing 24 letters


class Worker:
    """``celery -A config worker`` in a process of its own, with the test's database and Redis."""

    def __init__(self, environment: dict, log: Path):
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             f"--hostname=death-test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def broker(redis_url, settings):
    """The application pointed at Redis (under a key prefix of this test's own)."""
    prefix = f"death-{uuid.uuid4().hex}:"
    options = {"global_keyprefix": prefix, "visibility_timeout": 5}
    changed = {"broker_url": redis_url, "task_always_eager": False,
               "broker_transport_options": options, "result_backend": None}
    saved = {key: app.conf.get(key) for key in changed}
    app.conf.update(changed)
    _reset_app_connections()
    settings.PRINT_JOB_PART_SIZE = PART_SIZE
    settings.PRINT_JOB_STALL_SECONDS = 3
    settings.PRINT_JOB_RESUMES = 10
    saved_max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        yield prefix
    finally:
        app.conf.update(saved)
        _reset_app_connections()
        connection.settings_dict["CONN_MAX_AGE"] = saved_max_age
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def worker_environment(redis_url: str, prefix: str) -> dict:
    db = connection.settings_dict
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8", "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_url, "CELERY_KEY_PREFIX": prefix, "CELERY_VISIBILITY_TIMEOUT": "5",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT), "PRINT_JOB_PART_SIZE": str(PART_SIZE),
    }


def test_a_job_finishes_after_its_worker_is_killed_in_the_middle(broker, redis_url, tmp_path):
    world = World.build()
    letters = [world.signed_letter(signed_on=datetime.date(2023, 7, 1 + day % 28))[1]
               for day in range(LETTERS)]
    environment = worker_environment(redis_url, broker)
    log = tmp_path / "workers.log"
    first = Worker(environment, log)
    workers = [first]
    try:
        # Without the seal every letter is rendered afresh: the batch takes a while.
        job = printing.print_job_create(session=world.session, format="pdf", seal=False,
                                        actor=world.office)
        deadline = time.monotonic() + WAIT
        while PrintJob.objects.get(pk=job.pk).done < 5:
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            assert first.process.poll() is None, log.read_text(errors="replace")[-3000:]
            time.sleep(0.05)
        first.kill()
        killed_at = PrintJob.objects.get(pk=job.pk)
        assert killed_at.state == "running" and killed_at.done < LETTERS

        workers.append(Worker(environment, log))
        states = []
        while True:
            current = PrintJob.objects.get(pk=job.pk)
            states.append(current.state)
            if current.state in ("done", "failed"):
                break
            assert time.monotonic() < deadline, (states[-5:], log.read_text(errors="replace")[-3000:])
            printing.watch()  # what Celery beat runs every minute
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.kill()

    assert (current.state, current.error) == ("done", "")
    assert current.done == current.total == LETTERS
    with current.file.open("rb") as stored:
        merged = PdfReader(io.BytesIO(stored.read()))
    expected = sum(len(PdfReader(io.BytesIO(render_letter_pdf(letter, seal=False))).pages)
                   for letter in ReplyLetter.objects.filter(pk__in=[x.pk for x in letters]))
    assert len(merged.pages) == expected
    try:
        assert current.file.storage.listdir(printing.PARTS_DIR)[1] == []
    except FileNotFoundError:
        pass
