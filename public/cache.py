"""The portal's cache: whole pages for anonymous visitors, and the published PDFs.

Every key carries the publication generation, a number raised whenever any letter is
saved or deleted (signing, voiding, holding back, a changed disclosure): a voided or
held letter leaves the portal at once, not when a cache entry expires.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

GENERATION = "public:generation"
PDF_SECONDS = 24 * 3600


def generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, None)
        value = cache.get(GENERATION, 1)
    return value


def publication_changed(**kwargs) -> None:
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.add(GENERATION, 2, None)


def key(kind: str, *parts) -> str:
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"public:{kind}:{generation()}:{digest}"
