"""Every change to a proposal goes through one of these functions.

Each is an action (:mod:`core.actions`): atomic, it locks the proposal row, checks the
move against ``Proposal.MOVES`` or ``STATE_RULES`` and writes the history (see
:mod:`history.moves`). The functions live by concern in the modules below and are all
named here.
"""

from . import common
from .answering import (
    feedback_record,
    proposal_close,
    proposal_mark_replied_if_complete,
    proposal_reopen,
)
from .assignment import assignment_add, assignment_change_due, assignment_remove, proposal_assign
from .common import MAX_SERIAL, allocate_proposal_number, note_proposal_number, today
from .intake import proposal_create, proposal_update
from .review import proposal_convert, proposal_merge, proposal_register, proposal_withdraw

__all__ = [
    "MAX_SERIAL", "allocate_proposal_number", "assignment_add", "assignment_change_due",
    "assignment_remove", "common", "feedback_record", "note_proposal_number", "proposal_assign",
    "proposal_close", "proposal_convert", "proposal_create", "proposal_mark_replied_if_complete",
    "proposal_merge", "proposal_register", "proposal_reopen", "proposal_update", "proposal_withdraw",
    "today",
]
