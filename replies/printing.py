"""批量打印: a session's signed letters (of one agency, or all) as one merged PDF or a ZIP.

:func:`print_job_create` records the job and enqueues its build once the transaction
commits. :func:`print_job_build` fixes the job's letters in printing order and then

- builds the file itself, letter by letter, when there are at most
  ``settings.PRINT_JOB_PART_SIZE`` letters;
- otherwise splits the letters into parts and enqueues one task per part
  (``replies.build_print_part``), so that several workers build them at the same time.
  Each part collects its letters into a part file (a merged PDF, or a ZIP of the
  letters' PDFs) and records it under the job's row lock; the part that completes the
  job assembles the final file in order and deletes the part files.

Progress (``done``) is counted with one ``UPDATE`` after each letter, whichever worker
renders it. A failure marks the job failed with the error; the other parts stop at
their next letter, and parts not started yet do nothing. Running a failed job again
starts it over from the beginning: the run counter (``run``) goes up, the old part
files are deleted, and a part left over from the earlier run does nothing. No task
waits for another and no result backend is needed.

A worker can die in the middle of a job (killed, out of memory, the machine restarted).
Its task goes back to Redis (tasks are acknowledged late) and runs again on a worker; a
part already recorded is skipped, so every step can run twice. And the job keeps a
heartbeat (``heartbeat_at``: every letter printed): :func:`watch` — run every minute by
Celery beat, and for a job whenever its page asks for progress — resumes a job silent for
``PRINT_JOB_STALL_SECONDS`` by queueing again what is not built yet, at most
``PRINT_JOB_RESUMES`` times, then ends it as failed with the reason; its page offers to
run it again (:func:`print_job_retry`). A job never stays running.

Files are kept ``PRINT_JOB_KEEP_DAYS`` after the job is built, then removed
(:func:`delete_old_files`, daily); the job stays listed and can be built again.
"""

from __future__ import annotations

import datetime
import io
import logging
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.queue import enqueue
from core.roles import is_liaison, is_office
from core.transactions import after_commit
from core.workflow import DomainError
from proposals.models import Session

from .models import PrintJob, ReplyLetter
from .pdf import render_letter_pdf
from .services import letter_pdf_bytes

logger = logging.getLogger(__name__)

PARTS_DIR = "print-jobs/parts"


class _Stopped(Exception):
    """The run ended elsewhere (another part failed, or the job was started again)."""


def may_print(user) -> bool:
    """Office staff, liaison staff and superusers print batches of letters."""
    return is_office(user) or is_liaison(user)


@action
def print_job_create(*, session: Session, agency: Agency | None = None,
                     format: str = PrintJob.Format.PDF, seal: bool = True, unprinted_only: bool = False,
                     actor=None) -> PrintJob:
    """Ask for a session's signed letters (one agency's, or all) as one PDF or a ZIP;
    ``unprinted_only``: only those not yet marked 已印发.

    The file is built by a task once this transaction commits.
    """
    if actor is not None and not may_print(actor):
        raise PermissionDenied(_("只有办公室或提案委工作人员可以批量打印答复函。"))
    if format not in PrintJob.Format.values:
        raise DomainError(_("文件格式“%(f)s”无效。") % {"f": format}, field="format")
    job = PrintJob(session=session, agency=agency, format=format, seal=bool(seal),
                   unprinted_only=bool(unprinted_only))
    total = job.letters().count()
    if not total:
        scope = agency.short_name if agency else _("各单位")
        if unprinted_only:
            raise DomainError(_("%(session)s%(scope)s没有待印发的答复函（已签发、未印发）。")
                              % {"session": session.name, "scope": scope})
        raise DomainError(
            _("%(session)s%(scope)s还没有已签发的答复函。") % {"session": session.name, "scope": scope}
        )
    job = PrintJob.objects.create(
        session=session, agency=agency, format=format, seal=bool(seal), total=total,
        unprinted_only=bool(unprinted_only),
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        heartbeat_at=timezone.now(),
    )
    job_id = job.pk
    after_commit(_enqueue_print_job, job_id)
    return job


def _enqueue_print_job(job_id: int) -> None:
    enqueue("replies.build_print_job", job_id)


# ---------------------------------------------------------------- starting a run


def part_size() -> int:
    return max(1, int(settings.PRINT_JOB_PART_SIZE))


def part_bounds(total: int, parts: int, index: int) -> tuple[int, int]:
    """The slice of the job's letters that part ``index`` prints: parts differ by one at most."""
    return index * total // parts, (index + 1) * total // parts


def print_job_build(*, job: PrintJob) -> PrintJob:
    """Start a run of the job: fix its letters, then build the file or enqueue its parts.

    Not one transaction: each step commits on its own so that others see the progress
    (``done``) while the job runs. A job already done is left as it is; any other
    starts over from the beginning. A failure marks the job failed with the error and
    is raised again. A split job is returned as it stands once its parts are enqueued
    (already done when tasks run inline).
    """
    with transaction.atomic():
        job = PrintJob.objects.select_for_update(of=("self",)).select_related(
            "session", "agency"
        ).get(pk=job.pk)
        if job.state == PrintJob.State.DONE:
            return job
        _delete_part_files(job)
        ids = list(job.letters().values_list("pk", flat=True))
        size = part_size()
        job.run += 1
        job.state, job.total, job.done, job.error = PrintJob.State.RUNNING, len(ids), 0, ""
        job.letter_ids, job.finished_at = ids, None
        job.parts = -(-len(ids) // size) if len(ids) > size else 1
        job.parts_done, job.part_files, job.heartbeat_at = 0, {}, timezone.now()
        job.save(update_fields=["run", "state", "total", "done", "error", "letter_ids",
                                "finished_at", "parts", "parts_done", "part_files", "heartbeat_at"])
        if job.parts > 1:
            logger.info("print job %s: %s letters in %s parts (run %s)",
                        job.pk, len(ids), job.parts, job.run)
            after_commit(_enqueue_parts, job.pk, job.run, list(range(job.parts)))
    if job.parts > 1:
        return PrintJob.objects.get(pk=job.pk)
    run = job.run
    try:
        letters = _letters(ids)
        if job.format == PrintJob.Format.ZIP:
            taken: set[str] = set()
            data = _write_zip(job, run, letters, compression=zipfile.ZIP_DEFLATED,
                              name=lambda letter: _member_name(letter.number, letter.pk, taken))
        else:
            data = _write_merged(job, run, letters)
        _finish(job, run, data)
    except _Stopped:
        logger.info("print job %s: run %s ended elsewhere", job.pk, run)
        return PrintJob.objects.get(pk=job.pk)
    except Exception as error:
        logger.exception("print job %s failed", job.pk)
        _fail(job.pk, run, error)
        raise
    return job


def _enqueue_parts(job_id: int, run: int, indexes: list[int]) -> None:
    """One task per part. With tasks inline a failing part raises here: the rest are skipped."""
    try:
        for index in indexes:
            enqueue("replies.build_print_part", job_id, index, run)
    except Exception as error:
        logger.exception("print job %s: the parts of run %s could not all be built", job_id, run)
        _fail(job_id, run, error)


# ---------------------------------------------------------------- one part


def print_job_build_part(*, job: PrintJob, index: int, run: int | None = None) -> PrintJob:
    """Build part ``index`` of a split job's run ``run`` (the current one when not given).

    The part's letters are collected into a part file, recorded under the job's row
    lock; the part that completes the job assembles the final file. A part of a job
    that is not running, of an earlier run, or already recorded does nothing. A
    failure marks the job failed with the error and is raised again.
    """
    run = job.run if run is None else run
    if (job.state != PrintJob.State.RUNNING or job.run != run or not 0 <= index < job.parts
            or str(index) in job.part_files):
        logger.info("print job %s: part %s of run %s skipped (job %s, run %s)",
                    job.pk, index, run, job.state, job.run)
        return job
    storage = job.file.storage
    start, end = part_bounds(len(job.letter_ids), job.parts, index)
    ids = job.letter_ids[start:end]
    stored = ""
    try:
        letters = _letters(ids)
        if job.format == PrintJob.Format.ZIP:
            # Members are named by letter id here; the final ZIP names them by number.
            data = _write_zip(job, run, letters, name=lambda letter: f"{letter.pk}.pdf",
                              compression=zipfile.ZIP_STORED)
        else:
            data = _write_merged(job, run, letters)
        name = f"{PARTS_DIR}/job-{job.pk}-{run}-{index}.{job.format}"
        stored = storage.save(name, ContentFile(data))
        complete = _record_part(job.pk, run, index, stored)
        if complete is None:
            storage.delete(stored)
            raise _Stopped
        if complete:
            _assemble(job.pk, run)
    except _Stopped:
        logger.info("print job %s: part %s stopped, run %s ended elsewhere", job.pk, index, run)
    except Exception as error:
        logger.exception("print job %s: part %s failed", job.pk, index)
        _fail(job.pk, run, error, files=[stored] if stored else [])
        raise
    return PrintJob.objects.filter(pk=job.pk).first() or job


def _record_part(job_id: int, run: int, index: int, name: str) -> bool | None:
    """Note a finished part; True when it was the last one, None when the run is over."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != PrintJob.State.RUNNING or job.run != run \
                or str(index) in job.part_files:
            return None
        job.part_files = {**job.part_files, str(index): name}
        job.parts_done += 1
        job.save(update_fields=["part_files", "parts_done"])
        return job.parts_done == job.parts


def _assemble(job_id: int, run: int) -> None:
    """Join the parts of a complete run into the job's file, in order."""
    job = PrintJob.objects.get(pk=job_id)
    storage = job.file.storage
    names = [job.part_files[str(index)] for index in range(job.parts)]
    output = io.BytesIO()
    if job.format == PrintJob.Format.ZIP:
        numbers = dict(ReplyLetter.objects.filter(pk__in=job.letter_ids).values_list("pk", "number"))
        taken: set[str] = set()
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, name in enumerate(names):
                start, end = part_bounds(len(job.letter_ids), job.parts, index)
                with storage.open(name, "rb") as stored, zipfile.ZipFile(stored) as part:
                    for letter_id in job.letter_ids[start:end]:
                        member = _member_name(numbers.get(letter_id), letter_id, taken)
                        archive.writestr(member, part.read(f"{letter_id}.pdf"))
    else:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for name in names:
            with storage.open(name, "rb") as stored:
                writer.append(PdfReader(io.BytesIO(stored.read())))
        writer.write(output)
    _finish(job, run, output.getvalue())


# ---------------------------------------------------------------- shared steps


def _letters(ids: list[int]) -> list[ReplyLetter]:
    """The letters of ``ids``, in that order."""
    found = ReplyLetter.objects.select_related("proposal__session", "agency").in_bulk(ids)
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("答复函（ID %(ids)s）已不存在，请重新生成。") % {"ids": "、".join(missing)})
    return [found[pk] for pk in ids]


def _letter_pdf(job: PrintJob, letter: ReplyLetter) -> bytes:
    return letter_pdf_bytes(letter=letter) if job.seal else render_letter_pdf(letter, seal=False)


def _count(job: PrintJob, run: int) -> None:
    """One more letter done, never above the total; stop when the run has ended elsewhere."""
    counted = PrintJob.objects.filter(pk=job.pk, state=PrintJob.State.RUNNING, run=run).update(
        done=Least(F("done") + 1, F("total")), heartbeat_at=timezone.now(),
    )
    if not counted:
        raise _Stopped


def _write_merged(job: PrintJob, run: int, letters) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for letter in letters:
        writer.append(PdfReader(io.BytesIO(_letter_pdf(job, letter))))
        _count(job, run)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _write_zip(job: PrintJob, run: int, letters, *, name, compression: int) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=compression) as archive:
        for letter in letters:
            archive.writestr(name(letter), _letter_pdf(job, letter))
            _count(job, run)
    return output.getvalue()


def _member_name(number: str | None, letter_id: int, taken: set[str]) -> str:
    """A letter's name in the ZIP: its document number, unique within the archive."""
    base = (number or f"letter-{letter_id}").replace("/", "-").replace("\\", "-")
    name, n = f"{base}.pdf", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}.pdf"
    taken.add(name)
    return name


def _job_file_name(job: PrintJob) -> str:
    return f"job-{job.pk}.{job.format}"


def _finish(job: PrintJob, run: int, data: bytes) -> None:
    """Store the job's file and mark it done, unless the run ended elsewhere meanwhile."""
    job.file.save(_job_file_name(job), ContentFile(data), save=False)
    finished_at = timezone.now()
    try:
        with transaction.atomic():
            current = PrintJob.objects.select_for_update().filter(pk=job.pk).first()
            if current is None or current.state != PrintJob.State.RUNNING or current.run != run:
                raise _Stopped
            parts = list(current.part_files.values())
            PrintJob.objects.filter(pk=job.pk).update(
                file=job.file.name, state=PrintJob.State.DONE, done=F("total"),
                finished_at=finished_at, part_files={},
            )
    except BaseException:
        # The file is written before the row; if the row does not take it, remove it.
        _delete_files(job.file.storage, [job.file.name])
        raise
    _delete_files(job.file.storage, parts)
    job.state, job.finished_at, job.done, job.part_files = PrintJob.State.DONE, finished_at, job.total, {}


def _fail(job_id: int, run: int, error: BaseException, *, files=()) -> None:
    """Mark the run failed with the error (unless it ended already) and drop its part files."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().filter(pk=job_id).first()
        parts: list[str] = []
        if job is not None and job.state == PrintJob.State.RUNNING and job.run == run:
            parts = list(job.part_files.values())
            job.state, job.error = PrintJob.State.FAILED, str(error) or error.__class__.__name__
            job.finished_at, job.part_files = timezone.now(), {}
            job.save(update_fields=["state", "error", "finished_at", "part_files"])
    _delete_files(PrintJob._meta.get_field("file").storage, [*parts, *files])


def _delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("print job part file %s could not be deleted", name, exc_info=True)


def _delete_part_files(job: PrintJob) -> None:
    """Every part file of the job's earlier runs, recorded or not."""
    storage = job.file.storage
    try:
        _dirs, files = storage.listdir(PARTS_DIR)
    except (OSError, NotImplementedError):
        files = []
    prefix = f"job-{job.pk}-"
    names = {f"{PARTS_DIR}/{name}" for name in files if name.startswith(prefix)}
    _delete_files(storage, sorted(names | set(job.part_files.values())))


# ---------------------------------------------------------------- a worker gone


def _stalled(now) -> Q:
    silent_since = now - datetime.timedelta(seconds=settings.PRINT_JOB_STALL_SECONDS)
    return (Q(state__in=[PrintJob.State.QUEUED, PrintJob.State.RUNNING])
            & (Q(heartbeat_at__lt=silent_since)
               | Q(heartbeat_at__isnull=True, created_at__lt=silent_since)))


def watch(job: PrintJob | None = None, *, now=None) -> list[int]:
    """Resume the jobs (``job``, or all) that stopped showing progress: their worker is gone.

    A job is resumed by queueing again what is not built yet — its missing parts, or the
    whole job when it is not split or never started — at most ``PRINT_JOB_RESUMES`` times;
    then it ends as failed with the reason. Returns the ids of the jobs resumed or failed.
    """
    now = now or timezone.now()
    handled = []
    candidates = PrintJob.objects.filter(_stalled(now))
    if job is not None:
        candidates = candidates.filter(pk=job.pk)
    for job_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            current = PrintJob.objects.select_for_update(skip_locked=True).filter(
                _stalled(now), pk=job_id).first()
            if current is None:
                continue  # moved on meanwhile, or another watcher has it
            handled.append(job_id)
            if current.resumes >= settings.PRINT_JOB_RESUMES:
                logger.warning("print job %s: no progress after %s resumes; failed",
                               job_id, current.resumes)
                parts = list(current.part_files.values())
                current.state, current.finished_at, current.part_files = (
                    PrintJob.State.FAILED, now, {})
                current.error = _("生成中断：处理该任务的后台进程已停止，续做%(n)s次后仍未完成"
                                  "（已完成%(done)s / %(total)s份）。请点击“重新生成”。") % {
                    "n": current.resumes, "done": current.done, "total": current.total}
                current.save(update_fields=["state", "finished_at", "part_files", "error"])
                after_commit(_delete_files, current.file.storage, parts)
                continue
            current.resumes += 1
            current.heartbeat_at = now
            current.save(update_fields=["resumes", "heartbeat_at"])
            if current.state == PrintJob.State.RUNNING and current.parts > 1:
                missing = [i for i in range(current.parts) if str(i) not in current.part_files]
                logger.warning("print job %s: no progress for %s s; parts %s of run %s queued again",
                               job_id, settings.PRINT_JOB_STALL_SECONDS, missing, current.run)
                after_commit(_enqueue_parts, job_id, current.run, missing)
            else:
                logger.warning("print job %s: no progress for %s s; queued again",
                               job_id, settings.PRINT_JOB_STALL_SECONDS)
                after_commit(_enqueue_print_job, job_id)
    return handled


@action
def print_job_retry(*, job: PrintJob, actor=None) -> PrintJob:
    """重新生成: a failed job (or one whose file was removed) is built again from the start."""
    if actor is not None and not may_print(actor) and job.requested_by_id != actor.pk:
        raise PermissionDenied(_("只有办公室或提案委工作人员可以批量打印答复函。"))
    job = PrintJob.objects.select_for_update().get(pk=job.pk)
    if not job.may_run_again:
        raise DomainError(_("该任务当前状态为“%(state)s”，只有失败或文件已删除的任务可以重新生成。")
                          % {"state": job.get_state_display()})
    job.state, job.error, job.resumes, job.done = PrintJob.State.QUEUED, "", 0, 0
    job.heartbeat_at, job.finished_at, job.file_deleted_at = timezone.now(), None, None
    job.save(update_fields=["state", "error", "resumes", "done", "heartbeat_at", "finished_at",
                            "file_deleted_at"])
    after_commit(_enqueue_print_job, job.pk)
    return job


# ---------------------------------------------------------------- old files


def delete_old_files(*, now=None) -> int:
    """Remove the files of jobs built more than ``PRINT_JOB_KEEP_DAYS`` ago, and part files
    no running job owns; returns how many job files were removed."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.PRINT_JOB_KEEP_DAYS)
    storage = PrintJob._meta.get_field("file").storage
    removed = 0
    for job_id, name in PrintJob.objects.filter(finished_at__lt=before).exclude(file="") \
            .values_list("pk", "file"):
        if PrintJob.objects.filter(pk=job_id, file=name).update(file="", file_deleted_at=now):
            _delete_files(storage, [name])
            removed += 1
    running = set(PrintJob.objects.filter(state=PrintJob.State.RUNNING).values_list("pk", flat=True))
    try:
        _dirs, files = storage.listdir(PARTS_DIR)
    except (OSError, NotImplementedError):
        files = []
    stray = []
    for name in files:  # job-<id>-<run>-<index>.<format>
        owner = name.split("-")[1] if name.startswith("job-") and name.count("-") >= 3 else ""
        if not (owner.isdigit() and int(owner) in running):
            stray.append(f"{PARTS_DIR}/{name}")
    _delete_files(storage, stray)
    if removed or stray:
        logger.info("print jobs: %s files older than %s days and %s stray part files removed",
                    removed, settings.PRINT_JOB_KEEP_DAYS, len(stray))
    return removed
