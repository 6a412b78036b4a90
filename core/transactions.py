"""Steps that follow a change once it is committed: never a reason for an error page.

A change the user made is saved when its transaction commits. What follows — enqueuing
e-mails or a PDF, refreshing search entries — must not turn that saved change into an
error page: a failure is logged with its traceback (and whatever retries it has are its
own business), never raised into the request.

Django's ``on_commit(..., robust=True)`` means the same, but logs the failure with the
function's ``__qualname__``, which a ``functools.partial`` lacks: the logging itself
then fails and the request answers 500 after all. :func:`after_commit` names the step
itself.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _name(func) -> str:
    inner = getattr(func, "func", func)  # a functools.partial names its function
    return f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', repr(inner))}"


def after_commit(func, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` once the current transaction commits (at once outside
    one); a failure is logged, never raised."""
    name = _name(func)

    def step():
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("after-commit step %s%r failed; the change itself is saved", name, args)

    step.__qualname__ = f"after_commit({name})"
    transaction.on_commit(step)
