"""Making a move: the one way along a state machine declared in ``MOVES``."""

from __future__ import annotations

from core.workflow import check_move

from .models import StateChange


def transition(obj, move_name: str, *, actor=None, reason: str = "", proposal=None,
               update_fields: list[str] | None = None, data: dict | None = None):
    """Move ``obj`` along ``move_name``: check, set the state, save, record history.

    The caller is an action (:mod:`core.actions`) holding the row lock
    (``select_for_update``); the history line marks what the move touched, and the action
    brings whatever is derived from it up to date at its end.
    """
    move = check_move(obj, move_name)
    source = obj.state
    obj.state = move.target
    fields = ["state", *(update_fields or [])]
    if hasattr(obj, "updated_at"):
        fields.append("updated_at")
    obj.save(update_fields=sorted(set(fields)))
    return StateChange.record(
        obj,
        action=move_name,
        source=source,
        target=move.target,
        actor=actor,
        reason=reason,
        proposal=proposal,
        data=data,
    )
