"""A part's wording: the agency writing the letter words the part answering one
recommendation itself, paragraph by paragraph, each paragraph naming the sections it came
from; one click puts the sections' text back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.workflow import DomainError

from .. import services
from ..composition import recommendation_heading
from ..forms import ParagraphFormSet, WordingVersionForm
from ..models import ReplyLetter
from ..services.wording import part_sections, starting_paragraphs
from .agency import letter_or_404, may_write

MAX_ORDINAL = 999  # no proposal has more recommendations; a larger number is not one


def _part_url(letter: ReplyLetter, ordinal: int) -> str:
    return reverse("replies:letter_detail", args=[letter.pk]) + f"#part-ordinal-{ordinal}"


def _source_labels(sections) -> list[tuple[int, str]]:
    """Each section as a source to tick: its agency, numbered when the agency has several."""
    counts: dict[int, int] = {}
    for section in sections:
        counts[section.agency_id] = counts.get(section.agency_id, 0) + 1
    seen: dict[int, int] = {}
    labels = []
    for section in sections:
        seen[section.agency_id] = seen.get(section.agency_id, 0) + 1
        name = section.agency.short_name
        if counts[section.agency_id] > 1:
            name = _("%(agency)s（之%(n)s）") % {"agency": name, "n": seen[section.agency_id]}
        labels.append((section.pk, name))
    return labels


@login_required
@require_http_methods(["GET", "POST"])
def letter_part(request, pk: int, ordinal: int):
    """修改措辞 of one part of a draft letter."""
    letter = letter_or_404(request, pk)
    recommendation = (letter.proposal.recommendations.filter(ordinal=ordinal).first()
                      if ordinal <= MAX_ORDINAL else None)
    if recommendation is None:
        raise Http404(_("没有这条建议。"))
    sections = part_sections(letter, ordinal)
    choices = _source_labels(sections)
    worded = (letter.wording or {}).get(str(ordinal))
    initial = worded["paragraphs"] if worded else starting_paragraphs(sections)
    editable = letter.state == ReplyLetter.State.DRAFT and may_write(request.user, letter.agency)
    data = request.POST if request.method == "POST" else None
    formset = ParagraphFormSet(data, initial=initial, prefix="p", form_kwargs={"sources": choices})
    version = WordingVersionForm(data, initial={"version": letter.version})
    errors = []
    if request.method == "POST":
        if not editable:
            errors.append(_("只有%(agency)s的工作人员可以修改草稿的措辞。") % {"agency": letter.agency.short_name})
        elif formset.is_valid() and version.is_valid():
            paragraphs = [{"text": f.cleaned_data.get("text", ""), "sources": f.cleaned_data.get("sources", [])}
                          for f in formset.forms if f.cleaned_data]
            try:
                services.letter_word_part(letter=letter, ordinal=ordinal, paragraphs=paragraphs,
                                          actor=request.user, expected_version=version.cleaned_data["version"])
            except DomainError as error:  # a change made meanwhile (ConcurrentEdit) included
                errors.append(error.message)
            else:
                messages.success(request, _("第%(n)s部分的措辞已保存。") % {"n": ordinal})
                return redirect(_part_url(letter, ordinal))
        else:
            errors.append(_("请检查下面标出的内容。"))
    stale = []
    if worded:
        saved_at = worded.get("saved_at", "")
        stale = [s.agency.short_name for s in sections if s.updated_at.isoformat() > saved_at]
    return render(request, "replies/agency/letter_part.html", {
        "letter": letter, "proposal": letter.proposal, "ordinal": ordinal,
        "heading": recommendation_heading(recommendation), "sections": sections,
        "formset": formset, "version_form": version, "errors": errors, "worded": bool(worded),
        "editable": editable, "stale": stale,
    }, status=200)


@login_required
@require_POST
def letter_part_reset(request, pk: int, ordinal: int):
    """恢复为办理意见原文."""
    letter = letter_or_404(request, pk)
    if ordinal > MAX_ORDINAL:
        raise Http404(_("没有这条建议。"))
    version = WordingVersionForm(request.POST)
    try:
        if not version.is_valid():
            raise DomainError(_("页面已过期，请重新打开后再保存。"))
        if not may_write(request.user, letter.agency):
            raise DomainError(_("只有%(agency)s的工作人员可以修改草稿的措辞。") % {
                "agency": letter.agency.short_name})
        services.letter_reset_part(
            letter=letter, ordinal=ordinal, actor=request.user,
            expected_version=version.cleaned_data["version"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("第%(n)s部分已恢复为办理意见原文。") % {"n": ordinal})
    return redirect(_part_url(letter, ordinal))
