"""Batch printing: a session's signed letters as one merged PDF or a ZIP, with progress."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from core.workflow import DomainError
from replies import printing, tasks
from replies import services as rs
from replies.models import PrintJob, ReplyLetter
from tests.factories import AgencyFactory, SessionFactory, letter_in_state, user_in

DAY = datetime.date(2023, 3, 1)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def page_text(reader: PdfReader, index: int) -> str:
    return "".join((reader.pages[index].extract_text() or "").split())


def job_file(job: PrintJob) -> bytes:
    with job.file.open("rb") as stored:
        return stored.read()


def co_led_letter(world, *, signed_on: datetime.date):
    """A proposal led by the world's second agency (市民政局), with its signed letter."""
    from proposals import services as ps

    proposal = world.proposal()
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
        {"agency": world.co, "role": "lead", "assigned_on": DAY, "due_on": DAY.replace(month=6)},
    ])
    for recommendation in proposal.recommendations.all():
        world.approved_section(recommendation, world.co)
    letter = rs.letter_create(proposal=proposal, agency=world.co, actor=world.co_officer)
    rs.letter_submit(letter=letter, actor=world.co_officer)
    return rs.letter_sign(letter=letter, actor=world.co_approver, signed_on=signed_on)


@pytest.fixture
def letters(world):
    """Three letters of the lead agency (one issued) and one of the other agency, signed in
    an order that differs from the printing order; plus letters that are not printed."""
    lead = [world.signed_letter(signed_on=datetime.date(2023, 7, day))[1] for day in (3, 4)]
    other = co_led_letter(world, signed_on=datetime.date(2023, 7, 5))
    issued = letter_in_state(world, "issued")
    letter_in_state(world, "voided")
    letter_in_state(world, "in_review")
    letter_in_state(world, "draft")
    # Printing order: by agency (co before lead), then document number.
    return [other, *lead, issued]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def create(world, run_on_commit, **options):
    options = {"session": world.session, "agency": None, "format": "pdf", "seal": True,
               "actor": world.office, **options}
    with run_on_commit(execute=True):
        job = printing.print_job_create(**options)
    job.refresh_from_db()
    return job


class Recorder:
    """Wraps one of our functions, noting the job's progress as saved whenever it is called."""

    def __init__(self, function):
        self.function, self.progress, self.calls = function, [], []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        job = PrintJob.objects.order_by("-id").first()
        self.progress.append((job.state, job.done))
        return self.function(*args, **kwargs)


# ---------------------------------------------------------------- merged PDF


def test_merged_pdf_holds_every_letter_in_order(world, letters, run_on_commit):
    job = create(world, run_on_commit, format="pdf")

    assert (job.state, job.total, job.done, job.error) == ("done", 4, 4, "")
    assert job.finished_at is not None
    assert job.file.name == f"print-jobs/job-{job.pk}.pdf"
    data = job_file(job)
    single = [rs.letter_pdf_bytes(letter=letter) for letter in letters]
    assert pages(data) == sum(pages(one) for one in single)

    reader = PdfReader(io.BytesIO(data))
    first_page = 0
    for letter, one in zip(letters, single, strict=True):
        assert letter.number in page_text(reader, first_page)
        first_page += pages(one)
    assert [letter.number for letter in letters] == [
        "测民函〔2023〕1号", "测工商联函〔2023〕1号", "测工商联函〔2023〕2号", "测工商联函〔2023〕3号",
    ]


def test_progress_is_saved_after_each_letter(world, letters, run_on_commit, monkeypatch):
    recorder = Recorder(printing.letter_pdf_bytes)
    monkeypatch.setattr(printing, "letter_pdf_bytes", recorder)
    job = create(world, run_on_commit)
    assert recorder.progress == [("running", 0), ("running", 1), ("running", 2), ("running", 3)]
    assert (job.state, job.done, job.total) == ("done", 4, 4)


def test_one_agency_only(world, letters, run_on_commit):
    job = create(world, run_on_commit, agency=world.lead, format="zip")
    assert (job.state, job.total, job.done) == ("done", 3, 3)
    with zipfile.ZipFile(io.BytesIO(job_file(job))) as archive:
        assert archive.namelist() == [f"{letter.number}.pdf" for letter in letters[1:]]


# ---------------------------------------------------------------- ZIP


def test_zip_holds_each_stored_pdf_named_by_its_number(world, letters, run_on_commit):
    job = create(world, run_on_commit, format="zip")

    assert (job.state, job.total, job.done) == ("done", 4, 4)
    assert job.file.name == f"print-jobs/job-{job.pk}.zip"
    with zipfile.ZipFile(io.BytesIO(job_file(job))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            "测民函〔2023〕1号.pdf", "测工商联函〔2023〕1号.pdf", "测工商联函〔2023〕2号.pdf",
            "测工商联函〔2023〕3号.pdf",
        ]
        for letter in letters:
            info = archive.getinfo(f"{letter.number}.pdf")
            assert info.flag_bits & 0x800  # names stored as UTF-8
            letter.refresh_from_db()
            assert archive.read(info) == rs.letter_pdf_bytes(letter=letter)


def test_without_the_seal_letters_are_rendered_unsealed_and_nothing_is_stored(
    world, letters, run_on_commit, monkeypatch
):
    recorder = Recorder(printing.render_letter_pdf)
    monkeypatch.setattr(printing, "render_letter_pdf", recorder)
    job = create(world, run_on_commit, format="zip", seal=False)
    assert job.state == "done"
    assert [kwargs for _args, kwargs in recorder.calls] == [{"seal": False}] * 4
    assert [args[0].pk for args, _kwargs in recorder.calls] == [letter.pk for letter in letters]
    assert not ReplyLetter.objects.filter(pk__in=[letter.pk for letter in letters]).exclude(pdf="").exists()


# ---------------------------------------------------------------- who, what, when


@pytest.mark.parametrize("who", ["office", "liaison", "superuser", "system"])
def test_office_liaison_and_superusers_may_print(world, letters, who):
    actor = {
        "office": world.office, "liaison": world.liaison, "system": None,
        "superuser": user_in(world.lead, "officer", "boss"),
    }[who]
    if who == "superuser":
        actor.is_superuser = True
        actor.save()
    job = printing.print_job_create(session=world.session, format="pdf", actor=actor)
    assert (job.state, job.total, job.requested_by) == ("queued", 4, actor)


@pytest.mark.parametrize("who", ["lead_officer", "lead_approver", "co_officer"])
def test_agency_staff_may_not_print_batches(world, letters, who):
    with pytest.raises(PermissionDenied):
        printing.print_job_create(session=world.session, format="pdf", actor=getattr(world, who))
    assert not PrintJob.objects.exists()


def test_nothing_signed_is_refused(world, run_on_commit):
    letter_in_state(world, "in_review")
    letter_in_state(world, "voided")
    with pytest.raises(DomainError, match="还没有已签发的答复函"):
        create(world, run_on_commit)
    other_session = SessionFactory(code="13-3", meeting=3, year=2024, name="市政协十三届三次会议")
    with pytest.raises(DomainError, match="市政协十三届三次会议"):
        create(world, run_on_commit, session=other_session)
    with pytest.raises(DomainError, match="市测试局"):
        create(world, run_on_commit, agency=AgencyFactory(code="idle", short_name="市测试局"))
    assert not PrintJob.objects.exists()


def test_unknown_format_is_refused(world, letters):
    with pytest.raises(DomainError) as caught:
        printing.print_job_create(session=world.session, format="docx", actor=world.office)
    assert caught.value.field == "format"


def test_the_job_waits_for_the_commit(world, letters, run_on_commit):
    with run_on_commit(execute=False) as pending:
        job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    job.refresh_from_db()
    assert (job.state, job.done, bool(job.file)) == ("queued", 0, False)
    assert len(pending) == 1
    pending[0]()
    job.refresh_from_db()
    assert (job.state, job.done) == ("done", 4)


# ---------------------------------------------------------------- failures and the task


def test_a_failure_marks_the_job_failed_with_the_error(world, letters, monkeypatch):
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)

    def broken(**kwargs):
        raise RuntimeError("印章图片无法读取")

    monkeypatch.setattr(printing, "letter_pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        tasks.build_print_job.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert (job.state, job.error, job.done, bool(job.file)) == ("failed", "印章图片无法读取", 0, False)
    assert job.finished_at is not None


def test_a_failed_job_runs_again_from_the_start(world, letters, monkeypatch):
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    PrintJob.objects.filter(pk=job.pk).update(state="failed", done=2, error="上次失败")
    assert tasks.build_print_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.state, job.done, job.error) == ("done", 4, "")


def test_a_done_job_is_left_alone(world, letters, run_on_commit, monkeypatch):
    job = create(world, run_on_commit)
    name, data = job.file.name, job_file(job)
    monkeypatch.setattr(printing, "letter_pdf_bytes", lambda **kwargs: pytest.fail("built twice"))
    assert tasks.build_print_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.file.name, job_file(job)) == (name, data)


def test_build_task_tolerates_a_deleted_job(db):
    assert tasks.build_print_job.apply(args=[123456]).get() is None


def test_build_task_declares_retries():
    task = tasks.build_print_job
    assert task.max_retries == 5
    assert OSError in task.autoretry_for
    assert task.retry_backoff


# ---------------------------------------------------------------- a job in parts (several workers)


@pytest.fixture
def five(world, letters, settings):
    """Five letters to print, in parts of at most two: three parts of one, two and two."""
    world.signed_letter(signed_on=datetime.date(2023, 7, 6))
    settings.PRINT_JOB_PART_SIZE = 2
    printed = list(ReplyLetter.objects.for_printing(session=world.session))
    assert len(printed) == 5
    return printed


def part_files_left(job: PrintJob) -> list[str]:
    try:
        return job.file.storage.listdir(printing.PARTS_DIR)[1]
    except FileNotFoundError:
        return []


def page_texts(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [page_text(reader, index) for index in range(len(reader.pages))]


def zip_members(job: PrintJob) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(job_file(job))) as archive:
        assert archive.testzip() is None
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def started(world, run_on_commit, **options) -> tuple[PrintJob, list]:
    """A job whose run has started, its letters fixed, and the enqueuing of its parts, pending."""
    job = printing.print_job_create(**{"session": world.session, "format": "pdf",
                                       "actor": world.office, **options})
    with run_on_commit(execute=False) as pending:
        assert tasks.build_print_job(job.pk) == "running"
    job.refresh_from_db()
    return job, pending


def test_a_split_merged_pdf_holds_every_letter_in_order_like_the_unsplit_build(
    world, five, run_on_commit, settings
):
    split = create(world, run_on_commit, format="pdf")
    assert (split.state, split.error, split.total, split.done) == ("done", "", 5, 5)
    assert (split.parts, split.parts_done, split.part_files) == (3, 3, {})
    assert split.letter_ids == [letter.pk for letter in five]
    assert split.file.name == f"print-jobs/job-{split.pk}.pdf"
    assert part_files_left(split) == []

    settings.PRINT_JOB_PART_SIZE = 5  # at the part size: one task, as before
    whole = create(world, run_on_commit, format="pdf")
    assert (whole.state, whole.parts, whole.done) == ("done", 1, 5)

    texts = page_texts(job_file(split))
    assert texts == page_texts(job_file(whole))
    first_page = 0
    for letter in five:
        assert letter.number in texts[first_page]
        first_page += pages(rs.letter_pdf_bytes(letter=letter))
    assert first_page == len(texts)


def test_a_split_zip_has_the_members_and_bytes_of_the_unsplit_build(world, five, run_on_commit, settings):
    split = create(world, run_on_commit, format="zip")
    assert (split.state, split.parts, split.done, split.total) == ("done", 3, 5, 5)
    assert split.file.name == f"print-jobs/job-{split.pk}.zip"
    assert part_files_left(split) == []
    settings.PRINT_JOB_PART_SIZE = 20
    whole = create(world, run_on_commit, format="zip")
    assert whole.parts == 1

    members = zip_members(split)
    assert members == zip_members(whole)
    assert [name for name, _data in members] == [f"{letter.number}.pdf" for letter in five]
    for (_name, data), letter in zip(members, five, strict=True):
        assert data == rs.letter_pdf_bytes(letter=letter)
    with zipfile.ZipFile(io.BytesIO(job_file(split))) as archive:
        assert all(info.flag_bits & 0x800 and info.compress_type == zipfile.ZIP_DEFLATED
                   for info in archive.infolist())


def test_progress_in_parts_reaches_the_total_and_never_exceeds_it(world, five, run_on_commit, monkeypatch):
    recorder = Recorder(printing.letter_pdf_bytes)
    monkeypatch.setattr(printing, "letter_pdf_bytes", recorder)
    job = create(world, run_on_commit)
    assert [kwargs["letter"].pk for _args, kwargs in recorder.calls] == [letter.pk for letter in five]
    assert recorder.progress == [("running", done) for done in range(5)]
    assert (job.state, job.done, job.total) == ("done", 5, 5)

    # A part delivered again once the job is done changes nothing.
    assert tasks.build_print_part(job.pk, 0, job.run) == "done"
    job.refresh_from_db()
    assert (job.done, job.parts_done, len(recorder.calls)) == (5, 3, 5)


def test_a_part_delivered_twice_is_built_once(world, five, run_on_commit, monkeypatch):
    job, pending = started(world, run_on_commit)
    assert (job.state, job.parts, job.done) == ("running", 3, 0)
    assert len(pending) == 1  # the parts are enqueued once the run's start commits
    recorder = Recorder(printing.letter_pdf_bytes)
    monkeypatch.setattr(printing, "letter_pdf_bytes", recorder)

    for index in (1, 1, 0):
        assert tasks.build_print_part(job.pk, index, job.run) == "running"
    job.refresh_from_db()
    assert (job.done, job.parts_done, sorted(job.part_files)) == (3, 2, ["0", "1"])
    assert len(part_files_left(job)) == 2
    assert tasks.build_print_part(job.pk, 2, job.run) == "done"

    job.refresh_from_db()
    assert (job.state, job.done, job.parts_done, job.part_files) == ("done", 5, 3, {})
    assert len(recorder.calls) == 5
    assert part_files_left(job) == []
    assert len(page_texts(job_file(job))) == sum(pages(rs.letter_pdf_bytes(letter=x)) for x in five)


def test_a_failing_part_fails_the_job_with_its_error_and_a_rerun_succeeds(
    world, five, run_on_commit, monkeypatch
):
    real = printing.letter_pdf_bytes

    def third_letter_breaks(*, letter):
        if letter.pk == five[2].pk:
            raise RuntimeError("印章图片无法读取")
        return real(letter=letter)

    monkeypatch.setattr(printing, "letter_pdf_bytes", third_letter_breaks)
    job = create(world, run_on_commit)
    # Part 0 (one letter) was built; part 1 failed at its second letter; part 2 never ran.
    assert (job.state, job.error, job.done, job.parts_done, bool(job.file)) == (
        "failed", "印章图片无法读取", 2, 1, False,
    )
    assert job.finished_at is not None
    assert (job.part_files, part_files_left(job)) == ({}, [])

    monkeypatch.setattr(printing, "letter_pdf_bytes", real)
    first_run = job.run
    with run_on_commit(execute=True):
        assert tasks.build_print_job(job.pk) == "running"
    job.refresh_from_db()
    assert (job.state, job.error, job.done, job.total, job.run) == ("done", "", 5, 5, first_run + 1)
    assert len(page_texts(job_file(job))) == sum(pages(rs.letter_pdf_bytes(letter=x)) for x in five)
    assert part_files_left(job) == []


def test_other_parts_stop_once_the_job_failed_and_a_rerun_cleans_up(world, five, run_on_commit, monkeypatch):
    job, _pending = started(world, run_on_commit)
    assert tasks.build_print_part(job.pk, 0, job.run) == "running"
    assert len(part_files_left(job)) == 1
    real, calls = printing.letter_pdf_bytes, []

    def meanwhile_another_part_fails(*, letter):
        calls.append(letter.pk)
        PrintJob.objects.filter(pk=job.pk).update(state="failed", error="另一部分生成失败")
        return real(letter=letter)

    monkeypatch.setattr(printing, "letter_pdf_bytes", meanwhile_another_part_fails)
    assert tasks.build_print_part(job.pk, 1, job.run) == "failed"
    assert calls == [five[1].pk]  # stopped after the letter it was collecting
    assert tasks.build_print_part(job.pk, 2, job.run) == "failed"
    assert calls == [five[1].pk]  # a part that starts after the failure does nothing
    job.refresh_from_db()
    # Only part 0's letter counts; the stopped part recorded nothing, its file is not kept.
    assert (job.state, job.error, job.done, job.parts_done) == ("failed", "另一部分生成失败", 1, 1)
    assert len(part_files_left(job)) == 1

    monkeypatch.setattr(printing, "letter_pdf_bytes", real)
    old_run = job.run
    with run_on_commit(execute=False) as pending:
        assert tasks.build_print_job(job.pk) == "running"
    assert part_files_left(job) == []  # the earlier run's part is gone
    # A part of the earlier run, delivered late, does nothing.
    assert tasks.build_print_part(job.pk, 0, old_run) == "running"
    job.refresh_from_db()
    assert (job.state, job.run, job.done, job.parts_done) == ("running", old_run + 1, 0, 0)
    for callback in pending:
        callback()
    job.refresh_from_db()
    assert (job.state, job.done, job.error) == ("done", 5, "")


def test_a_letter_signed_after_the_job_started_is_not_printed_in_it(world, five, run_on_commit):
    job, pending = started(world, run_on_commit, format="zip")
    _proposal, late = world.signed_letter(signed_on=datetime.date(2023, 7, 9))
    assert ReplyLetter.objects.for_printing(session=world.session).count() == 6
    for callback in pending:
        callback()
    job.refresh_from_db()
    assert (job.state, job.total, job.done) == ("done", 5, 5)
    names = [name for name, _data in zip_members(job)]
    assert names == [f"{letter.number}.pdf" for letter in five]
    assert f"{late.number}.pdf" not in names


def test_parts_of_a_deleted_job_do_nothing(world, five, run_on_commit):
    job, pending = started(world, run_on_commit)
    PrintJob.objects.filter(pk=job.pk).delete()
    for callback in pending:
        callback()
    assert tasks.build_print_part.apply(args=[job.pk, 0, job.run]).get() is None


def test_part_task_declares_retries():
    task = tasks.build_print_part
    assert task.name == "replies.build_print_part"
    assert task.max_retries == 5
    assert OSError in task.autoretry_for
    assert task.retry_backoff


# ---------------------------------------------------------------- a worker gone, old files


def later(seconds: int):
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_a_job_whose_message_was_lost_is_queued_again_and_built(world, letters, run_on_commit, settings):
    settings.PRINT_JOB_STALL_SECONDS = 60
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    # The task never reached a worker (nothing ran after the commit): the job stays queued.
    assert PrintJob.objects.get(pk=job.pk).state == "queued"
    assert printing.watch(now=later(30)) == []  # not silent for long enough yet
    with run_on_commit(execute=True):
        assert printing.watch(now=later(61)) == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.done, job.resumes) == ("done", 4, 1)
    assert pages(job_file(job)) == sum(pages(rs.letter_pdf_bytes(letter=letter)) for letter in letters)


def test_a_split_job_whose_worker_died_gets_its_missing_parts_built(world, five, run_on_commit, settings):
    settings.PRINT_JOB_PART_SIZE = 2
    settings.PRINT_JOB_STALL_SECONDS = 60
    job, pending = started(world, run_on_commit)
    assert job.parts == 3
    # One part is built; the worker holding the other two died with them.
    tasks.build_print_part(job.pk, 0, job.run)
    job.refresh_from_db()
    assert (job.state, list(job.part_files)) == ("running", ["0"])
    with run_on_commit(execute=True):
        assert printing.watch(now=later(61)) == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.resumes) == ("done", 5, 5, 1)
    assert part_files_left(job) == []


def test_a_job_that_makes_no_progress_ends_as_failed_and_runs_again(client, world, letters, settings,
                                                                      run_on_commit, monkeypatch):
    settings.PRINT_JOB_STALL_SECONDS = 60
    settings.PRINT_JOB_RESUMES = 2
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    lost = []
    monkeypatch.setattr(printing, "_enqueue_print_job", lost.append)  # the broker loses them
    for minutes in (1, 2):
        with run_on_commit(execute=True):
            printing.watch(now=later(61 * minutes))
    assert lost == [job.pk, job.pk]
    with run_on_commit(execute=True):
        printing.watch(now=later(61 * 3))
    job.refresh_from_db()
    assert job.state == "failed" and "续做2次后仍未完成" in job.error
    monkeypatch.undo()
    client.force_login(world.office)
    page = client.get(f"/print/jobs/{job.pk}/progress/").content.decode()
    assert "重新生成" in page and "hx-trigger" not in page  # stops polling, offers to run again
    with run_on_commit(execute=True):
        response = client.post(f"/print/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.done, job.resumes, job.error) == ("done", 4, 0, "")


def test_the_page_itself_notices_a_silent_job(client, world, letters, settings, run_on_commit):
    settings.PRINT_JOB_STALL_SECONDS = 0
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    client.force_login(world.office)
    with run_on_commit(execute=True):
        page = client.get(f"/print/jobs/{job.pk}/progress/")
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.resumes == 1 and job.state == "done"


def test_files_are_removed_after_the_keep_period_and_can_be_built_again(
        client, world, letters, run_on_commit, settings):
    from django.core.management import call_command

    settings.PRINT_JOB_KEEP_DAYS = 7
    job = create(world, run_on_commit)
    name = job.file.name
    storage = job.file.storage
    stray = storage.save(f"{printing.PARTS_DIR}/job-{job.pk}-9-0.pdf", io.BytesIO(b"%PDF"))
    assert printing.delete_old_files(now=later(6 * 86400)) == 0
    assert storage.exists(name)
    call_command("delete_print_files")  # removes the stray part at once, keeps the young file
    assert not storage.exists(stray) and storage.exists(name)
    assert printing.delete_old_files(now=later(8 * 86400)) == 1
    job.refresh_from_db()
    assert not storage.exists(name) and job.file_deleted_at and not job.file
    client.force_login(world.office)
    response = client.get(f"/print/jobs/{job.pk}/download/", follow=True)
    assert "已按规定在生成7天后删除" in response.content.decode()
    assert "重新生成" in response.content.decode()
    with run_on_commit(execute=True):
        client.post(f"/print/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.state == "done" and job.file and storage.exists(job.file.name)


def test_watch_and_cleanup_run_on_beat():
    from django.conf import settings as django_settings

    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"replies.watch_print_jobs", "replies.delete_old_print_files"} <= scheduled
    assert django_settings.CELERY_TASK_ACKS_LATE and django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > \
        django_settings.CELERY_TASK_TIME_LIMIT
