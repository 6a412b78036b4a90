"""The entries of the inbox (待办), written out in Python, and the days-left mark.

A page of the inbox is 25 proposals with every recommendation of each, a hundred rows
or so; through the template engine they took most of the page's time. As with the
proposal list (``proposals.templatetags.proposal_list``) the rows are built with
``format_html``; the markup is the table's.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.templatetags.text import labels
from proposals.models import Assignment, Proposal

from ..models import ReplyLetter, Section

register = template.Library()


@register.simple_tag
def days_left(days: int, soon: int) -> str:
    """How long until the due date: overdue, today, soon (within ``soon`` days), or later."""
    if days < 0:
        return format_html('<span class="due due--overdue">{}</span>', _("已超期%(n)s天") % {"n": -days})
    if days == 0:
        return format_html('<span class="due due--today">{}</span>', _("今天到期"))
    css = "due due--soon" if days <= soon else "due"
    return format_html('<span class="{}">{}</span>', css, _("剩余%(n)s天") % {"n": days})


@register.simple_tag
def inbox_entries(entries, several_agencies: bool) -> str:
    day = _("Y年n月j日")
    texts = {
        "letter": _("答复函："), "no_letter": _("未起草"), "unwritten": _("未撰写"),
        "no_recommendations": _("该提案尚未录入建议。"),
        # the labels of the states and roles, translated once for the page
        **{f"{kind}:{value}": label for kind, choices in (
            ("proposal", Proposal.State), ("letter", ReplyLetter.State), ("section", Section.State),
            ("role", Assignment.Role),
        ) for value, label in labels(choices).items()},
    }
    return mark_safe("\n".join(_entry(entry, several_agencies, day, texts) for entry in entries))


def _entry(entry, several_agencies: bool, day: str, texts: dict) -> str:
    assignment = entry.assignment
    proposal = assignment.proposal
    handling = reverse("replies:handling", args=[proposal.pk])
    number = _("第%(number)s号") % {"number": proposal.number}
    role = format_html('<span class="role role--{}">{}</span>', assignment.role, texts[f"role:{assignment.role}"])
    due = format_html("{}<br>{}", date_format(assignment.due_on, day),
                      days_left(entry.days_left, proposal.session.due_soon_days))
    css = "inbox__entry inbox__entry--overdue" if entry.overdue else "inbox__entry"
    if not entry.rows:
        return format_html(
            '<tbody class="{}"><tr>\n<td class="col-title"><a href="{}">{} {}</a></td>\n'
            '<td class="nowrap">{}</td>\n<td class="nowrap">{}</td>\n'
            '<td colspan="2" class="muted">{}</td>\n</tr></tbody>',
            css, handling, number, proposal.title, role, due, texts["no_recommendations"],
        )
    state = format_html(' <span class="state state--{}">{}</span>', proposal.state, texts[f"proposal:{proposal.state}"]) \
        if proposal.state != Proposal.State.ASSIGNED else ""
    letter = ""
    if entry.answers:
        if entry.letter:
            shown = format_html('<a href="{}"><span class="state state--{}">{}</span></a>',
                                reverse("replies:letter_detail", args=[entry.letter.pk]),
                                entry.letter.state, texts[f"letter:{entry.letter.state}"])
        else:
            shown = format_html('<span class="muted">{}</span>', texts["no_letter"])
        letter = format_html('<p class="inbox__letter">{} {}</p>', texts["letter"], shown)
    agency = format_html('<br><span class="muted">{}</span>', assignment.agency.short_name) \
        if several_agencies else ""
    span = entry.span
    lead = format_html(
        '<td rowspan="{span}" class="col-title inbox__lead-cell"><a href="{url}" class="inbox__proposal">'
        '<span class="nowrap">{number}</span> {title}</a>{state}{letter}</td>\n'
        '<td rowspan="{span}" class="nowrap" data-label="{role_label}">{role}{agency}</td>\n'
        '<td rowspan="{span}" class="nowrap" data-label="{due_label}">{due}</td>\n',
        span=span, url=handling, number=number, title=proposal.title, state=state, letter=letter,
        role=role, agency=agency, due=due, role_label=_("承办方式"), due_label=_("办理期限"),
    )
    rows = []
    for index, (recommendation, sections) in enumerate(entry.rows):
        marks = format_html_join(
            " ", '<span class="state state--{}">{}</span>',
            ((section.state, texts[f"section:{section.state}"]) for section in sections),
        ) or format_html('<span class="state state--none">{}</span>', texts["unwritten"])
        rows.append(format_html(
            '<tr>\n{}<td class="inbox__rec"><a href="{}#rec-{}">{}</a> {}</td>\n<td class="nowrap">{}</td>\n</tr>',
            lead if index == 0 else "", handling, recommendation.pk,
            _("第%(n)s条") % {"n": recommendation.ordinal}, Truncator(recommendation.title).chars(60), marks,
        ))
    return format_html('<tbody class="{}">{}</tbody>', css, mark_safe("\n".join(rows)))
