"""相似提案: the proposals of this and earlier sessions most like a given one.

Repeated proposals are common: the same issue raised again by another member, or in
a later year. When a proposal is logged or registered, liaison staff see the most
similar ones with a score, to merge a repeat (并案) or to refer to an earlier answer.

How it is computed:

1. The proposal's text (title, body, recommendations) is cut into bigrams
   (:mod:`search.analysis`); bigrams that say nothing about the subject are dropped
   — those holding a function character (的, 和, 是 …) and a short list of words every
   proposal uses (建议, 加强, 进一步 …). Its profile (:mod:`search.profiles`) is the
   counts of those of its title and of its whole text.
2. Each term is weighted by how rare it is among the proposals (inverse document
   frequency, kept by :mod:`search.profiles`): 嵌入式 and 助餐 tell more than 服务.
3. Candidates come from the search index: the entries (proposals and recommendations)
   of this and earlier sessions of the committee holding any of the proposal's most
   telling terms (count × weight), ranked by how many they hold (``ts_rank`` on
   PostgreSQL); the best ``CANDIDATES`` are kept.
4. Each candidate is scored by the weighted cosine of the profiles, ``TITLE_WEIGHT`` on
   the titles and the rest on the whole texts, and shown as a percentage. The best
   ``TOP`` scoring at least ``MIN_SCORE`` are shown.

Measured on a labelled set (``bench/similar_proposals.py``, bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Prefetch, Q, Sum, Value, When

from core.roles import is_liaison
from proposals.models import Proposal, Session
from replies.models import ReplyLetter

from .models import SearchEntry
from .profiles import Profile, Weights, cosine, profile_of, stored
from .selectors import TermsMatch, TermsRank, uses_index

Kind = SearchEntry.Kind

TOP = 5
MIN_SCORE = 0.25
TITLE_WEIGHT = 0.2
CANDIDATES = 40
QUERY_TERMS = 16

def similarity(a: Profile, b: Profile, weight) -> float:
    """The weighted cosine of the titles (``TITLE_WEIGHT``) and of the whole texts: 0 to 1."""
    return TITLE_WEIGHT * cosine(a.title, b.title, weight) + (1 - TITLE_WEIGHT) * cosine(a.full, b.full, weight)


def distinctive_terms(profile: Profile, weight, limit: int = QUERY_TERMS) -> list[str]:
    """The terms to find candidates by: the profile's, most telling first (count × weight)."""
    return sorted(profile.full, key=lambda term: (-profile.full[term] * weight(term), term))[:limit]


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


def profiles(ids: list[int]) -> dict[int, Profile]:
    """The candidates' profiles: as stored, or for a proposal without one (indexed before
    profiles were kept) from its index entries."""
    found = stored(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        titles: dict[int, str] = {}
        texts: dict[int, list[str]] = {pk: [] for pk in missing}
        rows = SearchEntry.objects.filter(
            proposal_id__in=missing, kind__in=[Kind.PROPOSAL, Kind.RECOMMENDATION]
        ).values_list("proposal_id", "kind", "title", "text").order_by("kind", "object_id")
        for proposal_id, kind, title, text in rows:
            if kind == Kind.PROPOSAL:
                titles[proposal_id] = title
                texts[proposal_id].append(text)
            else:
                texts[proposal_id] += [title, text]
        found.update({pk: profile_of(titles.get(pk, ""), texts[pk]) for pk in missing})
    return found


def scored(proposal: Proposal, *, limit: int = CANDIDATES, among: Q | None = None,
           own: Profile | None = None) -> dict[int, float]:
    """Candidates of this and earlier sessions (``among`` them, if given) and their scores."""
    own = own or profile_of(proposal.title, proposal_texts(proposal))
    weight = Weights(own.full)
    terms = distinctive_terms(own, weight)
    if not terms:
        return {}
    ids = candidates(proposal, terms, limit=limit, among=among)
    if not ids:
        return {}
    found = profiles(ids)
    weight.load(term for profile in found.values() for term in profile.full)
    return {pk: similarity(own, profile, weight) for pk, profile in found.items()}


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

    scores = scored(proposal)
    best = sorted((pk for pk in scores if scores[pk] >= min_score), key=lambda pk: (-scores[pk], -pk))
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
