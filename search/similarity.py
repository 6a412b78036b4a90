"""相似提案: the proposals of this and earlier sessions most like a given one.

Repeated proposals are common: the same issue raised again by another member, or in
a later year. When a proposal is logged or registered, liaison staff see the most
similar ones with a score, to merge a repeat (并案) or to refer to an earlier answer.

How it is computed:

1. The proposal's text (title, body, recommendations) is cut into bigrams
   (:mod:`search.analysis`); bigrams that say nothing about the subject are dropped
   — those holding a function character (的, 和, 是 …) and a short list of words every
   proposal uses (建议, 加强, 进一步 …).
2. Candidates come from the search index: the entries (proposals and recommendations)
   of this and earlier sessions of the committee holding any of the proposal's most
   distinctive bigrams — those of its title, then its body's most frequent — ranked by
   how many they hold (``ts_rank`` on PostgreSQL); the best ``CANDIDATES`` are kept.
3. Each candidate is scored by the Dice coefficient of bigram sets,
   ``2·|A∩B| / (|A|+|B|)``, half on the titles and half on the whole texts, and shown
   as a percentage. The best ``TOP`` scoring at least ``MIN_SCORE`` are shown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Prefetch, Q, Sum, Value, When

from core.roles import is_liaison
from proposals.models import Proposal, Session
from replies.models import ReplyLetter

from .analysis import bigrams
from .models import SearchEntry
from .selectors import TermsMatch, TermsRank, uses_index

Kind = SearchEntry.Kind

TOP = 5
MIN_SCORE = 0.2
TITLE_WEIGHT = 0.5
CANDIDATES = 30
QUERY_TERMS = 16

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


@dataclass(frozen=True)
class Document:
    """What a proposal is compared by: the subject bigrams of its title and of all its text."""

    title: frozenset[str]
    full: frozenset[str]

    @classmethod
    def of(cls, title: str, texts: list[str]) -> Document:
        title_terms = frozenset(subject_terms(title_core(title)))
        return cls(title_terms, title_terms | frozenset(subject_terms("\n".join(texts))))


def dice(a: frozenset, b: frozenset) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def similarity(a: Document, b: Document) -> float:
    """Half the Dice coefficient of the titles, half that of the whole texts: 0 to 1."""
    return TITLE_WEIGHT * dice(a.title, b.title) + (1 - TITLE_WEIGHT) * dice(a.full, b.full)


def distinctive_terms(title: str, texts: list[str], limit: int = QUERY_TERMS) -> list[str]:
    """The terms to find candidates by: the title's, then the text's most frequent."""
    chosen = list(dict.fromkeys(subject_terms(title_core(title))))
    counts = Counter(subject_terms("\n".join(texts)))
    for term, _count in sorted(counts.items(), key=lambda item: -item[1]):
        if term not in chosen:
            chosen.append(term)
    return chosen[:limit]


def earlier_sessions(session: Session) -> Q:
    """On SearchEntry: sessions of the committee up to and including ``session``."""
    return Q(session__committee=session.committee) & (
        Q(session__year__lt=session.year)
        | Q(session__year=session.year, session__term__lt=session.term)
        | Q(session__year=session.year, session__term=session.term,
            session__meeting__lte=session.meeting)
    )


def proposal_texts(proposal: Proposal) -> list[str]:
    texts = [proposal.body]
    for recommendation in proposal.recommendations.all():
        texts += [recommendation.title, recommendation.body]
    return texts


def candidates(proposal: Proposal, terms: list[str], *, limit: int = CANDIDATES,
               among: Q | None = None) -> list[int]:
    """Ids of the proposals whose entries hold most of ``terms``, best first: of this and
    earlier sessions of the committee, and ``among`` (a condition on SearchEntry) if given."""
    entries = SearchEntry.objects.filter(
        earlier_sessions(proposal.session), kind__in=[Kind.PROPOSAL, Kind.RECOMMENDATION],
    ).exclude(proposal=proposal).exclude(proposal__merged_into=proposal)
    if among is not None:
        entries = entries.filter(among)
    if uses_index():
        query = " | ".join(f"'{term}'" for term in terms)
        entries = entries.filter(TermsMatch(F("terms"), Value(query)))
        rank = Sum(TermsRank(F("terms"), Value(query)))
    else:
        held = Q()
        for term in terms:
            held |= Q(folded__contains=term)
        entries = entries.filter(held)
        rank = Sum(sum(
            (Case(When(folded__contains=term, then=Value(1)), default=Value(0),
                  output_field=IntegerField()) for term in terms),
            Value(0),
        ))
    found = entries.values("proposal_id").annotate(rank=rank).order_by("-rank", "-proposal_id")
    return [row["proposal_id"] for row in found[:limit]]


def documents(ids: list[int]) -> dict[int, Document]:
    """The candidates' documents, from their index entries."""
    titles: dict[int, str] = {}
    texts: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = SearchEntry.objects.filter(
        proposal_id__in=ids, kind__in=[Kind.PROPOSAL, Kind.RECOMMENDATION]
    ).values_list("proposal_id", "kind", "title", "text").order_by("kind", "object_id")
    for proposal_id, kind, title, text in rows:
        if kind == Kind.PROPOSAL:
            titles[proposal_id] = title
            texts[proposal_id].append(text)
        else:
            texts[proposal_id] += [title, text]
    return {pk: Document.of(titles.get(pk, ""), texts[pk]) for pk in ids}


@dataclass
class EarlierAnswer:
    """What an agency answered a similar proposal: its signed letter, the class and the
    adoption statuses of its approved sections (列入计划, 正在落实 … are promises)."""

    letter: ReplyLetter
    adoptions: list[str]

    @property
    def agency(self):
        return self.letter.agency


@dataclass
class Similar:
    proposal: Proposal
    score: float
    mergeable: bool
    answers: list[EarlierAnswer] = field(default_factory=list)
    earlier: bool = False

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def letters(self) -> list[ReplyLetter]:
        return self.proposal.final_letters


def _answers(found: dict[int, Proposal]) -> dict[int, list[EarlierAnswer]]:
    """Each proposal's signed letters with the adoption statuses of their agency's approved
    sections: one query for all the sections."""
    from replies.models import Section

    adoptions: dict[tuple[int, int], list[str]] = {}
    rows = Section.objects.filter(
        recommendation__proposal_id__in=list(found), state=Section.State.APPROVED,
    ).order_by("recommendation__ordinal", "position", "pk").values_list(
        "recommendation__proposal_id", "agency_id", "adoption__label")
    for proposal_id, agency_id, label in rows:
        labels = adoptions.setdefault((proposal_id, agency_id), [])
        if label and label not in labels:
            labels.append(label)
    return {
        pk: [EarlierAnswer(letter, adoptions.get((pk, letter.agency_id), []))
             for letter in proposal.final_letters]
        for pk, proposal in found.items()
    }


def similar_proposals(proposal: Proposal, *, top: int = TOP,
                      min_score: float = MIN_SCORE) -> list[Similar]:
    """The proposals of this and earlier sessions most similar to ``proposal``, best first.

    Each comes with its score (0 to 1), its signed letters (``final_letters``) and
    whether ``proposal`` may be merged into it. A constant number of queries.
    """
    from proposals.services.review import NOT_MERGEABLE_INTO

    texts = proposal_texts(proposal)
    terms = distinctive_terms(proposal.title, texts)
    if not terms:
        return []
    ids = candidates(proposal, terms)
    if not ids:
        return []
    own = Document.of(proposal.title, texts)
    scores = {pk: similarity(own, document) for pk, document in documents(ids).items()}
    best = sorted((pk for pk in ids if scores[pk] >= min_score), key=lambda pk: (-scores[pk], -pk))
    best = best[:top]
    found = Proposal.objects.filter(pk__in=best).select_related("session", "merged_into").prefetch_related(
        Prefetch("letters", to_attr="final_letters",
                 queryset=ReplyLetter.objects.final().select_related("agency").order_by("round", "id")),
    ).in_bulk()
    merging = proposal.state in Proposal.MOVES["merge"].sources
    answers = _answers(found)
    return [
        Similar(
            proposal=found[pk], score=scores[pk],
            mergeable=merging and found[pk].session_id == proposal.session_id
            and found[pk].state not in NOT_MERGEABLE_INTO,
            answers=answers[pk], earlier=found[pk].session_id != proposal.session_id,
        )
        for pk in best if pk in found
    ]


# States in which the proposal page shows similar proposals: while it is reviewed.
SHOWN_IN = {Proposal.State.SUBMITTED, Proposal.State.REGISTERED}


def similar_for_page(user, proposal: Proposal) -> list[Similar]:
    """Similar proposals for the proposal page: liaison staff, a proposal under review."""
    if not is_liaison(user) or proposal.state not in SHOWN_IN:
        return []
    return similar_proposals(proposal)
