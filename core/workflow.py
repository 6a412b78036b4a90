"""State machines written once as data, and the one way to move along them.

Each workflow model declares ``MOVES``: a mapping of move name to a
:class:`Move` (the states it may start from, the state it leads to, its label).
:func:`check_move` asks whether an object may make a move now;
``history.moves.transition`` makes it and writes the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the domain refuses; the message is for the user."""

    def __init__(self, message: Any, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class IllegalMove(DomainError):
    """A move that the object's current state does not allow."""


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    label: Any

    def __init__(self, sources, target, label):
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "label", label)


def state_label(obj, state: str) -> str:
    choices = dict(type(obj).State.choices)
    return str(choices.get(state, state))


def check_move(obj, move_name: str) -> Move:
    """Return the move if ``obj`` may make it now, else raise :class:`IllegalMove`."""
    moves = type(obj).MOVES
    move = moves[move_name]
    if obj.state not in move.sources:
        allowed = "、".join(state_label(obj, s) for s in sorted(move.sources))
        raise IllegalMove(
            format_lazy(
                _("不能{move}：该{kind}当前状态为“{state}”，只有处于“{allowed}”状态时才能{move}。"),
                move=move.label,
                kind=type(obj)._meta.verbose_name,
                state=state_label(obj, obj.state),
                allowed=allowed,
            )
        )
    return move


class Workflow:
    """What a workflow model answers about itself, for the services that refuse and the
    pages and admin that show buttons and warnings — so both say the same thing.

    ``MOVES`` are its state moves; ``STATE_RULES`` names other things that only some states
    allow (editing the content, recording feedback …): ``{name: (states, message)}``, the
    message taking ``%(state)s``.
    """

    MOVES: dict = {}
    STATE_RULES: dict = {}

    def refusal(self, name: str) -> str:
        """Why ``name`` (a move or a state rule) is not allowed now; "" when it is."""
        if name in self.MOVES:
            try:
                check_move(self, name)
            except IllegalMove as error:
                return error.message
            return ""
        states, message = self.STATE_RULES[name]
        if self.state in states:
            return ""
        return str(message) % {"state": state_label(self, self.state)}

    def can(self, name: str) -> bool:
        return not self.refusal(name)

    def available_moves(self) -> list[str]:
        """The moves its state allows now (who may make them is the roles' business)."""
        return [name for name in self.MOVES if self.can(name)]

    def check_allowed(self, name: str) -> None:
        """Raise :class:`IllegalMove` with the refusal when ``name`` is not allowed now."""
        if message := self.refusal(name):
            raise IllegalMove(message)


class ConcurrentEdit(DomainError):
    """Someone else saved the object since this user loaded it.

    ``changes`` maps each field this user was saving to the value saved meanwhile;
    the form compares it with what the user started from to show what changed.
    """

    def __init__(self, message, *, changes: dict | None = None, current_version: int | None = None):
        super().__init__(message)
        self.changes = changes or {}
        self.current_version = current_version


def require_reason(reason: str, what) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(format_lazy(_("{what}需要填写理由。"), what=what), field="reason")
    return reason
