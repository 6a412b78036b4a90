"""Actions: every write is one, and an action keeps its own consequences.

A write changes rows; other data is derived from them (each assignment's answer facts,
the search index). The code that makes the change names what it touched and nothing
else; what is derived is brought up to date once, at the end of the outermost action:

- :func:`action` is ``transaction.atomic`` plus a :class:`Touched` record held for the
  outermost action of the thread; a nested action joins it (its savepoint is its own,
  the record is shared).
- Writing history (``history.models.StateChange.record``) calls :func:`touch`, which marks
  the proposal and the object with the history's action; a write that writes no history
  calls :func:`touch` itself.
- Apps above the ground floor register what follows with :func:`on_finish` (run inside
  the transaction, with the record: the answer facts are refreshed there) and
  :func:`after_commit_of` (run once the transaction commits, each failure logged and
  never raised: the search index is updated there).

This module imports nothing from the apps: they register themselves in ``ready()``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from .transactions import after_commit

logger = logging.getLogger(__name__)

_local = threading.local()
_finishers: list[Callable[[Touched], None]] = []
_committers: list[Callable[[Touched], None]] = []


@dataclass
class Touched:
    """What the outermost action touched so far."""

    proposals: set[int] = field(default_factory=set)
    # (model label in lower case, primary key) -> the history actions done to the object
    objects: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def actions_on(self, label: str) -> dict[int, set[str]]:
        """The objects of one model (``"replies.replyletter"``) touched, with their actions."""
        return {pk: done for (model, pk), done in self.objects.items() if model == label}

    def __bool__(self) -> bool:
        return bool(self.proposals or self.objects)


def current() -> Touched | None:
    """The record of the action running in this thread, or None outside any action."""
    return getattr(_local, "touched", None)


def touch(obj=None, *, proposal=None, action: str = "") -> None:
    """Mark ``obj`` (with the history ``action`` done to it) and ``proposal`` (a proposal or
    its pk) as touched by the running action. Outside an action nothing is kept: the
    write is a bulk one that keeps its derived data itself (the data generator)."""
    touched = current()
    if touched is None:
        return
    if proposal is not None:
        touched.proposals.add(getattr(proposal, "pk", proposal))
    if obj is not None and obj.pk is not None:
        done = touched.objects.setdefault((obj._meta.label_lower, obj.pk), set())
        if action:
            done.add(action)


def on_finish(func: Callable[[Touched], None]) -> None:
    """Run ``func(touched)`` at the end of every outermost action, inside its transaction."""
    if func not in _finishers:
        _finishers.append(func)


def after_commit_of(func: Callable[[Touched], None]) -> None:
    """Run ``func(touched)`` once every outermost action has committed; failures are logged."""
    if func not in _committers:
        _committers.append(func)


def action(func):
    """Make ``func`` an action: atomic, and keeping the consequences of what it touches."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        if current() is not None:
            with transaction.atomic():
                return func(*args, **kwargs)
        touched = Touched()
        _local.touched = touched
        try:
            with transaction.atomic():
                result = func(*args, **kwargs)
                # An action that touched nothing has nothing to bring up to date.
                if touched:
                    for finish in _finishers:
                        finish(touched)
                    for follow in _committers:
                        after_commit(follow, touched)
            return result
        finally:
            _local.touched = None

    run.is_action = True
    return run


def is_action(func) -> bool:
    return getattr(func, "is_action", False)
