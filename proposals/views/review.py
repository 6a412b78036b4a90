"""Review (立案, 转为意见建议, 撤案), closing and reopening, and recording feedback."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.pages import liaison_only, refuse
from core.workflow import ConcurrentEdit, DomainError

from .. import services
from ..forms import (
    FeedbackForm,
    ReasonForm,
)
from ..models import (
    Satisfaction,
)
from ..ratings import latest_ratings
from ..selectors import (
    date_text,
)
from .common import (
    page,
    proposal_or_404,
    resubmittable,
)

# ---------------------------------------------------------------- review, closing, reopening


REASON_MOVES = {
    # move: (service, title, reason required, reason help, success message)
    "register": (services.proposal_register, gettext_lazy("立案"), False,
                 gettext_lazy("可选，例如立案时的审查意见。"), gettext_lazy("第%(number)s号提案已立案。")),
    "convert": (services.proposal_convert, gettext_lazy("不予立案，转为意见建议"), True,
                gettext_lazy("说明不予立案的理由，例如：所提事项属具体工作建议。"),
                gettext_lazy("第%(number)s号提案已转为意见建议。")),
    "withdraw": (services.proposal_withdraw, gettext_lazy("撤案"), True,
                 gettext_lazy("说明撤案的理由，例如：提案者申请撤回。"), gettext_lazy("第%(number)s号提案已撤案。")),
    "close": (services.proposal_close, gettext_lazy("办结"), False,
              gettext_lazy("提案者对办理结果不满意而办结时须说明理由。"), gettext_lazy("第%(number)s号提案已办结。")),
    "reopen": (services.proposal_reopen, gettext_lazy("重新办理"), False,
               gettext_lazy("提案者未表示不满意时须说明重新办理的理由。"),
               gettext_lazy("第%(number)s号提案已转入重新办理，承办单位需再次答复。")),
}


def _reason_move(request, pk: int, move: str):
    service, title, required, help_text, done = REASON_MOVES[move]
    proposal = proposal_or_404(request, pk)
    form = ReasonForm(request.POST or None, reason_required=required, reason_help=help_text)
    if request.method == "POST" and form.is_valid():
        try:
            service(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, str(done) % {"number": proposal.number})
            return redirect("proposals:detail", pk=proposal.pk)
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": title,
        "form": form,
        "submit_label": title,
        "warning": proposal.refusal(move),
        "danger": move in ("convert", "withdraw"),
        # closing or reopening is decided on what the proposers said
        "ratings": latest_ratings(proposal) if move in ("close", "reopen") else None,
    })


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_register(request, pk: int):
    return _reason_move(request, pk, "register")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_convert(request, pk: int):
    return _reason_move(request, pk, "convert")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, pk: int):
    return _reason_move(request, pk, "withdraw")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_close(request, pk: int):
    return _reason_move(request, pk, "close")


@liaison_only
@require_http_methods(["GET", "POST"])
def proposal_reopen(request, pk: int):
    return _reason_move(request, pk, "reopen")



# ---------------------------------------------------------------- feedback


def _feedback_conflict(saved: dict, typed: dict) -> list[dict]:
    """The form recorded meanwhile beside the one typed."""
    labels = dict(Satisfaction.choices)
    rows = []
    for name, label in (("handling", _("对办理工作")), ("result", _("对办理结果")),
                        ("received_on", _("收到日期")), ("comment", _("意见"))):
        old, new = saved.get(name), typed.get(name)
        if name == "received_on":
            old, new = date_text(old and old.isoformat()), date_text(new and new.isoformat())
        elif name != "comment":
            old, new = labels.get(old, old), labels.get(new, new)
        rows.append({"label": label, "saved": old or "", "typed": new or "", "long": name == "comment",
                     "differs": (old or "") != (new or "")})
    return rows


@liaison_only
@require_http_methods(["GET", "POST"])
def feedback_record(request, pk: int):
    """登记反馈: the proposer's view of the handling and of the result."""
    proposal = proposal_or_404(request, pk)
    recorded = proposal.feedback.filter(round=proposal.round).count()
    form = FeedbackForm(request.POST or None, proposal=proposal,
                        initial={"received_on": timezone.localdate(), "recorded": recorded})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_record(
                proposal=proposal, handling=data["handling"], result=data["result"],
                received_on=data["received_on"], comment=data["comment"], actor=request.user,
                expected_recorded=data["recorded"], proposer=data.get("proposer"),
            )
        except ConcurrentEdit as error:
            conflict = _feedback_conflict(error.changes, data)
            form = resubmittable(FeedbackForm, request.POST, "recorded", error, proposal=proposal)
        except DomainError as error:
            refuse(form, error)
        else:
            if feedback.is_dissatisfied:
                messages.warning(request, _("已登记反馈。提案者表示不满意，可安排重新办理。"))
            else:
                messages.success(request, _("已登记反馈，可以办结该提案。"))
            return redirect("proposals:detail", pk=proposal.pk)
    warning = proposal.refusal("feedback")
    return page(request, "proposals/action.html", {
        "proposal": proposal,
        "title": _("登记反馈"),
        "form": form,
        "conflict": conflict,
        "submit_label": _("登记"),
        "warning": warning,
        "ratings": latest_ratings(proposal),  # so that a form rated online is not keyed in again
    })
