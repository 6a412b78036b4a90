"""Whether each assignment's agency has answered, kept on the assignment (and each
proposal's earliest due date, kept on the proposal).

Three facts about an :class:`~proposals.models.Assignment` decide the inbox, the
reminders, the list's overdue mark and the statistics:

``answered``
    the agency has answered in the proposal's current round: a lead or separate handler
    (主办、分办) with a signed or issued letter of this round, a co-handler (会办) with
    an approved section on the proposal;
``answered_ever``
    the agency has answered in some round (a signed or issued letter of any round, or an
    approved section);
``answered_in_time``
    the agency's first answer came on or before its first round's due date (办理期限,
    extensions included; reopening sets a new one and records the one it replaced): a
    letter dated (成文日期) by then, or a section approved by then;
``awaiting``
    the assignment is in its agency's inbox (待办): the proposal is being handled
    (已交办, 重新办理), or it is 已答复 while a lead or separate handler has no signed
    letter this round (one was voided).

The definitions below are SQL over the letters, sections and history. Evaluated for
every row of a list they cost a correlated subquery each, so :func:`refresh` stores
their results on the assignment, where they are plain indexed columns. Every service
that changes what they read calls it for the proposal: every move of a proposal
(``core.workflow.transition``), approving or revising a section, signing or voiding a
letter, adding an assignment, changing a due date, importing, and the data generator. :func:`stale` lists the assignments whose stored facts disagree with
the definitions, which should be none.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from history.models import StateChange

from .models import (
    ANSWERING_ROLES,
    HANDLING_STATES,
    Assignment,
    Proposal,
)

FACTS = ("answered", "answered_ever", "answered_in_time", "awaiting")


def _final_letters(**filters):
    from replies.models import ReplyLetter

    return ReplyLetter.objects.final().filter(**filters)


def _approved_sections():
    from replies.models import Section

    return Section.objects.filter(
        recommendation__proposal=OuterRef("proposal"), agency=OuterRef("agency"),
        state=Section.State.APPROVED,
    )


def first_due():
    """On an Assignment queryset: the due date of the first round. Reopening (重新办理)
    sets a new due date and records the one it replaced."""
    replaced = StateChange.objects.filter(
        content_type__app_label="proposals", content_type__model="assignment",
        object_id=OuterRef("pk"), action="rehandling_due",
    ).order_by("at", "id").annotate(
        replaced=Cast(KT("data__from"), output_field=DateField())
    ).values("replaced")[:1]
    return Coalesce(Subquery(replaced, output_field=DateField()), F("due_on"))


def answered_now() -> Q:
    """The definition of ``answered``, on an Assignment queryset."""
    letter = _final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), round=OuterRef("proposal__round"),
    )
    return (
        (Q(role__in=ANSWERING_ROLES) & Exists(letter))
        | (Q(role=Assignment.Role.CO) & Exists(_approved_sections()))
    )


def answered_ever() -> Q:
    """The definition of ``answered_ever``, on an Assignment queryset."""
    letter = _final_letters(proposal=OuterRef("proposal"), agency=OuterRef("agency"))
    return (
        (Q(role__in=ANSWERING_ROLES) & Exists(letter))
        | (Q(role=Assignment.Role.CO) & Exists(_approved_sections()))
    )


def answered_in_time() -> Q:
    """The definition of ``answered_in_time``, on an Assignment queryset aliasing
    ``first_due`` (:func:`first_due`)."""
    letter_in_time = _final_letters(
        proposal=OuterRef("proposal"), agency=OuterRef("agency"), signed_on__lte=OuterRef("first_due"),
    )
    approval_in_time = StateChange.objects.filter(
        content_type__app_label="replies", content_type__model="section", object_id=OuterRef("pk"),
        action="approve", at__date__lte=OuterRef(OuterRef("first_due")),
    )
    return (
        (Q(role__in=ANSWERING_ROLES) & Exists(letter_in_time))
        | (Q(role=Assignment.Role.CO) & Exists(_approved_sections().filter(Exists(approval_in_time))))
    )


def awaiting(prefix: str = "") -> Q:
    """The definition of ``awaiting``, on the proposal at ``prefix`` (``""`` on a Proposal
    queryset, ``"proposal__"`` on an Assignment queryset). It reads the ``answered`` kept
    on the proposal's assignments."""
    unsigned = Assignment.objects.answering().filter(proposal=OuterRef(f"{prefix}pk"), answered=False)
    # One IN first, which PostgreSQL checks before it looks for an unsigned letter.
    return Q(**{f"{prefix}state__in": [*HANDLING_STATES, Proposal.State.REPLIED]}) & (
        ~Q(**{f"{prefix}state": Proposal.State.REPLIED}) | Exists(unsigned)
    )


def is_awaiting(proposal: Proposal) -> bool:
    """The Python twin of :func:`awaiting` for one proposal, read from its letters rather
    than from the stored ``answered`` (the two are tested against each other): the
    proposal is being handled, or it is 已答复 while an answering agency has no signed
    letter in the current round (one was voided and must be replaced)."""
    if proposal.state in HANDLING_STATES:
        return True
    if proposal.state != Proposal.State.REPLIED:
        return False
    answering = set(proposal.assignments.answering().values_list("agency_id", flat=True))
    signed = set(_final_letters(proposal=proposal, round=proposal.round).values_list("agency_id", flat=True))
    return not answering <= signed


def _definitions() -> dict[str, Q]:
    return {"answered": answered_now(), "answered_ever": answered_ever(),
            "answered_in_time": answered_in_time()}


def _holds(condition: Q) -> Exists:
    """``condition`` for the assignment of the row being updated."""
    return Exists(
        Assignment.objects.alias(first_due=first_due()).filter(pk=OuterRef("pk")).filter(condition)
    )


def _scope(proposals, field: str = "proposal") -> Q:
    """``proposals`` (see :func:`refresh`) as a condition on ``field``."""
    if proposals is None:
        return Q()
    if isinstance(proposals, Proposal | int):
        return Q(**{field: getattr(proposals, "pk", proposals)})
    return Q(**{f"{field}__in": proposals})


def earliest_due(proposal="pk", **only):
    """On a Proposal queryset: the earliest due date of its assignments (None without);
    ``only`` narrows the assignments (``answered=False`` for ``unanswered_due_on``).
    On an Assignment queryset pass ``proposal=OuterRef``'s path to the proposal."""
    return Subquery(
        Assignment.objects.filter(proposal=OuterRef(proposal), **only).order_by("due_on").values("due_on")[:1]
    )


def refresh(proposals: Proposal | int | Iterable[int] | None = None) -> int:
    """Store the facts on the assignments of ``proposals`` (a proposal, its pk, pks or a
    queryset of pks; None for every assignment) in two UPDATEs, ``awaiting`` after the
    answers it reads, and each proposal's ``earliest_due_on`` in a third; returns the
    assignments updated."""
    assignments = Assignment.objects.filter(_scope(proposals))
    count = assignments.update(**{name: _holds(condition) for name, condition in _definitions().items()})
    assignments.update(awaiting=_holds(awaiting("proposal__")))
    Proposal.objects.filter(_scope(proposals, "pk")).update(
        earliest_due_on=earliest_due(), unanswered_due_on=earliest_due(answered=False))
    return count


def stale(proposals=None):
    """Assignments whose stored facts, or whose proposal's ``earliest_due_on`` or
    ``unanswered_due_on``, differ from the definitions."""
    # Dates compared with None as a date of its own (SQL's NULL = NULL is not true).
    differs = ~Q(stored_due=F("computed_due")) | ~Q(stored_unanswered=F("computed_unanswered"))
    for name in FACTS:
        differs |= ~Q(**{name: F(f"computed_{name}")})
    computed = {f"computed_{name}": _holds(condition) for name, condition in _definitions().items()}
    computed["computed_awaiting"] = _holds(awaiting("proposal__"))
    never = Value(datetime.date.min)
    computed["computed_due"] = Coalesce(earliest_due("proposal"), never)
    computed["computed_unanswered"] = Coalesce(earliest_due("proposal", answered=False), never)
    computed["stored_due"] = Coalesce("proposal__earliest_due_on", never)
    computed["stored_unanswered"] = Coalesce("proposal__unanswered_due_on", never)
    return Assignment.objects.filter(_scope(proposals)).annotate(**computed).filter(differs)


def refresh_touched(touched) -> None:
    """At the end of an action (:mod:`core.actions`): refresh, once, the facts of every
    proposal it touched."""
    if touched.proposals:
        refresh(sorted(touched.proposals))
