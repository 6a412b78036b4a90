"""Every change to sections and reply letters goes through one of these functions.

Each is an action (:mod:`core.actions`): atomic, it locks its row, checks the move against
the model's ``MOVES`` and writes the history (see :mod:`history.moves`). They live by
concern in the modules below and are all named here.
"""

from . import attachments, letters, publication, stored, wording
from .attachments import letter_attachment_add, letter_attachment_delete
from .letters import (
    EDITABLE_LETTER_FIELDS,
    default_letter_fields,
    letter_create,
    letter_issue,
    letter_return,
    letter_set_class,
    letter_sign,
    letter_submit,
    letter_update,
    letter_void,
    section_move,
)
from .publication import letter_hold, letter_publish
from .sections import (
    section_approve,
    section_create,
    section_return,
    section_revise,
    section_submit,
    section_update,
)
from .stored import StoredPDFError, letter_pdf_bytes, letter_store_pdf
from .wording import letter_reset_part, letter_word_part

__all__ = [
    "EDITABLE_LETTER_FIELDS", "StoredPDFError", "default_letter_fields", "letter_create",
    "letter_issue", "letter_pdf_bytes", "letter_return", "letter_set_class", "letter_sign",
    "letter_store_pdf", "letter_submit", "letter_update", "letter_void", "letters", "section_approve",
    "section_create", "section_move", "section_return", "section_revise", "section_submit",
    "section_update", "stored", "letter_word_part", "letter_reset_part", "wording",
    "attachments", "letter_attachment_add", "letter_attachment_delete",
    "publication", "letter_hold", "letter_publish",
]
