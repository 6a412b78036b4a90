"""沟通 pages: an agency records its contacts with the proposer; liaison staff see which
signed answers came without any.

Only staff of an agency assigned to the proposal record or remove its contacts; everyone
who may read the proposal reads them (on the handling page, the letter page and the
proposal page). A proposal its user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import refuse, require
from core.roles import is_agency_member, is_liaison
from core.workflow import DomainError
from replies.models import ReplyLetter

from .. import contacts
from ..handling_forms import ContactForm
from ..models import Assignment, Contact, Proposal, Session
from ..services import common

MISSING_PER_PAGE = 200


def _handling_url(proposal_id: int) -> str:
    return reverse("replies:handling", args=[proposal_id]) + "#contacts"


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk: int):
    """登记沟通情况 for the user's agency (or one of them) on a proposal it handles."""
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user).select_related("session"), pk=pk)
    agencies = [a.agency for a in sorted(proposal.assignments.select_related("agency"),
                                         key=Assignment.display_order)
                if is_agency_member(request.user, a.agency)]
    if not agencies:
        raise PermissionDenied(_("只有承办单位的工作人员可以登记沟通情况。"))
    form = ContactForm(request.POST or None, agencies=agencies,
                       initial={"contacted_on": common.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contacts.contact_record(
                proposal=proposal, agency=data["agency"], contacted_on=data["contacted_on"],
                way=data["way"], participants=data["participants"], note=data["note"],
                actor=request.user)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("沟通情况已登记。"))
            return redirect(_handling_url(proposal.pk))
    return render(request, "proposals/contact_form.html", {
        "proposal": proposal, "form": form, "refusal": proposal.refusal("record_contact"),
        "contacts": list(proposal.contacts.select_related("agency", "recorded_by")),
    })


@login_required
@require_POST
def contact_delete(request, pk: int):
    """删除 a contact recorded by mistake (its agency's staff)."""
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("agency", "proposal"),
                                pk=pk)
    if not is_agency_member(request.user, contact.agency):
        raise PermissionDenied(_("只有%(agency)s的工作人员可以删除这条沟通记录。") % {
            "agency": contact.agency.short_name})
    try:
        contacts.contact_delete(contact=contact, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除沟通记录。"))
    return redirect(_handling_url(contact.proposal_id))


def answered_without_contact(session: Session):
    """The session's current signed (or issued) letters whose agency recorded no contact
    with the proposer on that proposal."""
    spoke = Contact.objects.filter(proposal=OuterRef("proposal"), agency=OuterRef("agency"))
    return ReplyLetter.objects.final().filter(proposal__session=session).exclude(Exists(spoke))


@login_required
@require_GET
def contacts_missing(request):
    """未沟通的答复: liaison staff see which answers came without any contact."""
    require(is_liaison, request.user, _("只有提案委工作人员可以查看沟通情况统计。"))
    sessions = list(Session.objects.all())
    chosen = request.GET.get("session", "")
    session = next((s for s in sessions if s.code == chosen), sessions[0] if sessions else None)
    letters, by_agency, total = [], [], 0
    if session is not None:
        missing = answered_without_contact(session)
        total = missing.count()
        letters = list(missing.select_related("proposal", "agency")
                       .order_by("agency__code", "proposal__number")[:MISSING_PER_PAGE])
        answered = dict(ReplyLetter.objects.final().filter(proposal__session=session)
                        .values_list("agency__short_name").annotate(n=Count("pk")).order_by())
        lacking = dict(missing.values_list("agency__short_name").annotate(n=Count("pk")).order_by())
        by_agency = sorted(({"agency": name, "answered": n, "missing": lacking.get(name, 0)}
                            for name, n in answered.items()), key=lambda row: (-row["missing"], row["agency"]))
    return render(request, "proposals/contacts_missing.html", {
        "sessions": sessions, "session": session, "letters": letters, "total": total,
        "by_agency": by_agency, "shown": len(letters),
    })
