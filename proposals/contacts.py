"""沟通: agencies record each contact with the proposer before they answer.

A contact belongs to the proposal, the agency and the round it was recorded in. A session
may require one before a letter is sent for signing (``Session.contact_required``; the
letter services ask :func:`missing_contact`). Contacts are read by whoever may read the
proposal; an agency records and removes its own while the proposal is being handled.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from agencies.models import Agency
from core.actions import action
from core.roles import require_agency_member
from core.workflow import DomainError
from history.models import StateChange

from . import services
from .models import Contact, Proposal


def missing_contact(proposal: Proposal, agency: Agency) -> str | None:
    """Why ``agency``'s letter may not go for signing yet for want of a contact with the
    proposer (the session requires one), or None."""
    if not proposal.session.contact_required:
        return None
    if Contact.objects.filter(proposal=proposal, agency=agency).exists():
        return None
    return _("本届要求答复前与提案者沟通：请先在办理页面登记%(agency)s与提案者的沟通情况，再送签发。") % {
        "agency": agency.short_name}


@action
def contact_record(*, proposal: Proposal, agency: Agency, contacted_on: datetime.date, way: str,
                   participants: str, note: str = "", actor=None) -> Contact:
    """登记沟通: ``agency`` met, called or wrote to the proposer on ``contacted_on``."""
    require_agency_member(actor, agency)
    proposal = services.common.lock(proposal)
    proposal.check_allowed("record_contact")
    if not proposal.assignments.filter(agency=agency).exists():
        raise DomainError(_("%(agency)s不是本提案的承办单位。") % {"agency": agency.name})
    if way not in Contact.Way.values:
        raise DomainError(_("沟通方式“%(way)s”无效。") % {"way": way}, field="way")
    participants = (participants or "").strip()
    if not participants:
        raise DomainError(_("请填写参加沟通的人员。"), field="participants")
    if contacted_on > services.common.today():
        raise DomainError(_("沟通日期不能晚于今天。"), field="contacted_on")
    proposal.session.check_date(contacted_on, _("沟通日期"), field="contacted_on")
    contact = Contact.objects.create(
        proposal=proposal, agency=agency, round=proposal.round, contacted_on=contacted_on, way=way,
        participants=participants, note=(note or "").strip(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    StateChange.record(contact, action="contact", actor=actor, proposal=proposal, data={
        "agency": agency.code, "on": contacted_on.isoformat(), "way": way})
    return contact


@action
def contact_delete(*, contact: Contact, actor=None, reason: str = "") -> None:
    """Remove a contact recorded by mistake, while the proposal is being handled."""
    require_agency_member(actor, contact.agency)
    proposal = services.common.lock(contact.proposal)
    proposal.check_allowed("record_contact")
    StateChange.record(contact, action="delete_contact", actor=actor, proposal=proposal, reason=reason,
                       data={"agency": contact.agency.code, "on": contact.contacted_on.isoformat(),
                             "way": contact.way})
    contact.delete()
