"""Background work on reply letters: storing signed PDFs and building print batches.

A large print batch is built in parts, one task each, so that several workers share it
(see :mod:`replies.printing`).

Each task takes an id, loads its row (a row deleted meanwhile is logged and
skipped) and calls a service. Database and file-system errors are retried with
exponential backoff; anything else is a bug or a refusal and is not retried.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from . import printing, services
from .models import PrintJob, ReplyLetter

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="replies.render_signed_letter", **RETRY)
def render_signed_letter(letter_id: int) -> str | None:
    """Store the final PDF of a signed letter; returns its SHA-256."""
    letter = ReplyLetter.objects.filter(pk=letter_id).first()
    if letter is None:
        logger.warning("letter %s no longer exists; nothing to render", letter_id)
        return None
    letter = services.letter_store_pdf(letter=letter)
    return letter.pdf_sha256


@shared_task(name="replies.build_print_job", **RETRY)
def build_print_job(job_id: int) -> str | None:
    """Build a print job's merged PDF or ZIP; returns the job's state."""
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("print job %s no longer exists; nothing to build", job_id)
        return None
    return printing.print_job_build(job=job).state


@shared_task(name="replies.build_print_part", **RETRY)
def build_print_part(job_id: int, index: int, run: int | None = None) -> str | None:
    """Build one part of a split print job (the last part assembles the file); returns the job's state.

    ``run`` is the run the part belongs to (the job's current one when not given): a part
    left over from an earlier run of the job does nothing.
    """
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("print job %s no longer exists; part %s not built", job_id, index)
        return None
    return printing.print_job_build_part(job=job, index=index, run=run).state


@shared_task(name="replies.watch_print_jobs", **RETRY)
def watch_print_jobs() -> list[int]:
    """Resume print jobs whose worker is gone, or end them as failed (every minute, by beat)."""
    return printing.watch()


@shared_task(name="replies.delete_old_print_files", **RETRY)
def delete_old_print_files() -> int:
    """Remove print files older than PRINT_JOB_KEEP_DAYS (daily, by beat)."""
    return printing.delete_old_files()
