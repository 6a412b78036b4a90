"""Proposers' ratings of an answer (征询意见), read: several proposers of one proposal rate
apart — online each for themself, on paper through the liaison staff — and each
proposer's latest rating of a round is theirs."""

from __future__ import annotations

from .models import Feedback, Proposal


def latest_ratings(proposal: Proposal, round_: int | None = None) -> list[Feedback]:
    """Each proposer's latest rating of a round (the current one by default), kept apart;
    paper forms recorded without naming a proposer count as one proposer's (the latest)."""
    round_ = proposal.round if round_ is None else round_
    seen, out = set(), []
    for feedback in proposal.feedback.filter(round=round_).select_related("proposer").order_by("-received_on", "-id"):
        if feedback.proposer_id in seen:
            continue
        seen.add(feedback.proposer_id)
        out.append(feedback)
    return out


def dissatisfied(proposal: Proposal) -> bool:
    """Someone's latest rating of this round is 不满意 (on either count)."""
    return any(f.is_dissatisfied for f in latest_ratings(proposal))


def summary(ratings: list[Feedback]) -> dict:
    """How many rated each count 满意, 基本满意, 不满意: {"handling": {value: n}, "result": {…}}."""
    from .models import Satisfaction

    out = {"handling": dict.fromkeys(Satisfaction.values, 0), "result": dict.fromkeys(Satisfaction.values, 0)}
    for feedback in ratings:
        out["handling"][feedback.handling] = out["handling"].get(feedback.handling, 0) + 1
        out["result"][feedback.result] = out["result"].get(feedback.result, 0) + 1
    return out


def dissatisfied_proposals():
    """Answered proposals (已答复) with a 不满意 among this round's ratings: the liaison staff
    decide whether they are handled again (重新办理)."""
    from django.db.models import Exists, F, OuterRef, Q

    from .models import Satisfaction

    unhappy = Feedback.objects.filter(proposal=OuterRef("pk"), round=F("proposal__round")).filter(
        Q(handling=Satisfaction.DISSATISFIED) | Q(result=Satisfaction.DISSATISFIED))
    return Proposal.objects.filter(state=Proposal.State.REPLIED).filter(Exists(unhappy))
