"""Numbers stay unique when many people sign letters or log proposals at the same moment.

These run on PostgreSQL, each thread on its own connection, all released together by a
barrier. The services keep numbers apart by locking the counter row (the session for
proposal numbers, the DocumentCounter for document numbers) with ``select_for_update``:
without that lock two transactions would read the same last serial, take the same next
number, and one of them would fail on the unique constraint or the serials would repeat.
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from proposals import services as ps
from proposals.models import Proposal, Session
from replies import services as rs
from replies.models import DocumentCounter, ReplyLetter
from replies.numbering import allocate_document_number
from tests.factories import World

THREADS = 6
TIMEOUT = 60


def run_together(chunks, prepare, work):
    """Run ``work(prepared, item)`` for every item, one thread per chunk, started at once.

    ``prepare(chunk)`` runs in the thread before the barrier (loading rows), so that the
    threads meet the critical section together. Returns the results and the errors.
    """
    barrier = threading.Barrier(len(chunks), timeout=TIMEOUT)
    results, errors = [], []
    lock = threading.Lock()

    def thread_main(chunk):
        try:
            prepared = prepare(chunk)
            barrier.wait()
            for item in prepared:
                result = work(item)
                with lock:
                    results.append(result)
        except BaseException as error:  # reported by the test, not lost in the thread
            with lock:
                errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_main, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return results, errors


def split(items, parts):
    return [items[i::parts] for i in range(parts)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_many_letters_at_once_gives_distinct_serials():
    world = World.build()
    letter_ids = []
    for _ in range(12):
        _proposal, letter = world.ready_letter()
        rs.letter_submit(letter=letter, actor=world.lead_officer)
        letter_ids.append(letter.pk)
    assert not DocumentCounter.objects.exists()  # the counter itself starts in the race
    User = get_user_model()

    def prepare(ids):
        approver = User.objects.get(pk=world.lead_approver.pk)
        return [(approver, ReplyLetter.objects.get(pk=pk)) for pk in ids]

    def work(item):
        approver, letter = item
        signed = rs.letter_sign(letter=letter, actor=approver, signed_on=datetime.date(2023, 7, 7))
        return signed.number

    numbers, errors = run_together(split(letter_ids, THREADS), prepare, work)

    assert errors == []
    letters = ReplyLetter.objects.filter(pk__in=letter_ids)
    assert sorted(letters.values_list("doc_serial", flat=True)) == list(range(1, 13))
    assert sorted(numbers) == sorted(f"测工商联函〔2023〕{serial}号" for serial in range(1, 13))
    assert sorted(letters.values_list("number", flat=True)) == sorted(numbers)
    assert {letter.state for letter in letters} == {"signed"}
    assert DocumentCounter.objects.get(prefix="测工商联函", year=2023).last_serial == 12
    assert DocumentCounter.objects.count() == 1
    assert set(Proposal.objects.values_list("state", flat=True)) == {"replied"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_logging_many_proposals_at_once_gives_distinct_numbers():
    world = World.build()
    User = get_user_model()

    def prepare(chunk):
        liaison = User.objects.get(pk=world.liaison.pk)
        session = Session.objects.get(pk=world.session.pk)
        return [(liaison, session, title) for title in chunk]

    def work(item):
        liaison, session, title = item
        proposal = ps.proposal_create(
            session=session, title=title, actor=liaison,
            proposers=[{"name": "民建测试市委会", "kind": "party"}],
            recommendations=[{"title": "一条建议"}],
        )
        return proposal.number

    titles = [f"关于第{n}件事的建议" for n in range(1, 13)]
    numbers, errors = run_together(split(titles, THREADS), prepare, work)

    assert errors == []
    assert sorted(numbers) == [f"132{serial:03d}" for serial in range(1, 13)]
    assert sorted(Proposal.objects.values_list("number", flat=True)) == sorted(numbers)
    assert Session.objects.get(pk=world.session.pk).last_serial == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transactions_start_a_new_counter_at_the_same_moment():
    # Each transaction keeps its lock a moment after taking its number, so the other one
    # is certain to arrive while the first has created the counter but not committed: a
    # plain "get, else create" would fail here on the unique (prefix, year) constraint.
    def work(item):
        prefix, year = item
        with transaction.atomic():
            number = allocate_document_number(prefix, year)
            time.sleep(0.3)
        return number

    chunks = [[("测新函", 2031)], [("测新函", 2031)]]
    numbers, errors = run_together(chunks, lambda chunk: chunk, work)

    assert errors == []
    assert sorted(n.serial for n in numbers) == [1, 2]
    assert {str(n) for n in numbers} == {"测新函〔2031〕1号", "测新函〔2031〕2号"}
    assert list(DocumentCounter.objects.values_list("prefix", "year", "last_serial")) == [
        ("测新函", 2031, 2),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_transactions_start_new_counters_for_several_years():
    # Three transactions per year: those that wait for the first to create the counter
    # then read it together, and only the row lock keeps them from taking one serial.
    def work(item):
        prefix, year = item
        with transaction.atomic():
            number = allocate_document_number(prefix, year)
            time.sleep(0.05)
        return number

    items = [("测新函", 2031), ("测新函", 2032)] * 6
    numbers, errors = run_together(split(items, THREADS), lambda chunk: chunk, work)

    assert errors == []
    for year in (2031, 2032):
        assert sorted(n.serial for n in numbers if n.year == year) == [1, 2, 3, 4, 5, 6]
    assert sorted(DocumentCounter.objects.values_list("year", "last_serial")) == [(2031, 6), (2032, 6)]
