"""What the reader, the importer and the exporter share: the format's name and its errors."""

from __future__ import annotations

FORMAT = "proposal-replies/1"


class InterchangeError(Exception):
    """A file that cannot be imported; ``errors`` lists every problem, one per line.

    Each error reads ``place: problem``, e.g.
    ``proposals[0].sections[2].agency: unknown agency "xyz"``.
    """

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def default_parts(letter) -> list[dict]:
    """The parts a letter has when the file gives none.

    A signed, issued or voided letter holds the text fixed at signing, which is what
    its approved sections give; a letter not yet signed holds none. ``letter`` needs
    only its proposal, agency and state, so an unsaved letter will do.
    """
    from replies.composition import build_parts
    from replies.models import ReplyLetter

    final = (ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED, ReplyLetter.State.VOIDED)
    return build_parts(letter, wording=False) if letter.state in final else []
