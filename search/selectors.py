"""Reading the search index: what a user may find, matched and ranked.

On PostgreSQL the GIN index on the entries' terms finds the candidates (see
:mod:`search.analysis` and docs/search.md) and ``ts_rank`` ranks them. Elsewhere, and
for a query of lone characters, the folded text is scanned, and the score counts the
occurrences of the query's words, ten more for a word in the title.

A common two-character word is in tens of thousands of entries, and scoring every one
of them takes longer than a page may. So the search ranks the ``RESULT_LIMIT`` most
recent entries holding every word (latest session first); a user who gets more adds a
word. The counts are exact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Length, Replace, StrIndex
from django.db.models.lookups import GreaterThan, LessThan

from core.roles import is_liaison
from proposals.models import Proposal
from replies.models import ReplyLetter, Section

from .analysis import Query, parse_query
from .models import SearchEntry

Kind = SearchEntry.Kind
KIND_ORDER = {kind: position for position, kind in enumerate(Kind.values)}
TITLE_BONUS = 10
RESULT_LIMIT = 1000  # entries ranked and listed, the most recent first chosen


class TermsMatch(Func):
    """``terms @@ query::tsquery`` (PostgreSQL)."""

    arity = 2
    arg_joiner = " @@ "
    template = "(%(expressions)s::tsquery)"
    output_field = BooleanField()


class TermsRank(Func):
    """``ts_rank(terms, query::tsquery)`` (PostgreSQL)."""

    arity = 2
    template = "ts_rank(%(expressions)s::tsquery)"
    output_field = FloatField()


def uses_index() -> bool:
    return connection.vendor == "postgresql"


def sees_every_entry(user) -> bool:
    return user is not None and user.is_authenticated and is_liaison(user)


def visible_entries(user) -> QuerySet:
    """The entries ``user`` may find: those of the proposals, sections and letters they
    may read (``visible_to``); a recommendation goes with its proposal."""
    entries = SearchEntry.objects.all()
    if user is None or not user.is_authenticated:
        return entries.none()
    if sees_every_entry(user):
        return entries
    return entries.filter(
        Q(kind__in=[Kind.PROPOSAL, Kind.RECOMMENDATION],
          proposal_id__in=Proposal.objects.visible_to(user).values("pk"))
        | Q(kind=Kind.SECTION, object_id__in=Section.objects.visible_to(user).values("pk"))
        | Q(kind=Kind.LETTER, object_id__in=ReplyLetter.objects.visible_to(user).values("pk"))
    )


def occurrences(word: str):
    """How many times ``word`` occurs in an entry's folded text, as SQL."""
    removed = Length(Replace(F("folded"), Value(word), Value("")))
    return Cast((Length("folded") - removed) / Value(len(word)), IntegerField())


def in_title(word: str) -> Q:
    """``word`` occurs in the title: the folded text's first line."""
    at = StrIndex(F("folded"), Value(word))
    return Q(GreaterThan(at, 0), LessThan(at, StrIndex(F("folded"), Value("\n"))))


def simple_score(query: Query):
    """Occurrences of every word, plus ``TITLE_BONUS`` for each word in the title."""
    score = Value(0)
    for word in query.words:
        bonus = Case(When(in_title(word), then=Value(TITLE_BONUS)), default=Value(0))
        score = score + occurrences(word) + bonus
    return Cast(score, FloatField())


def matching(entries: QuerySet, query: Query) -> QuerySet:
    """The entries holding every word of ``query``."""
    if uses_index() and query.indexed:
        entries = entries.filter(TermsMatch(F("terms"), Value(query.tsquery())))
        words = query.text_words()
    else:
        words = query.words
    for word in words:
        entries = entries.filter(folded__contains=word)
    return entries


def score(query: Query):
    """How well an entry matches ``query``: ``ts_rank`` with the index, else :func:`simple_score`."""
    if uses_index() and query.indexed:
        return TermsRank(F("terms"), Value(query.rank_tsquery()))
    return simple_score(query)


def kind_order():
    return Case(*(When(kind=k, then=Value(i)) for k, i in KIND_ORDER.items()),
                output_field=IntegerField())


def search(user, q: str | Query, kind: str | None = None) -> QuerySet:
    """What ``user`` finds for ``q``: the ``RESULT_LIMIT`` most recent entries holding
    every word, ranked best first, annotated with ``score``.

    ``kind`` (proposal, recommendation, section, letter) keeps one kind. Raises
    :class:`search.analysis.QueryTooShort` for a query without a word of two characters.
    """
    query = q if isinstance(q, Query) else parse_query(q)
    entries = visible_entries(user)
    if not query.words:
        return entries.none()
    if kind in KIND_ORDER:
        entries = entries.filter(kind=kind)
    recent = matching(entries, query).order_by("-session__year", "-session_id", "-id")
    return (
        SearchEntry.objects.filter(pk__in=recent.values("pk")[:RESULT_LIMIT])
        .annotate(score=score(query))
        .select_related("proposal", "session")
        .defer("folded", "terms", "proposal__body")
        .order_by("-score", kind_order(), "-id")
    )


def kind_counts(user, query: Query) -> dict[str, int]:
    """How many entries of each kind ``user`` finds for ``query``, in one query."""
    counts = dict.fromkeys(Kind.values, 0)
    if query.words:
        found = matching(visible_entries(user), query).values_list("kind").annotate(n=Count("id"))
        counts.update(found.order_by())
    return counts


# ---------------------------------------------------------------- the results page, cached


@dataclass
class Results:
    """What the results page shows: the count of each kind, and the ranked entries as
    (pk, score), best first (at most ``RESULT_LIMIT``)."""

    counts: dict[str, int]
    ranked: list[tuple[int, float]]


GENERATION_KEY = "search:generation"


def index_changed() -> None:
    """Every write to the index calls this: cached results are not used again."""
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # expired between the two calls
            cache.add(GENERATION_KEY, 1, timeout=None)


def results(user, query: Query, kind: str | None = None) -> Results:
    """The counts and ranking for ``user``. Those who may read every entry find the
    same, so their results are kept ``SEARCH_CACHE_SECONDS`` or until the index changes."""
    def compute() -> Results:
        ranked = search(user, query, kind).values_list("pk", "score")
        return Results(kind_counts(user, query), [(pk, float(score)) for pk, score in ranked])

    seconds = settings.SEARCH_CACHE_SECONDS
    if not seconds or not sees_every_entry(user):
        return compute()
    words = hashlib.sha256("\x1f".join(query.words).encode()).hexdigest()
    key = f"search:results:{cache.get(GENERATION_KEY, 0)}:{kind or ''}:{words}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def entries(ranked: list[tuple[int, float]]) -> list[SearchEntry]:
    """The entries of ``ranked`` in its order, each with its ``score``; one deleted since
    it was ranked is left out."""
    by_pk = (
        SearchEntry.objects.select_related("proposal", "session")
        .defer("folded", "terms", "proposal__body").in_bulk([pk for pk, _score in ranked])
    )
    found = []
    for pk, score in ranked:
        if pk in by_pk:
            by_pk[pk].score = score
            found.append(by_pk[pk])
    return found
