"""Every change to a proposal goes through one of these functions.

Each is atomic, locks the proposal row, checks the move against
``Proposal.MOVES`` and writes the history (see :mod:`core.workflow`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.concurrency import check_version
from core.roles import require_liaison
from core.workflow import (
    ConcurrentEdit,
    DomainError,
    check_move,
    require_reason,
)
from history.models import StateChange
from history.moves import transition
from notifications import events as notify

from .deadlines import UnknownCalendarYear
from .models import (
    HANDLING_STATES,
    Assignment,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Satisfaction,
    Session,
    Signature,
)

MAX_SERIAL = 999


def today() -> datetime.date:
    return timezone.localdate()


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _full_clean(obj, exclude=None) -> None:
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


# ---------------------------------------------------------------- logging a proposal


def _proposers(items: Iterable[Mapping]) -> list[tuple[Proposer, str]]:
    result: list[tuple[Proposer, str]] = []
    seen: set[int] = set()
    for item in items:
        name = (item.get("name") or "").strip()
        if not name:
            raise DomainError(_("提案者姓名或名称不能为空。"), field="proposers")
        kind = item.get("kind") or Proposer.Kind.MEMBER
        if kind not in Proposer.Kind.values:
            raise DomainError(_("提案者类型“%(kind)s”无效。") % {"kind": kind}, field="proposers")
        role = item.get("role") or Signature.Role.LEAD
        if role not in Signature.Role.values:
            raise DomainError(_("提案者身份“%(role)s”无效。") % {"role": role}, field="proposers")
        proposer, _created = Proposer.objects.get_or_create(name=name, kind=kind)
        if proposer.pk in seen:
            raise DomainError(_("提案者“%(name)s”重复。") % {"name": name}, field="proposers")
        seen.add(proposer.pk)
        result.append((proposer, role))
    leads = [p for p, role in result if role == Signature.Role.LEAD]
    if len(leads) != 1:
        raise DomainError(_("一件提案须有且只有一位领衔提案者。"), field="proposers")
    return result


def _set_signatures(proposal: Proposal, proposers: list[tuple[Proposer, str]]) -> None:
    proposal.signatures.all().delete()
    Signature.objects.bulk_create(
        Signature(proposal=proposal, proposer=proposer, role=role, position=i)
        for i, (proposer, role) in enumerate(proposers, start=1)
    )


def _set_recommendations(proposal: Proposal, items: Iterable[Mapping]) -> None:
    items = list(items)
    existing = {r.ordinal: r for r in proposal.recommendations.all()}
    keep = set()
    for ordinal, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        if not title:
            raise DomainError(
                _("第%(n)s条建议的标题不能为空。") % {"n": ordinal}, field="recommendations"
            )
        recommendation = existing.get(ordinal) or Recommendation(proposal=proposal, ordinal=ordinal)
        recommendation.title = title
        recommendation.body = (item.get("body") or "").strip()
        _full_clean(recommendation, exclude=["proposal"])
        recommendation.save()
        keep.add(ordinal)
    stale = [r for ordinal, r in existing.items() if ordinal not in keep]
    for recommendation in stale:
        if recommendation.sections.exists():
            raise DomainError(
                _("第%(n)s条建议已有办理意见，不能删除。") % {"n": recommendation.ordinal},
                field="recommendations",
            )
        recommendation.delete()


@action
def proposal_create(
    *,
    session: Session,
    title: str,
    proposers: Iterable[Mapping],
    actor=None,
    number: str | None = None,
    category=None,
    body: str = "",
    submitted_on: datetime.date | None = None,
    is_key: bool = False,
    recommendations: Iterable[Mapping] = (),
    submission_key=None,
) -> Proposal:
    """Log a proposal (state 待审查). Without a number, the next one of the session is used.

    ``submission_key`` is the one-time key of the form it comes from: a proposal already
    logged with it is returned as it is (``proposal.repeated`` is then true), so the same
    form sent twice logs one proposal. The session's row is locked first, so a second
    sending waits for the first and then finds its proposal.
    """
    require_liaison(actor)
    if submission_key is not None:
        Session.objects.select_for_update().filter(pk=session.pk).exists()
        earlier = Proposal.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            earlier.repeated = True
            return earlier
    number = (number or "").strip()
    if number:
        note_proposal_number(session, number)
    else:
        number = allocate_proposal_number(session)
    proposal = Proposal(
        session=session,
        number=number,
        title=(title or "").strip(),
        category=category,
        body=body or "",
        submitted_on=submitted_on or today(),
        is_key=is_key,
        submission_key=submission_key,
    )
    _full_clean(proposal)
    proposal.save()
    proposal.repeated = False
    _set_signatures(proposal, _proposers(proposers))
    _set_recommendations(proposal, recommendations)
    StateChange.record(proposal, action="create", target=proposal.state, actor=actor)
    return proposal




@action
def proposal_update(
    *,
    proposal: Proposal,
    actor=None,
    title: str | None = None,
    category=None,
    body: str | None = None,
    submitted_on: datetime.date | None = None,
    is_key: bool | None = None,
    proposers: Iterable[Mapping] | None = None,
    recommendations: Iterable[Mapping] | None = None,
    expected_version: int | None = None,
) -> Proposal:
    """Correct what was logged. Text and recommendations are fixed once the proposal is assigned.

    ``expected_version`` is the version the edit page was loaded at: a save over a change
    made since is refused with what was saved (:func:`core.concurrency.check_version`).
    """
    require_liaison(actor)
    proposal = _lock(proposal)
    check_version(proposal, expected_version, [
        name for name, value in (("title", title), ("category", category), ("body", body),
                                 ("submitted_on", submitted_on), ("is_key", is_key))
        if value is not None
    ])
    content_changes = any(v is not None for v in (title, body, submitted_on, proposers, recommendations))
    if content_changes:
        proposal.check_allowed("edit")
    if title is not None:
        proposal.title = title.strip()
    if category is not None:
        proposal.category = category or None
    if body is not None:
        proposal.body = body
    if submitted_on is not None:
        proposal.submitted_on = submitted_on
    if is_key is not None:
        proposal.is_key = is_key
    _full_clean(proposal)
    proposal.version += 1
    proposal.save()
    if proposers is not None:
        _set_signatures(proposal, _proposers(proposers))
    if recommendations is not None:
        _set_recommendations(proposal, recommendations)
    StateChange.record(proposal, action="update", actor=actor)
    return proposal


# ---------------------------------------------------------------- review (审查)


@action
def proposal_register(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """立案: accept the proposal for handling."""
    require_liaison(actor)
    proposal = _lock(proposal)
    if not proposal.recommendations.exists():
        raise DomainError(_("提案至少要有一条建议才能立案。"), field="recommendations")
    transition(proposal, "register", actor=actor, reason=reason)
    return proposal


@action
def proposal_convert(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """不予立案，转为意见建议."""
    require_liaison(actor)
    reason = require_reason(reason, _("转为意见建议"))
    proposal = _lock(proposal)
    transition(proposal, "convert", actor=actor, reason=reason)
    return proposal


@action
def proposal_withdraw(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """撤案."""
    require_liaison(actor)
    reason = require_reason(reason, _("撤案"))
    proposal = _lock(proposal)
    transition(proposal, "withdraw", actor=actor, reason=reason)
    return proposal


# States of a proposal that cannot take in another (并案的主提案).
NOT_MERGEABLE_INTO = {Proposal.State.MERGED, Proposal.State.WITHDRAWN, Proposal.State.CONVERTED}


@action
def proposal_merge(*, proposal: Proposal, into: Proposal, actor=None, reason: str = "") -> Proposal:
    """并案: ``proposal`` is handled together with ``into``, a proposal of its session.

    Both rows are locked (in id order). Proposals merged earlier into ``proposal``
    follow it into ``into``.
    """
    require_liaison(actor)
    locked = {p.pk: p for p in Proposal.objects.select_for_update().filter(
        pk__in=[proposal.pk, into.pk]).order_by("pk")}
    proposal, into = locked[proposal.pk], locked[into.pk]
    check_move(proposal, "merge")
    if proposal.pk == into.pk:
        raise DomainError(_("提案不能并入自身。"), field="into")
    if into.session_id != proposal.session_id:
        raise DomainError(_("只能并入同一届次会议的提案，第%(number)s号提案属于另一届次会议。")
                          % {"number": into.number}, field="into")
    if into.state in NOT_MERGEABLE_INTO:
        raise DomainError(_("第%(number)s号提案当前状态为“%(state)s”，不能作为并案的主提案。")
                          % {"number": into.number, "state": into.get_state_display()}, field="into")
    followers = Proposal.objects.filter(merged_into=proposal)
    numbers = sorted(followers.values_list("number", flat=True))
    followers.update(merged_into=into)
    proposal.merged_into = into
    transition(proposal, "merge", actor=actor, reason=(reason or "").strip(),
               update_fields=["merged_into"], data={"into": into.number, "with": numbers})
    return proposal


# ---------------------------------------------------------------- assignment (交办)


def _validate_roles(roles: list[str]) -> None:
    leads = roles.count(Assignment.Role.LEAD)
    if leads > 1:
        raise DomainError(_("一件提案只能有一个主办单位。"), field="assignments")
    if leads == 0 and Assignment.Role.CO in roles:
        raise DomainError(_("有会办单位时必须指定主办单位。"), field="assignments")
    if leads == 0 and Assignment.Role.SEPARATE not in roles:
        raise DomainError(_("须指定一个主办单位，或至少一个分办单位。"), field="assignments")


def _check_dates(session: Session, agency: Agency, assigned_on, due_on, *, field="assignments") -> None:
    if not assigned_on or not due_on:
        raise DomainError(_("交办日期和办理期限都必须填写。"), field=field)
    session.check_date(assigned_on, _("%(agency)s的交办日期") % {"agency": agency.short_name}, field=field)
    session.check_date(due_on, _("%(agency)s的办理期限") % {"agency": agency.short_name}, field=field)
    if due_on < assigned_on:
        raise DomainError(
            _("%(agency)s的办理期限（%(due)s）早于交办日期（%(assigned)s）。")
            % {"agency": agency.short_name, "due": due_on, "assigned": assigned_on},
            field="assignments",
        )


@action
def proposal_assign(*, proposal: Proposal, assignments: Iterable[Mapping], actor=None) -> Proposal:
    """交办: hand a registered proposal to its agencies.

    ``assignments`` is a list of ``{"agency", "role", "assigned_on", "due_on"}``.
    """
    require_liaison(actor)
    proposal = _lock(proposal)
    items = list(assignments)
    if not items:
        raise DomainError(_("请至少指定一个承办单位。"), field="assignments")
    agencies = [item["agency"] for item in items]
    if len({a.pk for a in agencies}) != len(agencies):
        raise DomainError(_("同一单位不能重复交办。"), field="assignments")
    _validate_roles([item["role"] for item in items])
    for item in items:
        agency = item["agency"]
        if not agency.is_active:
            raise DomainError(_("%(agency)s已停用，不能交办。") % {"agency": agency.name})
        if item["role"] not in Assignment.Role.values:
            raise DomainError(_("承办方式“%(role)s”无效。") % {"role": item["role"]})
        _check_dates(proposal.session, agency, item.get("assigned_on"), item.get("due_on"))
    transition(proposal, "assign", actor=actor, data={
        "assignments": [
            {"agency": i["agency"].code, "role": i["role"], "due_on": i["due_on"].isoformat()}
            for i in items
        ]
    })
    Assignment.objects.bulk_create(
        Assignment(
            proposal=proposal,
            agency=item["agency"],
            role=item["role"],
            assigned_on=item["assigned_on"],
            due_on=item["due_on"],
        )
        for item in items
    )
    notify.proposal_assigned(proposal=proposal, actor=actor)
    return proposal




@action
def assignment_add(
    *, proposal: Proposal, agency: Agency, role: str, assigned_on, due_on, actor=None, reason: str = ""
) -> Assignment:
    """Add an agency to a proposal already being handled (e.g. a further co-handler)."""
    require_liaison(actor)
    reason = require_reason(reason, _("增加承办单位"))
    proposal = _lock(proposal)
    proposal.check_allowed("add_assignment")
    if proposal.assignments.filter(agency=agency).exists():
        raise DomainError(_("%(agency)s已是本提案的承办单位。") % {"agency": agency.name})
    _validate_roles([*proposal.assignments.values_list("role", flat=True), role])
    _check_dates(proposal.session, agency, assigned_on, due_on, field="due_on")
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_on=assigned_on, due_on=due_on
    )
    StateChange.record(
        assignment, action="add_assignment", actor=actor, reason=reason, proposal=proposal,
        data={"agency": agency.code, "role": role, "due_on": due_on.isoformat()},
    )
    notify.assignment_added(assignment=assignment, actor=actor)
    return assignment


@action
def assignment_change_due(
    *, assignment: Assignment, due_on: datetime.date, actor=None, reason: str = "",
    expected_version: int | None = None,
) -> Assignment:
    """Change or extend (延期) an assignment's due date; the reason is kept in the history.

    ``expected_version``: the version the page was loaded at; a change over someone else's
    made since is refused with the date they saved.
    """
    require_liaison(actor)
    reason = require_reason(reason, _("调整办理期限"))
    proposal = _lock(assignment.proposal)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    check_version(assignment, expected_version, ["due_on"])
    proposal.check_allowed("change_due")
    _check_dates(proposal.session, assignment.agency, assignment.assigned_on, due_on, field="due_on")
    previous = assignment.due_on
    assignment.due_on = due_on
    assignment.version += 1
    assignment.save(update_fields=["due_on", "version", "updated_at"])
    StateChange.record(
        assignment, action="extend", actor=actor, reason=reason, proposal=proposal,
        data={"agency": assignment.agency.code, "from": previous.isoformat(), "to": due_on.isoformat()},
    )
    return assignment


@action
def assignment_remove(*, assignment: Assignment, actor=None, reason: str = "") -> None:
    """Withdraw an assignment made in error, before its agency has written anything."""
    require_liaison(actor)
    reason = require_reason(reason, _("撤回交办"))
    proposal = _lock(assignment.proposal)
    proposal.check_allowed("remove_assignment")
    from replies.models import ReplyLetter, Section

    if Section.objects.filter(recommendation__proposal=proposal, agency=assignment.agency).exists() or \
            ReplyLetter.objects.filter(proposal=proposal, agency=assignment.agency).exists():
        raise DomainError(
            _("%(agency)s已有办理意见或答复函，不能撤回交办。") % {"agency": assignment.agency.name}
        )
    remaining = list(proposal.assignments.exclude(pk=assignment.pk).values_list("role", flat=True))
    _validate_roles(remaining)
    StateChange.record(
        assignment, action="remove_assignment", actor=actor, reason=reason, proposal=proposal,
        data={"agency": assignment.agency.code, "role": assignment.role},
    )
    assignment.delete()


# ---------------------------------------------------------------- reply, feedback, closing


@action
def proposal_mark_replied_if_complete(*, proposal: Proposal, actor=None) -> bool:
    """Move the proposal to 已答复 once every answering agency has signed its letter this round.

    Called by the letter services inside their transaction.
    """
    from replies.models import ReplyLetter

    proposal = _lock(proposal)
    if proposal.state not in HANDLING_STATES:
        return False
    answering = set(proposal.assignments.answering().values_list("agency_id", flat=True))
    signed = set(
        ReplyLetter.objects.final().filter(proposal=proposal, round=proposal.round)
        .values_list("agency_id", flat=True)
    )
    if not answering or not answering <= signed:
        return False
    transition(proposal, "reply", actor=actor)
    return True


def _check_satisfaction(value: str, what: str) -> None:
    if value not in Satisfaction.values:
        raise DomainError(
            _("%(what)s的评价“%(value)s”无效，应为满意、基本满意或不满意。") % {"what": what, "value": value},
            field=what,
        )


@action
def feedback_record(
    *, proposal: Proposal, handling: str, result: str, received_on: datetime.date | None = None,
    comment: str = "", actor=None, expected_recorded: int | None = None,
) -> Feedback:
    """Record the proposer's view (征询意见表) of an answered proposal.

    ``expected_recorded``: how many forms of this round were recorded when the page was
    loaded. When someone has recorded one since, this one is refused and shown theirs —
    the same paper form is not recorded twice; saving again records it as another form.
    """
    require_liaison(actor)
    proposal = _lock(proposal)
    proposal.check_allowed("feedback")
    recorded = proposal.feedback.filter(round=proposal.round)
    if expected_recorded is not None and recorded.count() != expected_recorded:
        latest = recorded.order_by("-id").first()
        raise ConcurrentEdit(
            _("登记失败：在您填写期间，已有人登记了本轮的反馈。请核对是否为同一份征询意见表；"
              "如确为另一份，再次点击登记即可。"),
            changes={name: getattr(latest, name) for name in ("handling", "result", "received_on", "comment")}
            if latest is not None else {},
            current_version=recorded.count(),
        )
    _check_satisfaction(handling, "handling")
    _check_satisfaction(result, "result")
    received_on = received_on or today()
    if received_on > today():
        raise DomainError(_("收到日期不能晚于今天。"), field="received_on")
    proposal.session.check_date(received_on, _("收到日期"), field="received_on")
    feedback = Feedback.objects.create(
        proposal=proposal, round=proposal.round, received_on=received_on, handling=handling,
        result=result, comment=comment or "", recorded_by=actor if actor and actor.is_authenticated else None,
    )
    StateChange.record(
        feedback, action="feedback", actor=actor, proposal=proposal,
        data={"handling": handling, "result": result},
    )
    notify.feedback_recorded(feedback=feedback, actor=actor)
    return feedback


def _latest_feedback(proposal: Proposal) -> Feedback | None:
    return proposal.feedback.filter(round=proposal.round).order_by("-received_on", "-id").first()


@action
def proposal_close(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """办结. Closing over a 不满意 needs a reason."""
    require_liaison(actor)
    proposal = _lock(proposal)
    latest = _latest_feedback(proposal)
    if latest is not None and latest.is_dissatisfied:
        reason = require_reason(reason, _("提案者表示不满意，办结"))
    transition(proposal, "close", actor=actor, reason=reason)
    return proposal


@action
def proposal_reopen(*, proposal: Proposal, actor=None, reason: str = "") -> Proposal:
    """重新办理: after 不满意 (or with a stated reason), the agencies answer again."""
    require_liaison(actor)
    proposal = _lock(proposal)
    latest = _latest_feedback(proposal)
    if latest is None or not latest.is_dissatisfied:
        reason = require_reason(reason, _("提案者未表示不满意，重新办理"))
    reopened_on = today()
    due = _rehandling_due(proposal, reopened_on)
    proposal.round += 1
    transition(proposal, "reopen", actor=actor, reason=reason, update_fields=["round"],
               data={"round": proposal.round})
    for assignment in proposal.assignments.select_for_update(of=("self",)).select_related("agency"):
        previous = assignment.due_on
        assignment.due_on = due.date
        assignment.version += 1
        assignment.save(update_fields=["due_on", "version", "updated_at"])
        StateChange.record(
            assignment, action="rehandling_due", actor=actor, proposal=proposal,
            data={"agency": assignment.agency.code, "from": previous.isoformat(),
                  "to": due.date.isoformat(), "start": reopened_on.isoformat()},
        )
    notify.proposal_reopened(proposal=proposal, actor=actor, reason=reason)
    return proposal


def _rehandling_due(proposal: Proposal, reopened_on: datetime.date):
    """The session's re-handling period (重新办理期限) counted from the day of reopening.

    A working-day period in a year whose official calendar is unknown is refused, not
    guessed: the liaison staff can change the session's rule or wait for the calendar.
    """
    try:
        return proposal.session.due_date("rehandling", reopened_on)
    except UnknownCalendarYear as error:
        raise DomainError(str(error)) from error
