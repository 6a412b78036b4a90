"""The one call the writing services make: refresh an object's search entries after commit.

Kept free of model imports so that any service module can import it.

The refresh runs once the change is committed, in the same process, so that what was
just saved is found at once. It never turns the saved change into an error page: a
failure is logged with the object named, and handed to the ``search.reindex`` task, which
tries again later with backoff (on a worker when a broker is configured). Whatever still
fails is caught up at the object's next change or by ``manage.py search_index --rebuild``.
"""

from __future__ import annotations

import logging

from core.transactions import after_commit

logger = logging.getLogger(__name__)


def reindex_now_or_later(what: str, pk: int) -> None:
    from .services import reindex

    try:
        reindex(what, pk)
    except Exception:
        logger.exception("search entries of %s %s not refreshed; trying again later", what, pk)
        from .tasks import reindex_later

        reindex_later.apply_async((what, pk), countdown=30)


def reindex_on_commit(what: str, pk: int) -> None:
    """Once the current transaction commits, refresh the search entries of ``what``
    (proposal, proposal_tree, section or letter) ``pk``."""
    after_commit(reindex_now_or_later, what, pk)
