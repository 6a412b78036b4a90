"""How the index follows the writes: once an action commits, the objects whose indexed
text it changed are indexed again (:mod:`core.actions`), one refresh per object.

Which history actions change indexed text is said here, once, per model; the services
that write know nothing of the index. Kept free of model imports so that registering it
imports nothing.

The refresh runs once the change is committed, in the same process, so that what was
just saved is found at once. It never turns the saved change into an error page: a
failure is logged with the object named, and handed to the ``search.reindex`` task, which
tries again later with backoff (on a worker when a broker is configured). Whatever still
fails is caught up at the object's next change or by ``manage.py search_index --rebuild``.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# model label -> [(history actions, what to index)], the first that matches wins.
INDEXED = {
    "proposals.proposal": [({"import"}, "proposal_tree"), ({"create", "update"}, "proposal")],
    "replies.section": [({"create", "update"}, "section")],
    "replies.replyletter": [({"create", "update", "sign"}, "letter")],
}


def reindex_now_or_later(what: str, pk: int) -> None:
    from .services import reindex

    try:
        reindex(what, pk)
    except Exception:
        logger.exception("search entries of %s %s not refreshed; trying again later", what, pk)
        from .tasks import reindex_later

        try:
            reindex_later.apply_async((what, pk), countdown=30)
        except Exception:
            logger.exception("search entries of %s %s could not be queued; "
                             "the next change or a rebuild catches them up", what, pk)


def to_reindex(touched) -> list[tuple[str, int]]:
    """What an action's record asks to index again, each object once."""
    jobs = []
    for (label, pk), done in touched.objects.items():
        for actions, what in INDEXED.get(label, ()):
            if done & actions:
                jobs.append((what, pk))
                break
    return jobs


def reindex_touched(touched) -> None:
    """Run after an action commits: each object's refresh on its own, failures retried."""
    for what, pk in to_reindex(touched):
        reindex_now_or_later(what, pk)
