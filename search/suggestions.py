"""建议承办单位: the agencies to assign a proposal to, learned from earlier assignments.

When liaison staff assign a proposal, the page suggests a lead agency and co-handlers
from how this committee's earlier proposals on the same matter were assigned. Nothing is
assigned by the suggestion; staff take it into the form or not.

How (:func:`suggest_agencies`):

1. The proposal is read whole — title, body and recommendations — so that a general
   title (关于提升城市品质的建议) over a body about one agency's work (公厕) still points
   to that agency: it is compared by its subject profile, the title counting for a fifth.
2. The neighbours are the earlier proposals of the committee already assigned, found
   and scored as similar proposals are (:mod:`search.similarity`: the weighted cosine of
   the profiles); the best ``NEIGHBOURS`` are kept, whatever their score.
3. Each neighbour votes for its lead agency with its score; co-handlers are voted for by
   the neighbours that had them (as co-handlers or separate handlers, or as a lead other
   than the suggested one). The reasons shown for an agency are the neighbours that voted
   for it, best first.

Its accuracy on a labelled set of proposals kept apart from what it learns from is
measured by ``bench/suggest_agencies.py`` (bench/RESULTS.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from agencies.models import Agency
from proposals.models import Assignment, Proposal

from .profiles import Profile
from .similarity import scored

NEIGHBOURS = 12
POOL = 60
# A neighbour scoring less says nothing about this proposal: it is not counted.
MIN_NEIGHBOUR = 0.1
QUERY_TERMS = 24
TITLE_WEIGHT = 0.25
REASONS = 3
LEADS = 3
CO_HANDLERS = 3
# A co-handler is suggested when this share of the neighbours' co-handling weight is its.
CO_SHARE = 0.3

ASSIGNED_STATES = [Proposal.State.ASSIGNED, Proposal.State.REPLIED, Proposal.State.REOPENED,
                   Proposal.State.CLOSED]


@dataclass
class Reason:
    proposal: Proposal
    score: float
    role: str

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class AgencyVote:
    agency: Agency
    share: float
    reasons: list[Reason] = field(default_factory=list)
    count: int = 0  # the neighbours that voted for it (reasons shows the best of them)


@dataclass
class Suggestion:
    leads: list[AgencyVote]
    co_handlers: list[AgencyVote]

    @property
    def lead(self) -> AgencyVote | None:
        return self.leads[0] if self.leads else None

    def __bool__(self) -> bool:
        return bool(self.leads)


def neighbours(proposal: Proposal, own: Profile | None = None) -> list[tuple[int, float]]:
    """(proposal id, score) of the most similar earlier proposals already assigned, best first
    (``own``: the profile to compare by, by default the proposal's own)."""
    found = scored(proposal, limit=POOL, among=Q(proposal__state__in=ASSIGNED_STATES), own=own)
    ranked = sorted(((pk, value) for pk, value in found.items() if value >= MIN_NEIGHBOUR),
                    key=lambda item: (-item[1], -item[0]))
    return ranked[:NEIGHBOURS]


def vote(found: list[tuple[int, float]], assignments: list[tuple[int, int, str]]
         ) -> tuple[list[tuple[int, float, list]], list[tuple[int, float, list]]]:
    """Lead and co-handler votes from neighbours and their assignments (proposal, agency, role):
    [(agency id, share, [(proposal id, score, role) …])] best first."""
    scores = dict(found)
    by_proposal: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for proposal_id, agency_id, role in assignments:
        by_proposal[proposal_id].append((agency_id, role))
    lead_weight: dict[int, float] = defaultdict(float)
    lead_reasons: dict[int, list] = defaultdict(list)
    for pk, value in found:
        for agency_id, role in by_proposal.get(pk, []):
            if role == Assignment.Role.LEAD:
                lead_weight[agency_id] += value
                lead_reasons[agency_id].append((pk, value, role))
    total = sum(lead_weight.values()) or 1.0
    leads = sorted(lead_weight, key=lambda a: (-lead_weight[a], a))
    chosen = leads[0] if leads else None
    co_weight: dict[int, float] = defaultdict(float)
    co_reasons: dict[int, list] = defaultdict(list)
    for pk, value in found:
        for agency_id, role in by_proposal.get(pk, []):
            if agency_id == chosen:
                continue
            co_weight[agency_id] += value
            co_reasons[agency_id].append((pk, value, role))
    co_total = sum(scores[pk] for pk, _value in found) or 1.0
    cos = [a for a in sorted(co_weight, key=lambda a: (-co_weight[a], a)) if co_weight[a] / co_total >= CO_SHARE]
    return (
        [(a, lead_weight[a] / total, lead_reasons[a]) for a in leads[:LEADS]],
        [(a, co_weight[a] / co_total, co_reasons[a]) for a in cos[:CO_HANDLERS]],
    )


def suggest_agencies(proposal: Proposal, own: Profile | None = None) -> Suggestion:
    """The suggested lead agencies (best first) and co-handlers, each with its reasons."""
    found = neighbours(proposal, own)
    if not found:
        return Suggestion([], [])
    ids = [pk for pk, _value in found]
    assignments = list(Assignment.objects.filter(proposal_id__in=ids, agency__is_active=True)
                       .values_list("proposal_id", "agency_id", "role"))
    leads, cos = vote(found, assignments)
    agency_ids = {a for a, _s, _r in leads + cos}
    proposal_ids = {pk for _a, _s, reasons in leads + cos for pk, _v, _role in reasons[:REASONS]}
    agencies = Agency.objects.in_bulk(agency_ids)
    proposals = Proposal.objects.select_related("session").in_bulk(proposal_ids)
    weights = dict(found)

    def votes(rows):
        return [
            AgencyVote(agencies[a], share, [
                Reason(proposals[pk], weights[pk], role) for pk, _v, role in reasons[:REASONS]], len(reasons))
            for a, share, reasons in rows if a in agencies
        ]

    return Suggestion(votes(leads), votes(cos))
