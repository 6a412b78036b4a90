"""Batch printing: a session's signed letters as one merged PDF or a ZIP, with progress."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from core.workflow import DomainError
from replies import services as rs
from replies import tasks
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
        job = rs.print_job_create(**options)
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
    recorder = Recorder(rs.letter_pdf_bytes)
    monkeypatch.setattr(rs, "letter_pdf_bytes", recorder)
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
    recorder = Recorder(rs.render_letter_pdf)
    monkeypatch.setattr(rs, "render_letter_pdf", recorder)
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
    job = rs.print_job_create(session=world.session, format="pdf", actor=actor)
    assert (job.state, job.total, job.requested_by) == ("queued", 4, actor)


@pytest.mark.parametrize("who", ["lead_officer", "lead_approver", "co_officer"])
def test_agency_staff_may_not_print_batches(world, letters, who):
    with pytest.raises(PermissionDenied):
        rs.print_job_create(session=world.session, format="pdf", actor=getattr(world, who))
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
        rs.print_job_create(session=world.session, format="docx", actor=world.office)
    assert caught.value.field == "format"


def test_the_job_waits_for_the_commit(world, letters, run_on_commit):
    with run_on_commit(execute=False) as pending:
        job = rs.print_job_create(session=world.session, format="pdf", actor=world.office)
    job.refresh_from_db()
    assert (job.state, job.done, bool(job.file)) == ("queued", 0, False)
    assert len(pending) == 1
    pending[0]()
    job.refresh_from_db()
    assert (job.state, job.done) == ("done", 4)


# ---------------------------------------------------------------- failures and the task


def test_a_failure_marks_the_job_failed_with_the_error(world, letters, monkeypatch):
    job = rs.print_job_create(session=world.session, format="pdf", actor=world.office)

    def broken(**kwargs):
        raise RuntimeError("印章图片无法读取")

    monkeypatch.setattr(rs, "letter_pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        tasks.build_print_job.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert (job.state, job.error, job.done, bool(job.file)) == ("failed", "印章图片无法读取", 0, False)
    assert job.finished_at is not None


def test_a_failed_job_runs_again_from_the_start(world, letters, monkeypatch):
    job = rs.print_job_create(session=world.session, format="pdf", actor=world.office)
    PrintJob.objects.filter(pk=job.pk).update(state="failed", done=2, error="上次失败")
    assert tasks.build_print_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.state, job.done, job.error) == ("done", 4, "")


def test_a_done_job_is_left_alone(world, letters, run_on_commit, monkeypatch):
    job = create(world, run_on_commit)
    name, data = job.file.name, job_file(job)
    monkeypatch.setattr(rs, "letter_pdf_bytes", lambda **kwargs: pytest.fail("built twice"))
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
