"""The one call the writing services make: refresh an object's search entries after commit.

Kept free of model imports so that any service module can import it.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction


def _reindex(what: str, pk: int) -> None:
    from .services import reindex

    reindex(what, pk)


def reindex_on_commit(what: str, pk: int) -> None:
    """Once the current transaction commits, refresh the search entries of ``what``
    (proposal, proposal_tree, section or letter) ``pk``.

    A failure is logged and does not undo the change, which is saved already; the
    index catches up at the object's next change or with ``search_index --rebuild``.
    """
    transaction.on_commit(partial(_reindex, what, pk), robust=True)
