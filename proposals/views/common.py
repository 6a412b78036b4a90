"""What the liaison staff's pages share: the proposals a user may see, and rendering."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.workflow import ConcurrentEdit

from ..forms import (
    BODY_MAX,
    edit_rows,
    formset_from_rows,
    parse_op,
    raw_rows,
)
from ..models import (
    Proposal,
)
from ..splitting import split_recommendations

PER_PAGE = 25


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    return render(request, template, context or {}, status=status)


def visible_proposals(request):
    return Proposal.objects.visible_to(request.user)


def proposal_or_404(request, pk: int) -> Proposal:
    """The proposal, if the user may see it; else 404, as if it did not exist."""
    return get_object_or_404(visible_proposals(request).select_related("session", "category"), pk=pk)


def resubmittable(form_class, data, field: str, error: ConcurrentEdit, **kwargs):
    """The form again as typed, refused with ``error``'s message, its ``field`` set to what is
    saved now: saving once more overwrites the other person's change, knowingly."""
    data = data.copy()
    data[field] = str(error.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, error.message)
    return form


def rows_context(prefix: str, formset, errors=None, note: str = "", offer_replace: bool = False) -> dict:
    return {prefix: formset, f"{prefix}_errors": errors or [], f"{prefix}_note": note,
            "offer_replace": offer_replace}


def apply_row_op(data, op: str):
    """Edit the rows named in ``op`` as typed; returns (prefix, formset, note, offer_replace)."""
    parsed = parse_op(op)
    if parsed is None:
        return None
    prefix, action, index = parsed
    if action == "split":
        if prefix != "recommendations":
            return None
        return ("recommendations", *split_into_rows(data, mode=data.get("mode", "replace")))
    rows = edit_rows(raw_rows(data, prefix), prefix, action, index)
    return prefix, formset_from_rows(prefix, rows), "", False


def split_into_rows(data, *, mode: str):
    """Recommendations proposed from the full text: (formset, note, offer_replace).

    On a paste, rows the user already filled in are kept and the replacement offered.
    """
    body = data.get("body", "") or ""
    current = raw_rows(data, "recommendations")
    if len(body) > BODY_MAX:
        note = _("提案内容超过%(max)s字，无法识别建议。") % {"max": f"{BODY_MAX:,}"}
        return formset_from_rows("recommendations", current), note, False
    proposed = split_recommendations(body)
    if not proposed:
        if mode == "paste":
            return formset_from_rows("recommendations", current), "", False
        note = _("没有在提案内容中找到编号（一、（一）1. 1、），请逐条填写建议。")
        return formset_from_rows("recommendations", current), note, False
    filled = any((row.get("title") or "").strip() or (row.get("body") or "").strip() for row in current)
    if mode == "paste" and filled:
        note = _("从粘贴的全文中识别出%(n)s条建议。下面已填写的建议没有改动；如需用识别结果替换，请点击“用识别结果替换”。") % {
            "n": len(proposed)}
        return formset_from_rows("recommendations", current), note, True
    rows = [{"title": item.title, "body": item.body} for item in proposed]
    note = _("已从全文中识别出%(n)s条建议，请逐条核对标题和内容，确认无误后再保存。") % {"n": len(proposed)}
    return formset_from_rows("recommendations", rows), note, False
