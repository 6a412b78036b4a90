"""Batch-printing benchmark: the rate of one print job on one and on two Celery workers.

    DATABASE_URL=postgres://user@127.0.0.1:5432/name CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/print_batch.py --letters 500

needs PostgreSQL with data from ``manage.py generate_data`` (a session with at least
``--letters`` signed letters; the one with the most is taken unless ``--session`` names
one) and Redis as the broker. It starts real workers as subprocesses,

    celery -A config worker --pool=prefork --concurrency=1 -n w1@%h -Q <queue>

and a second one (``w2@%h``) for the two-worker runs, on a queue of their own so that
no other worker on the same Redis takes the bench's tasks. The job is the session's
first ``--letters`` letters in printing order: the bench starts the run itself
(:func:`replies.printing.print_job_build`, with the job's letters limited to those), so
the job is split into parts of ``PRINT_JOB_PART_SIZE`` letters (``--part-size``) and the
workers build the parts and assemble the file exactly as for any job. The time runs from
the start of the run until the job is done.

Four runs, each after a small warm-up job on fresh workers:

- without the seal, every letter is rendered (1 worker, then 2);
- with the seal once the letters' PDFs are stored, every letter's stored PDF is collected
  (2 workers, then 1). Letters without a stored PDF get it first, in a run that is not
  measured; those PDFs stay stored, as they would after the first download.

Prints seconds and letters per second for each run, the parts each worker built, whether
the target (500 letters in under 2 minutes on two workers) is met, and the command line
to reproduce. Two workers need two free CPUs to go twice as fast: the machine's CPU count
and load average are printed first. The bench's print jobs and their files are deleted
afterwards.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TARGET_LETTERS, TARGET_SECONDS = 500, 120
PART_TASK = "replies.build_print_part"
SCOPE: dict = {}  # the job's own choice of letters, before the bench limits it


@dataclass
class Result:
    label: str
    workers: int
    seconds: float
    letters: int
    parts: dict[str, int]

    @property
    def rate(self) -> float:
        return self.letters / self.seconds


def masked(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urllib.parse.urlunsplit(parts)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=TARGET_LETTERS,
                        help="letters in the job (default 500)")
    parser.add_argument("--session", help="session code (default: the one with the most signed letters)")
    parser.add_argument("--part-size", type=int,
                        help="letters per part (default: PRINT_JOB_PART_SIZE, 20 unless set)")
    parser.add_argument("--format", choices=["pdf", "zip"], default="pdf",
                        help="merged PDF (default) or ZIP")
    return parser.parse_args()


def check_environment() -> None:
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database with data from "
                 "`manage.py generate_data`.")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith(("redis://", "rediss://")):
        sys.exit("CELERY_BROKER_URL must name the Redis broker (redis://host:6379/0).")


class Workers:
    """Celery workers as subprocesses, each with one prefork child, on the bench's queue."""

    def __init__(self, queue: str, part_size: int):
        self.queue, self.processes = queue, {}
        self.folder = Path(tempfile.mkdtemp(prefix="print-bench-"))
        self.env = {**os.environ, "PRINT_JOB_PART_SIZE": str(part_size), "DJANGO_LOG_LEVEL": "WARNING"}

    def command(self, name: str) -> list[str]:
        return ["celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
                "-n", f"{name}@%h", "-Q", self.queue, "--loglevel=WARNING"]

    def start(self, name: str) -> None:
        from config.celery import app

        log = (self.folder / f"{name}.log").open("w")
        command = [sys.executable, "-m", *self.command(name)]
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                self.fail(f"worker {name} exited")
            answers = app.control.ping(timeout=1.0) or []
            if any(node.startswith(f"{name}@") for answer in answers for node in answer):
                return
        self.fail(f"worker {name} did not answer within 60 s")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def parts_built(self) -> dict[str, int]:
        """Part tasks each running worker has finished since it started."""
        from config.celery import app

        stats = app.control.inspect(timeout=2.0).stats() or {}
        counts = {}
        for node, info in stats.items():
            name = node.split("@", 1)[0]
            if name in self.processes:
                counts[name] = int(info.get("total", {}).get(PART_TASK, 0))
        return counts

    def fail(self, message: str) -> None:
        logs = "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-20:])
            for path in sorted(self.folder.glob("*.log"))
        )
        self.stop_all()
        sys.exit(f"{message}\n{logs}")


def choose_letters(session_code: str | None, count: int):
    from django.db.models import Count

    from proposals.models import Session
    from replies.models import ReplyLetter

    if session_code:
        session = Session.objects.filter(code=session_code).first()
        if session is None:
            sys.exit(f"No session {session_code!r}.")
    else:
        busiest = (ReplyLetter.objects.final().values("proposal__session")
                   .annotate(letters=Count("id")).order_by("-letters").first())
        if busiest is None:
            sys.exit("No signed letters: run `manage.py generate_data --proposals 3000` first.")
        session = Session.objects.get(pk=busiest["proposal__session"])
    ids = list(ReplyLetter.objects.for_printing(session=session).values_list("pk", flat=True)[:count])
    if len(ids) < count:
        sys.exit(f"Session {session.code} ({session.name}) has {len(ids)} signed letters; the job "
                 f"needs {count}. Generate more (`manage.py generate_data --proposals 3000`) or "
                 f"ask for fewer with --letters.")
    return session, ids


def limit_jobs_to(ids: list[int]) -> None:
    """Jobs started in this process print ``ids`` (the first letters of their scope) only."""
    from replies.models import PrintJob

    scope = SCOPE.setdefault("letters", PrintJob.letters)
    PrintJob.letters = lambda job: scope(job).filter(pk__in=ids)


def run_job(session, ids: list[int], *, seal: bool, format: str, workers: Workers) -> float:
    """Seconds from starting the run of a job of ``ids`` until it is done."""
    from replies import printing
    from replies.models import PrintJob

    limit_jobs_to(ids)
    job = PrintJob.objects.create(session=session, format=format, seal=seal, total=len(ids))
    try:
        started = time.perf_counter()
        printing.print_job_build(job=job)
        deadline = started + max(600, 2 * len(ids))
        while True:
            job.refresh_from_db(fields=["state", "error", "done", "file"])
            if job.state in (PrintJob.State.DONE, PrintJob.State.FAILED):
                break
            if time.perf_counter() > deadline:
                workers.fail(f"job not done after {deadline - started:.0f} s ({job.done}/{len(ids)} letters)")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if job.state != PrintJob.State.DONE:
            workers.fail(f"job failed: {job.error}")
        return elapsed
    finally:
        job.refresh_from_db()
        if job.file:
            job.file.delete(save=False)
        job.delete()


def warm_up(session, ids, *, part_size: int, format: str, workers: Workers) -> None:
    """Until every running worker has built a part, so that fonts and code are loaded."""
    for _attempt in range(5):
        if all(workers.parts_built().get(name, 0) for name in workers.processes):
            return
        run_job(session, ids[: part_size * 2 * len(workers.processes)], seal=False, format=format,
                workers=workers)
    print("note: a worker took no warm-up part; its first letters are measured cold")


def measure(label, session, ids, *, seal, format, workers) -> Result:
    before = workers.parts_built()
    seconds = run_job(session, ids, seal=seal, format=format, workers=workers)
    after = workers.parts_built()
    parts = {name: after.get(name, 0) - before.get(name, 0) for name in sorted(workers.processes)}
    result = Result(label, len(workers.processes), seconds, len(ids), parts)
    print(f"  {label:<34} {result.workers} worker(s)  {seconds:7.1f} s  {result.rate:6.2f} letters/s"
          f"  parts {parts}", flush=True)
    return result


def main() -> None:
    args = parse_args()
    check_environment()
    import django

    django.setup()
    import logging

    from django.conf import settings

    from config.celery import app
    from replies.models import ReplyLetter

    logging.getLogger("replies").setLevel(logging.WARNING)
    part_size = args.part_size or settings.PRINT_JOB_PART_SIZE
    settings.PRINT_JOB_PART_SIZE = part_size
    if args.letters <= part_size:
        sys.exit(f"--letters must be more than the part size ({part_size}) for the job to be split.")
    session, ids = choose_letters(args.session, args.letters)
    queue = f"print-bench-{os.getpid()}"
    app.conf.task_default_queue = queue
    parts = -(-len(ids) // part_size)
    print(f"print job of {len(ids)} signed letters of {session.code} ({session.name}), "
          f"{'merged PDF' if args.format == 'pdf' else 'ZIP'}, {parts} parts of at most {part_size}")

    cores, load = os.cpu_count() or 1, os.getloadavg()[0]
    print(f"machine: {cores} CPUs, load average {load:.1f} before the runs")
    if load > cores / 2:
        print("note: other work is using the CPUs; the two-worker run cannot use a second CPU fully")
    workers = Workers(queue, part_size)
    results: list[Result] = []
    try:
        workers.start("w1")
        warm_up(session, ids, part_size=part_size, format=args.format, workers=workers)
        results.append(measure("rendered (without the seal)", session, ids, seal=False,
                               format=args.format, workers=workers))
        workers.start("w2")
        warm_up(session, ids, part_size=part_size, format=args.format, workers=workers)
        results.append(measure("rendered (without the seal)", session, ids, seal=False,
                               format=args.format, workers=workers))
        unstored = ReplyLetter.objects.filter(pk__in=ids, pdf="").count()
        if unstored:
            print(f"  storing the PDFs of {unstored} letters first (not measured)", flush=True)
            run_job(session, ids, seal=True, format=args.format, workers=workers)
        results.append(measure("collected (seal, PDFs stored)", session, ids, seal=True,
                               format=args.format, workers=workers))
        workers.stop("w2")
        results.append(measure("collected (seal, PDFs stored)", session, ids, seal=True,
                               format=args.format, workers=workers))
    finally:
        workers.stop_all()

    print()
    print(f"{'run':<34} {'workers':>7} {'seconds':>8} {'letters/s':>10}")
    for result in sorted(results, key=lambda r: (r.label, r.workers)):
        print(f"{result.label:<34} {result.workers:>7} {result.seconds:>8.1f} {result.rate:>10.2f}")
    rendered = {r.workers: r for r in results if r.label.startswith("rendered")}
    if 1 in rendered and 2 in rendered:
        print(f"two workers / one worker, rendered: {rendered[2].rate / rendered[1].rate:.2f}×")
    slowest = max(r.seconds for r in results if r.workers == 2)
    projected = slowest * TARGET_LETTERS / len(ids)
    verdict = "met" if projected < TARGET_SECONDS else "NOT met"
    print(f"target {TARGET_LETTERS} letters in under {TARGET_SECONDS} s on two workers: {verdict} "
          f"({projected:.0f} s for {TARGET_LETTERS} letters at the slower two-worker rate)")
    command = [f"DATABASE_URL={masked(os.environ['DATABASE_URL'])}",
               f"CELERY_BROKER_URL={masked(os.environ['CELERY_BROKER_URL'])}",
               ".venv/bin/python", "bench/print_batch.py", "--letters", str(args.letters),
               "--part-size", str(part_size), "--format", args.format]
    if args.session:
        command += ["--session", args.session]
    print("reproduce: " + " ".join(shlex.quote(part) for part in command))
    print("workers:   " + " ".join(shlex.quote(part) for part in workers.command("w1")))


if __name__ == "__main__":
    main()
