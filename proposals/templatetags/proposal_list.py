"""The rows of the proposal list, written out in Python.

Twenty-five rows of nine cells each, with links, tags and translated phrases, took the
template engine about half of the list's time; like the admin's change list, the rows
are built here with ``format_html`` instead. The proposals come from
``proposals.selectors.proposal_list_queryset`` and ``prepare_rows``; the markup is the table's, cell by cell.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.templatetags.text import labels

from ..models import Assignment, Proposal

register = template.Library()

NONE = mark_safe('<span class="muted">—</span>')


@register.simple_tag
def proposal_rows(proposals) -> str:
    day = _("Y年n月j日")
    key, overdue = _("重点"), _("有单位逾期")
    separator = pgettext("separator between list items", "、")
    states, roles = labels(Proposal.State), labels(Assignment.Role)
    rows = []
    for proposal in proposals:
        url = reverse("proposals:detail", args=[proposal.pk])
        co_signers = proposal.co_signer_count
        rows.append(format_html(
            '<tr>\n<td class="nowrap"><a href="{url}">{number}</a></td>\n'
            '<td class="col-title"><a href="{url}">{title}</a>{key}<div class="muted small">{session}</div></td>\n'
            '<td class="col-proposer">{lead}{co}</td>\n'
            '<td class="nowrap col-category">{category}</td>\n'
            '<td class="nowrap"><span class="state state--{state}">{state_label}</span></td>\n'
            "<td>{agencies}</td>\n"
            '<td class="nowrap">{due}</td>\n'
            '<td class="nowrap">{classes}</td>\n'
            '<td class="nowrap col-submitted">{submitted}</td>\n</tr>',
            url=url, number=proposal.number, title=proposal.title,
            key=format_html(' <span class="tag tag--key">{}</span>', key) if proposal.is_key else "",
            session=proposal.session.name,
            lead=proposal.lead_name,
            co=format_html(
                '<div class="muted small">{}</div>',
                ngettext("等%(n)s人附议", "等%(n)s人附议", co_signers) % {"n": co_signers},
            ) if co_signers else "",
            category=proposal.category.name if proposal.category else "—",
            state=proposal.state, state_label=states[proposal.state],
            agencies=format_html_join(
                "", '<span class="agency-chip agency-chip--{}" title="{}">{}<small>{}</small></span>',
                ((handler.role, handler.name, handler.short_name, roles[handler.role])
                 for handler in proposal.handlers),
            ) or NONE,
            due=_due(proposal, day, overdue),
            classes=separator.join(_("%(klass)s类") % {"klass": klass} for klass in proposal.classes) or NONE,
            submitted=date_format(proposal.submitted_on, day) if proposal.submitted_on else "",
        ))
    return mark_safe("\n".join(rows))


def _due(proposal, day: str, overdue: str) -> str:
    if not proposal.earliest_due_on:
        return NONE
    due = date_format(proposal.earliest_due_on, day)
    if proposal.is_overdue:
        return format_html('{}<div class="overdue">{}</div>', due, overdue)
    days = proposal.days_left
    if days is None or days < 0:
        return due
    return format_html(
        '{}<div class="{}">{}</div>', due, "due-soon" if proposal.due_soon else "muted small",
        ngettext("剩余%(days)s天", "剩余%(days)s天", days) % {"days": days},
    )
