"""Background work on the search index: refreshing an object's entries again after a failure.

Database errors are retried with exponential backoff; an object deleted meanwhile has
its entries removed by the refresh itself.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError


@shared_task(name="search.reindex", autoretry_for=(DatabaseError,), retry_backoff=30,
             retry_backoff_max=1800, retry_jitter=True, max_retries=6)
def reindex_later(what: str, pk: int) -> None:
    """Refresh the search entries of ``what`` ``pk`` (see :mod:`search.hooks`)."""
    from .services import reindex

    reindex(what, pk)
