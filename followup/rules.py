"""Which answers carry a commitment (承诺): 正在落实 and 列入计划 promise work still to do."""

from __future__ import annotations

# Codes of the adoption statuses (replies.AdoptionStatus) whose sections state what the
# agency will do and by when.
COMMITMENT_ADOPTIONS = frozenset({"in_progress", "planned"})
WHAT_MAX = 1000
REPORT_MAX = 2000
# The latest a commitment may be due: this many years from the day it is written.
LONGEST_YEARS = 5


def needs_commitment(adoption) -> bool:
    """Whether a section with ``adoption`` (an AdoptionStatus or its code) carries a commitment."""
    code = getattr(adoption, "code", adoption)
    return code in COMMITMENT_ADOPTIONS
