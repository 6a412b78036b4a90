"""提案: sessions, proposals, their recommendations, assignments and feedback.

The models live by concern in :mod:`.sessions`, :mod:`.proposal` and :mod:`.handling`;
they are all named here, where Django and the other apps find them.
"""

from .attachments import ProposalAttachment
from .contacts import Contact, ContactQuerySet
from .handling import (
    ANSWERING_ROLES,
    Assignment,
    AssignmentQuerySet,
    ExtensionRequest,
    Feedback,
    ReleaseRequest,
    Satisfaction,
    is_overdue,
    proposal_overdue,
)
from .proposal import (
    DUE_LATEST_FIRST,
    HANDLING_STATES,
    STATE_ORDER,
    Proposal,
    ProposalQuerySet,
    ProposalState,
    Recommendation,
    Signature,
)
from .sessions import Category, Proposer, Session, proposal_number_validator, session_code_validator

__all__ = [
    "ANSWERING_ROLES", "DUE_LATEST_FIRST", "HANDLING_STATES", "STATE_ORDER", "Assignment",
    "AssignmentQuerySet", "Category", "Contact", "ContactQuerySet", "ExtensionRequest", "Feedback", "Proposal", "ProposalQuerySet",
    "ProposalAttachment", "ProposalState", "Proposer", "Recommendation", "ReleaseRequest", "Satisfaction", "Session", "Signature",
    "is_overdue", "proposal_number_validator", "proposal_overdue", "session_code_validator",
]
