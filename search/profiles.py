"""Subject profiles: what each proposal is about, and how telling each term is.

A proposal's profile is the subject bigrams (:func:`search.similarity.subject_terms`) of
its title and of its whole text — title, body, recommendations — with their counts.
``TermCount`` holds, for each term, the number of proposals whose profile has it, so a
term every proposal uses (发展, 服务) weighs little and a rare one (嵌入, 助餐) much: the
weight of a term is its inverse document frequency, ``ln((N + 1) / (n + 1)) + 1`` for
N profiles of which n hold it.

Profiles are written with the proposal's search entries (:mod:`search.services`), so
they follow every change; ``rebuild`` makes them all again (``search_index --rebuild``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import F

from .analysis import bigrams
from .models import SubjectProfile, TermCount

MAX_TERM = TermCount._meta.get_field("term").max_length
# Terms read per query: under SQLite's limit on parameters (32,766) and PostgreSQL's (65,535).
CHUNK = 30000


@dataclass(frozen=True)
class Profile:
    title: Counter
    full: Counter

    @property
    def terms(self) -> set[str]:
        return set(self.full)


def _encode(counts: Counter) -> str:
    return " ".join(f"{term}:{count}" for term, count in sorted(counts.items()))


def _decode(text: str) -> Counter:
    counts = Counter()
    for pair in text.split():
        term, _sep, count = pair.rpartition(":")
        if term and count.isdigit():
            counts[term] = int(count)
    return counts


# Characters that carry grammar, not subject: a bigram holding one is left out.
FUNCTION_CHARACTERS = frozenset("的了和与及或是在对为把被等之其也而并就都将从以于")
# Bigrams of words that nearly every proposal uses.
COMMON_BIGRAMS = frozenset("""
建议 关于 提案 我市 本市 全市 进一 一步 加强 推进 推动 工作 问题 相关 部门 目前 存在 情况
方面 有关 进行 通过 提高 完善 加快 切实 积极 充分 发挥 作用 措施 落实 开展 以及 同时 一是
二是 三是 四是 五是 意见
""".split())
TITLE_AFFIXES = re.compile(r"^\s*关于|的(?:建议|提案)\s*$")


def subject_terms(text: str) -> list[str]:
    """The bigrams of ``text`` that speak of its subject, in order (with repeats)."""
    return [
        term for term in bigrams(text)
        if term not in COMMON_BIGRAMS and not FUNCTION_CHARACTERS.intersection(term)
    ]


def title_core(title: str) -> str:
    """关于加快养老服务业发展的建议 → 加快养老服务业发展."""
    return TITLE_AFFIXES.sub("", title or "")


def profile_of(title: str, texts: list[str]) -> Profile:
    title_terms = Counter(t for t in subject_terms(title_core(title)) if len(t) <= MAX_TERM)
    body = Counter(t for t in subject_terms("\n".join(texts)) if len(t) <= MAX_TERM)
    return Profile(title_terms, title_terms + body)


def _count(terms: set[str], step: int) -> None:
    if not terms:
        return
    if step > 0:
        TermCount.objects.bulk_create([TermCount(term=t) for t in sorted(terms)], ignore_conflicts=True)
    TermCount.objects.filter(term__in=sorted(terms)).update(proposals=F("proposals") + step)


def save(proposal_id: int, profile: Profile) -> None:
    """Store ``proposal_id``'s profile and move the term counts by what changed."""
    old = SubjectProfile.objects.select_for_update().filter(proposal_id=proposal_id).first()
    before = set(_decode(old.terms)) if old else set()
    after = profile.terms
    SubjectProfile.objects.update_or_create(proposal_id=proposal_id, defaults={
        "title": _encode(profile.title), "terms": _encode(profile.full)})
    _count(after - before, +1)
    _count(before - after, -1)


def delete(proposal_id: int) -> None:
    old = SubjectProfile.objects.select_for_update().filter(proposal_id=proposal_id).first()
    if old is not None:
        _count(set(_decode(old.terms)), -1)
        old.delete()


def forget(sender, instance, **kwargs) -> None:
    """Before a proposal is deleted (its profile goes with it): take its terms out of the counts."""
    delete(instance.pk)


def rebuild(profiles) -> None:
    """Replace every profile and count by ``profiles``, an iterable of (proposal id, profile)."""
    SubjectProfile.objects.all().delete()
    TermCount.objects.all().delete()
    counts = Counter()
    batch = []
    for pk, profile in profiles:
        counts.update(profile.terms)
        batch.append(SubjectProfile(proposal_id=pk, title=_encode(profile.title), terms=_encode(profile.full)))
        if len(batch) >= 500:
            SubjectProfile.objects.bulk_create(batch)
            batch = []
    SubjectProfile.objects.bulk_create(batch)
    TermCount.objects.bulk_create([TermCount(term=t, proposals=n) for t, n in counts.items()], batch_size=1000)


def stored(ids) -> dict[int, Profile]:
    """The stored profiles of the proposals ``ids``."""
    return {pk: Profile(_decode(title), _decode(terms)) for pk, title, terms in
            SubjectProfile.objects.filter(proposal_id__in=list(ids)).values_list("proposal_id", "title", "terms")}


class Weights:
    """Inverse document frequencies, the counts read once per term (``load``)."""

    def __init__(self, terms=()):
        self.total = SubjectProfile.objects.count()
        self.counts: dict[str, int] = {}
        self.load(terms)

    def load(self, terms) -> Weights:
        missing = sorted(set(terms) - set(self.counts))
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            found = dict(TermCount.objects.filter(term__in=chunk).values_list("term", "proposals"))
            self.counts.update({term: found.get(term, 0) for term in chunk})
        return self

    def __call__(self, term: str) -> float:
        return math.log((self.total + 1) / (self.counts.get(term, 0) + 1)) + 1


def cosine(a: Counter, b: Counter, weight) -> float:
    """Cosine of two term-count vectors, each term weighted by ``weight(term)``."""
    if not a or not b:
        return 0.0
    shared = set(a) & set(b)
    if not shared:
        return 0.0
    dot = sum(a[t] * b[t] * weight(t) ** 2 for t in shared)
    norm_a = math.sqrt(sum((c * weight(t)) ** 2 for t, c in a.items()))
    norm_b = math.sqrt(sum((c * weight(t)) ** 2 for t, c in b.items()))
    return dot / (norm_a * norm_b)
