"""What the proposal services share: today's date, locking, validation, numbering."""

from __future__ import annotations

import contextlib
import contextvars
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.workflow import (
    DomainError,
)

from ..models import (
    Proposal,
    Session,
)

MAX_SERIAL = 999


# The day the services take as today, when a caller has pinned one (see ``as_of``).
_pinned: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("today", default=None)


def today() -> datetime.date:
    """Today for the services' rules (the 退办 window, a reassignment's start): the local
    date, or the day pinned by :func:`as_of`."""
    return _pinned.get() or timezone.localdate()


@contextlib.contextmanager
def as_of(day: datetime.date):
    """Inside, the services take ``day`` as today: the demo, told as of the week it is
    loaded in, makes its requests on the story's own days."""
    token = _pinned.set(day)
    try:
        yield
    finally:
        _pinned.reset(token)


def lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(f"{messages[0]}", field=field) from error


# ---------------------------------------------------------------- numbering


@action
def allocate_proposal_number(session: Session) -> str:
    """Allocate the next number of ``session``: term + meeting + three-digit serial.

    Locks the session row, so two proposals logged at once never get one number.
    Must run inside a transaction.
    """
    session = Session.objects.select_for_update().get(pk=session.pk)
    serial = session.last_serial
    while True:
        serial += 1
        if serial > MAX_SERIAL:
            raise DomainError(_("%(session)s的提案号已用完（最多999件）。") % {"session": session.name})
        number = f"{session.number_prefix}{serial:03d}"
        if not Proposal.objects.filter(session__committee=session.committee, number=number).exists():
            break
    Session.objects.filter(pk=session.pk).update(last_serial=serial)
    return number


@action
def note_proposal_number(session: Session, number: str) -> None:
    """Move the session's counter past an imported or typed-in number."""
    serial = session.serial_of(number)
    if serial is None:
        return
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if serial > locked.last_serial:
        Session.objects.filter(pk=session.pk).update(last_serial=serial)
