"""Work in batches: an approver approves several submitted sections at once, a signer signs
several letters at once. Each item goes through its own service call (its own action), so
one that is refused — moved on by someone else meanwhile, not the user's to sign — is
named in the message and the others are done; each signed letter gets its own number and
its own stored PDF. Returning a section stays one by one, with its reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pages import next_url
from core.workflow import DomainError

from .. import services
from ..forms import SignForm
from ..models import PrintJob, ReplyLetter, Section

MAX_BATCH = 200  # items one request may carry


def _chosen_ids(request, name: str) -> list[int]:
    """The ids ticked in the form; anything that is not an id of the database's range is
    ignored, as is a repeat."""
    ids = []
    for value in request.POST.getlist(name)[:MAX_BATCH]:
        value = value.strip()
        if value.isdigit() and len(value) <= 18 and int(value) not in ids:
            ids.append(int(value))
    return ids


def _unseen(ids: list[int], found: list) -> list[str]:
    """A line for the ticked items the user may not see (or that no longer exist)."""
    missing = len(ids) - len(found)
    if missing <= 0:
        return []
    return [_("有%(n)s项不存在或您无权查看，未处理。") % {"n": missing}]


def _each(request, items, call, refusal, done_text, refused: list[str]) -> None:
    """Run ``call(item)`` for each item on its own (each service call is its own action);
    a refusal becomes the line ``refusal(item, why)``; then one message says what was done
    and one line each what was not."""
    done = 0
    for item in items:
        try:
            call(item)
        except (DomainError, PermissionDenied) as error:
            refused.append(refusal(item, str(getattr(error, "message", error))))
        else:
            done += 1
    if done:
        messages.success(request, done_text % {"n": done})
    for line in refused:
        messages.error(request, line)


@login_required
@require_POST
def sections_approve(request):
    """批量审核通过 the ticked sections."""
    ids = _chosen_ids(request, "section")
    back = next_url(request, reverse("replies:inbox"))
    if not ids:
        messages.error(request, _("请先勾选要审核通过的办理意见。"))
        return redirect(back)
    sections = (Section.objects.visible_to(request.user).filter(pk__in=ids)
                .select_related("recommendation__proposal", "agency"))
    sections = list(sections)
    _each(
        request, sorted(sections, key=lambda s: ids.index(s.pk)),
        lambda section: services.section_approve(section=section, actor=request.user),
        lambda section, why: _("第%(number)s号提案第%(n)s条（%(agency)s）未审核：%(why)s") % {
            "number": section.recommendation.proposal.number, "n": section.recommendation.ordinal,
            "agency": section.agency.short_name, "why": why},
        _("已审核通过%(n)s条办理意见。"), _unseen(ids, sections),
    )
    return redirect(back)


@login_required
@require_POST
def letters_sign(request):
    """批量签发 the ticked letters, each with the date given (today unless said otherwise)."""
    ids = _chosen_ids(request, "letter")
    back = next_url(request, reverse("replies:inbox"))
    form = SignForm(request.POST)
    if not ids:
        messages.error(request, _("请先勾选要签发的答复函。"))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    letters = ReplyLetter.objects.visible_to(request.user).filter(pk__in=ids).select_related(
        "proposal", "agency")
    letters = list(letters)

    def sign(letter):
        signed = services.letter_sign(letter=letter, actor=request.user,
                                      signed_on=form.cleaned_data["signed_on"],
                                      comment=form.cleaned_data["comment"])
        messages.info(request, _("第%(proposal)s号提案的答复函已签发，发文字号为 %(number)s。") % {
            "proposal": letter.proposal.number, "number": signed.number})

    _each(
        request, sorted(letters, key=lambda item: ids.index(item.pk)), sign,
        lambda letter, why: _("第%(number)s号提案的答复函（%(agency)s）未签发：%(why)s") % {
            "number": letter.proposal.number, "agency": letter.agency.short_name, "why": why},
        _("已签发%(n)s份答复函。"), _unseen(ids, letters),
    )
    return redirect(back)


def _issue(request, letters: list, refused: list[str]) -> None:
    _each(
        request, letters, lambda letter: services.letter_issue(letter=letter, actor=request.user),
        lambda letter, why: _("%(number)s 未标记为已印发：%(why)s") % {"number": letter.number, "why": why},
        _("已将%(n)s份答复函标记为已印发。"), refused,
    )


@login_required
@require_POST
def letters_issue(request):
    """标记已印发 for the ticked letters, once the office has printed them."""
    ids = _chosen_ids(request, "letter")
    back = next_url(request, reverse("replies:printable_letters"))
    if not ids:
        messages.error(request, _("请先勾选已打印的答复函。"))
        return redirect(back)
    letters = list(ReplyLetter.objects.visible_to(request.user).filter(pk__in=ids).select_related(
        "proposal__session", "agency"))
    _issue(request, sorted(letters, key=lambda item: ids.index(item.pk)), _unseen(ids, letters))
    return redirect(back)


@login_required
@require_POST
def print_job_issue(request, pk: int):
    """The office confirms it has printed a batch: its letters still 已签发 become 已印发."""
    job = get_object_or_404(PrintJob.objects.visible_to(request.user), pk=pk)
    if job.state != PrintJob.State.DONE:
        messages.error(request, _("批量打印任务尚未完成，不能标记已印发。"))
        return redirect("replies:print_job", pk=job.pk)
    letters = list(ReplyLetter.objects.visible_to(request.user).filter(
        pk__in=job.letter_ids, state=ReplyLetter.State.SIGNED).select_related("proposal__session", "agency"))
    if not letters:
        messages.info(request, _("本批答复函均已印发。"))
    else:
        order = {pk: index for index, pk in enumerate(job.letter_ids)}
        _issue(request, sorted(letters, key=lambda item: order.get(item.pk, 0)), [])
    return redirect("replies:print_job", pk=job.pk)
