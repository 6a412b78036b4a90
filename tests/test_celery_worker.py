"""The tasks through a real Celery worker with Redis as broker and result store.

Everywhere else the tasks run inline (no broker configured). Here the application is
pointed at Redis for the test, a worker runs in a thread of this process, and the
services enqueue as they do in production: after the commit. The worker has its own
database connection, so the tests need committed data (``transaction=True``) on
PostgreSQL.
"""

from __future__ import annotations

import datetime
import io
import threading
import time
import uuid
import zipfile

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage
from django.db import connection
from kombu import pools as kombu_pools
from pypdf import PdfReader

from config.celery import app
from replies import printing
from replies import services as rs
from replies.models import PrintJob, ReplyLetter
from replies.pdf import render_letter_pdf
from tests.factories import World

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # Celery's Redis result store still calls a method redis-py has deprecated.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

WAIT = 60  # seconds: a generous bound; a PDF takes well under a second


def _reset_app_connections() -> None:
    """Forget broker connections and result stores made with the previous configuration.

    Kombu also keeps producer pools in a registry of its own, keyed by connection; one
    left there would hand later tasks (inline ones too) a producer from the closed pool.
    """
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def worker(redis_url):
    prefix = f"test-{uuid.uuid4().hex}:"  # keys of this test only, whoever else uses the database
    options = {"global_keyprefix": prefix}
    changed = {
        "broker_url": redis_url,
        "result_backend": redis_url,
        "task_always_eager": False,
        "broker_transport_options": options,
        "result_backend_transport_options": options,
    }
    saved = {key: app.conf.get(key) for key in changed}
    # The worker's database connection is closed after each task, so none is left open.
    saved_max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    app.conf.update(changed)
    _reset_app_connections()
    runs = []

    def record(sender=None, task_id=None, **kwargs):
        runs.append({
            "task": sender.name, "eager": bool(sender.request.is_eager),
            "thread": threading.current_thread().name, "state": kwargs.get("state"),
        })

    signals.task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30) as embedded:
            embedded.runs = runs
            yield embedded
    finally:
        signals.task_postrun.disconnect(record)
        app.conf.update(saved)
        _reset_app_connections()
        connection.settings_dict["CONN_MAX_AGE"] = saved_max_age
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def wait_until(check, *, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"waited {WAIT} s for {what}")


def stored_bytes(letter: ReplyLetter) -> bytes:
    with default_storage.open(letter.pdf.name, "rb") as stored:
        return stored.read()


def test_the_worker_stores_the_pdf_of_a_signed_letter(worker):
    import hashlib

    assert app.conf.task_always_eager is False
    world = World.build()
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))

    stored = wait_until(
        lambda: ReplyLetter.objects.filter(pk=letter.pk).exclude(pdf_sha256="").first(),
        what="the worker to store the signed letter's PDF",
    )
    data = stored_bytes(stored)
    assert data.startswith(b"%PDF")
    assert stored.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert rs.letter_pdf_bytes(letter=stored) == data
    wait_until(lambda: worker.runs, what="the worker to report the task")
    assert worker.runs[0]["task"] == "replies.render_signed_letter"
    assert worker.runs[0]["eager"] is False
    assert worker.runs[0]["thread"] != threading.main_thread().name
    assert worker.runs[0]["state"] == "SUCCESS"


def test_a_batch_runs_in_the_worker_and_its_progress_reaches_the_total(worker):
    world = World.build()
    letters = [
        world.signed_letter(signed_on=datetime.date(2023, 7, day))[1] for day in range(1, 6)
    ]
    # Without the seal every letter is rendered afresh, so the batch runs long enough for
    # the progress to be seen between letters.
    job = printing.print_job_create(session=world.session, format="pdf", seal=False, actor=world.office)
    seen = []

    def finished():
        current = PrintJob.objects.get(pk=job.pk)
        seen.append((current.state, current.done))
        return current if current.state in (PrintJob.State.DONE, PrintJob.State.FAILED) else None

    job = wait_until(finished, what="the worker to build the print job")
    assert (job.state, job.error) == ("done", "")
    assert job.done == job.total == len(letters)
    progress = [done for _state, done in seen]
    assert progress == sorted(progress)  # only ever forwards
    assert progress[-1] == len(letters)
    assert any(state == "running" and 0 < done < len(letters) for state, done in seen), seen

    with job.file.open("rb") as stored:
        merged = PdfReader(io.BytesIO(stored.read()))
    expected = sum(len(PdfReader(io.BytesIO(render_letter_pdf(letter, seal=False))).pages)
                   for letter in ReplyLetter.objects.filter(pk__in=[x.pk for x in letters]))
    assert len(merged.pages) == expected
    assert {run["task"] for run in worker.runs if not run["eager"]} >= {"replies.build_print_job"}


def test_a_split_batch_is_built_by_the_worker_through_its_parts(worker, settings):
    settings.PRINT_JOB_PART_SIZE = 2
    world = World.build()
    for day in range(1, 6):
        world.signed_letter(signed_on=datetime.date(2023, 7, day))
    printed = list(ReplyLetter.objects.for_printing(session=world.session))
    job = printing.print_job_create(session=world.session, format="zip", seal=False, actor=world.office)

    job = wait_until(
        lambda: PrintJob.objects.filter(pk=job.pk, state__in=["done", "failed"]).first(),
        what="the worker to build the print job's parts",
    )
    assert (job.state, job.error) == ("done", "")
    assert (job.parts, job.parts_done, job.done, job.total) == (3, 3, 5, 5)
    with job.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        assert archive.namelist() == [f"{letter.number}.pdf" for letter in printed]
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    try:
        assert default_storage.listdir(printing.PARTS_DIR)[1] == []
    except FileNotFoundError:
        pass

    def part_runs():
        runs = [run for run in worker.runs if run["task"] == "replies.build_print_part"]
        return runs if len(runs) == 3 else None

    parts = wait_until(part_runs, what="the worker to report the part tasks")
    assert all(not run["eager"] and run["state"] == "SUCCESS" for run in parts)
    assert all(run["thread"] != threading.main_thread().name for run in parts)
    assert "replies.build_print_job" in {run["task"] for run in worker.runs}
