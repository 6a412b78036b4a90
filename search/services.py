"""Keeping the search index current: every write to ``SearchEntry`` is here.

The services that change proposals, recommendations, sections and letters ask for a
refresh with :func:`search.hooks.reindex_on_commit`; the refresh re-reads the object
after the commit, so it always indexes what was saved. ``rebuild_all`` rebuilds the
whole index in batches (``manage.py search_index --rebuild``), for bulk loads.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Prefetch

from proposals.models import Proposal, Recommendation, Signature
from replies.composition import letter_paragraphs
from replies.models import ReplyLetter, Section

from . import profiles
from .analysis import BODY, KEYWORDS, TITLE, fold, terms_vector
from .models import SearchEntry
from .selectors import index_changed
from .similarity import proposal_texts

Kind = SearchEntry.Kind
BATCH = 500
UPDATED_FIELDS = ["proposal", "session", "title", "keywords", "text", "folded", "terms", "updated_at"]


def entry(kind: str, object_id: int, proposal: Proposal, *, title: str, keywords: str = "",
          text: str = "") -> SearchEntry:
    """An unsaved entry: the title, keywords and text with their folded form and terms.

    The folded form is title, keywords and text on three lines (each with its own line
    breaks turned into spaces), so the title is what comes before the first line break.
    """
    title = " ".join((title or "").split())[:400]
    keywords = " ".join((keywords or "").split())[:500]
    text = text or ""
    return SearchEntry(
        kind=kind, object_id=object_id, proposal_id=proposal.pk, session_id=proposal.session_id,
        title=title, keywords=keywords, text=text,
        folded="\n".join([fold(title), fold(keywords), fold(" ".join(text.split()))]),
        terms=terms_vector((TITLE, title), (KEYWORDS, keywords), (BODY, text)),
    )


# ---------------------------------------------------------------- what each kind says


def proposal_entry(proposal: Proposal) -> SearchEntry:
    """A proposal: its title and text; its number, proposers and category as keywords.

    Reads ``proposal.signatures`` (with proposers) and ``proposal.category``.
    """
    names = [s.proposer.name for s in proposal.signatures.all()]
    category = proposal.category.name if proposal.category_id else ""
    return entry(Kind.PROPOSAL, proposal.pk, proposal, title=proposal.title,
                 keywords=" ".join([proposal.number, *names, category]), text=proposal.body)


def recommendation_entry(recommendation: Recommendation, proposal: Proposal) -> SearchEntry:
    return entry(Kind.RECOMMENDATION, recommendation.pk, proposal, title=recommendation.title,
                 keywords=proposal.number, text=recommendation.body)


def section_entry(section: Section) -> SearchEntry:
    """A section: which agency answers which recommendation, its adoption status and text.

    Reads ``section.recommendation.proposal``, ``section.agency`` and ``section.adoption``.
    """
    recommendation = section.recommendation
    proposal = recommendation.proposal
    title = f"{section.agency.name} · 第{recommendation.ordinal}条建议 · {recommendation.title}"
    adoption = section.adoption.label if section.adoption_id else ""
    return entry(Kind.SECTION, section.pk, proposal, title=title,
                 keywords=" ".join([proposal.number, adoption]), text=section.body)


def letter_entry(letter: ReplyLetter) -> SearchEntry:
    """A letter: its title, number and wording; once signed, the parts fixed in it.

    Reads ``letter.proposal`` and ``letter.agency``.
    """
    lines = [letter.addressee, letter.opening]
    for part in letter.parts or []:
        lines.append(part.get("heading", ""))
        lines.extend(letter_paragraphs(part))
    lines += [letter.closing, letter.signatory, letter.note]
    return entry(Kind.LETTER, letter.pk, letter.proposal, title=letter.title,
                 keywords=" ".join([letter.number or "", letter.proposal.number, letter.agency.name]),
                 text="\n".join(line for line in lines if line))


# ---------------------------------------------------------------- writing entries


def _save(entries: Iterable[SearchEntry]) -> int:
    entries = list(entries)
    if entries:
        SearchEntry.objects.bulk_create(
            entries, batch_size=BATCH, update_conflicts=True,
            unique_fields=["kind", "object_id"], update_fields=UPDATED_FIELDS,
        )
    return len(entries)


def _proposals():
    return Proposal.objects.select_related("category").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("proposer")),
        Prefetch("recommendations", queryset=Recommendation.objects.order_by("ordinal")),
    )


def _sections():
    return Section.objects.select_related("recommendation__proposal", "agency", "adoption")


def _letters():
    return ReplyLetter.objects.select_related("proposal", "agency")


def _proposal_entries(proposal: Proposal) -> list[SearchEntry]:
    return [proposal_entry(proposal)] + [
        recommendation_entry(r, proposal) for r in proposal.recommendations.all()
    ]


def proposal_profile(proposal: Proposal) -> profiles.Profile:
    """The proposal's subject profile, from the text its entries hold."""
    return profiles.profile_of(proposal.title, proposal_texts(proposal))


@transaction.atomic
def index_proposal(proposal: Proposal | int) -> None:
    """Refresh the entries of a proposal and of its recommendations; drop those of
    recommendations it no longer has. A proposal deleted meanwhile has none."""
    pk = getattr(proposal, "pk", proposal)
    found = _proposals().filter(pk=pk).first()
    if found is None:
        SearchEntry.objects.filter(proposal_id=pk).delete()
        profiles.delete(pk)
        return
    entries = _proposal_entries(found)
    _save(entries)
    profiles.save(pk, proposal_profile(found))
    kept = [e.object_id for e in entries if e.kind == Kind.RECOMMENDATION]
    SearchEntry.objects.filter(proposal_id=pk, kind=Kind.RECOMMENDATION).exclude(
        object_id__in=kept
    ).delete()


@transaction.atomic
def index_section(section: Section | int) -> None:
    pk = getattr(section, "pk", section)
    found = _sections().filter(pk=pk).first()
    if found is None:
        SearchEntry.objects.filter(kind=Kind.SECTION, object_id=pk).delete()
    else:
        _save([section_entry(found)])


@transaction.atomic
def index_letter(letter: ReplyLetter | int) -> None:
    pk = getattr(letter, "pk", letter)
    found = _letters().filter(pk=pk).first()
    if found is None:
        SearchEntry.objects.filter(kind=Kind.LETTER, object_id=pk).delete()
    else:
        _save([letter_entry(found)])


@transaction.atomic
def index_proposal_tree(proposal: Proposal | int) -> None:
    """A proposal with everything written on it: recommendations, sections and letters
    (after an import)."""
    pk = getattr(proposal, "pk", proposal)
    index_proposal(pk)
    _save(section_entry(s) for s in _sections().filter(recommendation__proposal_id=pk))
    _save(letter_entry(letter) for letter in _letters().filter(proposal_id=pk))
    SearchEntry.objects.filter(proposal_id=pk, kind=Kind.SECTION).exclude(
        object_id__in=Section.objects.filter(recommendation__proposal_id=pk).values("pk")
    ).delete()
    SearchEntry.objects.filter(proposal_id=pk, kind=Kind.LETTER).exclude(
        object_id__in=ReplyLetter.objects.filter(proposal_id=pk).values("pk")
    ).delete()


INDEXERS = {
    "proposal": index_proposal,
    "proposal_tree": index_proposal_tree,
    "section": index_section,
    "letter": index_letter,
}


def reindex(what: str, pk: int) -> None:
    """Refresh one object's entries: ``what`` is proposal, proposal_tree, section or letter."""
    INDEXERS[what](pk)
    transaction.on_commit(index_changed)


def _batches(queryset):
    """``queryset`` in batches of primary keys."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _in_batches(queryset, build) -> int:
    """Build and save the entries of ``queryset`` in batches of primary keys."""
    return sum(_save([entry for obj in batch for entry in build(obj)]) for batch in _batches(queryset))


def _proposals_indexed():
    """Every proposal's entries saved, a batch at a time, yielding its subject profile: the
    proposals are read once for both."""
    for batch in _batches(_proposals()):
        _save([entry for proposal in batch for entry in _proposal_entries(proposal)])
        for proposal in batch:
            yield proposal.pk, proposal_profile(proposal)


@transaction.atomic
def rebuild_all() -> dict[str, int]:
    """Rebuild the whole index from the database; returns the number of entries by kind."""
    SearchEntry.objects.all().delete()
    transaction.on_commit(index_changed)
    profiles.rebuild(_proposals_indexed())
    _in_batches(_sections(), lambda s: [section_entry(s)])
    _in_batches(_letters(), lambda letter: [letter_entry(letter)])
    counts = dict.fromkeys(Kind.values, 0)
    counts.update(SearchEntry.objects.values_list("kind").annotate(n=Count("id")).order_by())
    return counts
