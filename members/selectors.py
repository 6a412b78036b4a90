"""What a proposer reads: their own proposals (as lead or co-signer) and what the offices
have made public to them — the review decision, the assignments, the contacts and the
signed letters. Nothing internal to an agency (sections, drafts, returns, unsigned or
voided letters, the offices' history) is read here."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404

from history.models import StateChange
from proposals.models import Assignment, Contact, Proposal, Recommendation, Signature
from replies.models import ReplyLetter

from .models import Invitation, OnlineProposal

REVIEW_MOVES = ("register", "convert", "merge", "withdraw")


def my_proposals(proposer):
    """Proposals ``proposer`` signs (lead, confirmed co-signer, or a paper co-signature)."""
    if proposer is None:
        return Proposal.objects.none()
    return Proposal.objects.filter(signatures__proposer=proposer).select_related("session", "category")


def my_proposal(proposer, pk: int) -> Proposal:
    proposal = (
        my_proposals(proposer)
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("proposer")),
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("ordinal")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("agency")
                     .annotate(role_order=Assignment.role_order()).order_by("role_order", "agency__code")),
            Prefetch("contacts", queryset=Contact.objects.select_related("agency")
                     .order_by("contacted_on", "id")),
            Prefetch("letters", queryset=ReplyLetter.objects.final().select_related("agency")
                     .order_by("round", "signed_on", "id"), to_attr="signed_letters"),
        )
        .filter(pk=pk).first()
    )
    if proposal is None:
        raise Http404
    return proposal


def review_decision(proposal: Proposal) -> StateChange | None:
    """The liaison staff's decision on the proposal (立案, 转为意见建议, 并案, 撤案), with its reason."""
    return (StateChange.objects.filter(proposal=proposal, action__in=REVIEW_MOVES,
                                       content_type__model="proposal", content_type__app_label="proposals")
            .order_by("-at", "-id").first())


def my_letter(proposer, pk: int) -> ReplyLetter:
    letter = ReplyLetter.objects.final().select_related("agency", "proposal").filter(
        pk=pk, proposal__in=my_proposals(proposer).values("pk")).first()
    if letter is None:
        raise Http404
    return letter


def my_online(proposer):
    """Online proposals ``proposer`` writes, or is invited to co-sign."""
    return OnlineProposal.objects.of(proposer).select_related("session", "lead", "category", "proposal")


def online_for(proposer, pk: int) -> OnlineProposal:
    online = my_online(proposer).filter(pk=pk).prefetch_related(
        Prefetch("invitations", queryset=Invitation.objects.select_related("proposer")), "attachments").first()
    if online is None:
        raise Http404
    return online


def invitations_for(proposer):
    return Invitation.objects.filter(proposer=proposer).select_related("online__lead", "online__session")


def pending_invitations(proposer):
    return invitations_for(proposer).filter(state=Invitation.State.PENDING,
                                            online__state=OnlineProposal.State.DRAFT)


def invitation_for(proposer, pk: int, *, as_lead: bool = False) -> Invitation:
    """An invitation addressed to ``proposer`` — or, with ``as_lead``, one they sent."""
    found = Invitation.objects.select_related("online", "proposer").filter(
        Q(online__lead=proposer) if as_lead else Q(proposer=proposer), pk=pk).first()
    if found is None:
        raise Http404
    return found
