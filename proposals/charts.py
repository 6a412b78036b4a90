"""The dashboard's charts: SVG geometry drawn on the server (no script, nothing fetched
from elsewhere). Each chart has a title and a description with its numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .models import Satisfaction
from .stats import (
    SATISFACTION_KEYS,
    format_percent,
)

# ---------------------------------------------------------------- the charts
#
# A chart is a dict the template ``proposals/_chart.html`` draws: its size, title and
# description, and lists of lines, rectangles (each with a tooltip) and texts, all
# placed in user units of the SVG's viewBox; the SVG scales to the width of its box.
# Wide charts sit side by side across the page, compact ones in a third of it.


@dataclass(frozen=True)
class Frame:
    """Where things go: labels end at ``label_end`` (right-aligned), bars run from
    ``plot_left`` for ``plot_width`` units, notes start at ``note_left``."""

    width: int
    label_end: int
    plot_left: int
    plot_width: int
    note_left: int
    size: str


WIDE = Frame(width=560, label_end=100, plot_left=108, plot_width=330, note_left=482, size="wide")
COMPACT = Frame(width=420, label_end=96, plot_left=104, plot_width=236, note_left=350, size="compact")
TOP = 24


def _n(value: float) -> str:
    return f"{value:.1f}"


def _chart(key: str, frame: Frame, title: str, desc: str, height: float, **parts) -> dict:
    chart = {"id": f"chart-{key}", "size": frame.size, "title": title, "desc": desc,
             "width": frame.width, "height": _n(height), "lines": [], "rects": [], "texts": [],
             "legend": []}
    chart.update(parts)
    return chart


def _rect(x: float, y: float, width: float, height: float, css: str, title: str) -> dict:
    return {"x": _n(x), "y": _n(y), "width": _n(max(width, 0)), "height": _n(height), "css": css,
            "title": title}


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "start") -> dict:
    return {"x": _n(x), "y": _n(y), "text": text, "css": css, "anchor": anchor}


def _percent_axis(frame: Frame, height: float) -> tuple[list[dict], list[dict]]:
    lines, texts = [], []
    for tick in (0, 50, 100):
        x = frame.plot_left + frame.plot_width * tick / 100
        lines.append({"x1": _n(x), "y1": _n(TOP - 6), "x2": _n(x), "y2": _n(height - 4),
                      "css": "chart__grid"})
        texts.append(_text(x, TOP - 10, format_percent(tick), "chart__axis", "middle"))
    return lines, texts


def _joined(descriptions: list[str]) -> str:
    return pgettext("separator between parts of a sentence", "；").join(descriptions)


def _late_note(row: dict) -> str:
    if not row["overdue"]:
        return _("无逾期")
    return ngettext("逾期%(count)d件", "逾期%(count)d件", row["overdue"]) % {"count": row["overdue"]}


def rate_chart(rows: list[dict]) -> dict | None:
    """Per agency, in the table's order: 办复率 and 按期办复率 as bars, the overdue count beside."""
    if not rows:
        return None
    frame, row_height = WIDE, 38
    height = TOP + row_height * len(rows) + 6
    lines, texts = _percent_axis(frame, height)
    rects, descriptions = [], []
    series = (("reply_rate", "replied", "chart__bar--reply", _("办复率")),
              ("on_time_rate", "replied_on_time", "chart__bar--on-time", _("按期办复率")))
    for i, row in enumerate(rows):
        y = TOP + i * row_height
        texts.append(_text(frame.label_end, y + 19, row["short_name"], "chart__label", "end"))
        for j, (rate_key, count_key, css, label) in enumerate(series):
            width = frame.plot_width * (row[rate_key] or 0) / 100
            bar_y = y + 5 + j * 14
            tip = _("%(agency)s %(what)s %(rate)s（%(count)d/%(total)d）") % {
                "agency": row["short_name"], "what": label, "rate": format_percent(row[rate_key]),
                "count": row[count_key], "total": row["assigned"]}
            rects.append(_rect(frame.plot_left, bar_y, width, 12, css, tip))
            texts.append(_text(frame.plot_left + width + 4, bar_y + 10,
                               format_percent(row[rate_key]), "chart__value"))
        texts.append(_text(frame.note_left, y + 19, _late_note(row),
                           "chart__note chart__note--late" if row["overdue"] else "chart__note"))
        descriptions.append(_("%(agency)s：办复率%(reply)s，按期办复率%(on_time)s，%(late)s") % {
            "agency": row["short_name"], "reply": format_percent(row["reply_rate"]),
            "on_time": format_percent(row["on_time_rate"]), "late": _late_note(row)})
    return _chart(
        "rates", frame, _("各承办单位办复率与按期办复率"), _joined(descriptions), height,
        lines=lines, rects=rects, texts=texts,
        legend=[{"css": "chart__bar--reply", "label": _("办复率")},
                {"css": "chart__bar--on-time", "label": _("按期办复率")}],
    )


def lateness_chart(rows: list[dict]) -> dict | None:
    """The agencies with overdue assignments, in the table's order: how late the oldest
    is and how late they are on average, in days."""
    late = [row for row in rows if row["overdue"]]
    if not late:
        return None
    frame, row_height = WIDE, 38
    longest = max(row["max_days_overdue"] for row in late) or 1
    height = TOP + row_height * len(late) + 6
    rects, texts, descriptions = [], [], []
    texts.append(_text(frame.plot_left, TOP - 10, _("逾期天数"), "chart__axis"))
    for i, row in enumerate(late):
        y = TOP + i * row_height
        texts.append(_text(frame.label_end, y + 19, row["short_name"], "chart__label", "end"))
        longest_label = ngettext("最长逾期%(days)s天", "最长逾期%(days)s天", row["max_days_overdue"])
        bars = ((row["max_days_overdue"], "chart__bar--late", longest_label),
                (row["avg_days_overdue"] or 0, "chart__bar--average", _("平均逾期%(days)s天")))
        for j, (days, css, label) in enumerate(bars):
            bar_y = y + 5 + j * 14
            width = frame.plot_width * days / longest
            rects.append(_rect(frame.plot_left, bar_y, width, 12, css,
                               f"{row['short_name']} {label % {'days': f'{days:g}'}}"))
            texts.append(_text(frame.plot_left + width + 4, bar_y + 10,
                               _("%(days)s天") % {"days": f"{days:g}"}, "chart__value"))
        descriptions.append(_("%(agency)s：%(late)s，最长逾期%(max)s天，平均逾期%(avg)s天") % {
            "agency": row["short_name"], "late": _late_note(row), "max": row["max_days_overdue"],
            "avg": f"{row['avg_days_overdue']:g}"})
    return _chart(
        "lateness", frame, _("逾期单位的逾期天数"), _joined(descriptions), height,
        rects=rects, texts=texts,
        legend=[{"css": "chart__bar--late", "label": _("最长逾期天数")},
                {"css": "chart__bar--average", "label": _("平均逾期天数")}],
    )


def stacked_chart(key: str, title: str, rows: list[dict], parts: list[tuple[str, str, str]]) -> dict | None:
    """Rows of 100% bars split into ``parts`` (key, label, css class), each row's counts
    given as ``{"label", "counts": {key: n}}``; rows without any count are left out."""
    rows = [row for row in rows if sum(row["counts"].values())]
    if not rows:
        return None
    frame, row_height = COMPACT, 28
    height = TOP + row_height * len(rows) + 6
    lines, texts = _percent_axis(frame, height)
    rects, descriptions = [], []
    for i, row in enumerate(rows):
        y = TOP + i * row_height
        total = sum(row["counts"].values())
        texts.append(_text(frame.label_end, y + 16, row["label"], "chart__label", "end"))
        x, words = frame.plot_left, []
        for part, label, css in parts:
            n = row["counts"].get(part, 0)
            width = frame.plot_width * n / total
            said = _("%(label)s%(count)d（%(share)s）") % {
                "label": label, "count": n, "share": format_percent(round(100 * n / total, 1))}
            words.append(said)
            if n:
                rects.append(_rect(x, y + 4, width, 18, css, f"{row['label']} {said}"))
                if width >= 22:
                    texts.append(_text(x + width / 2, y + 17, str(n), "chart__inside", "middle"))
            x += width
        texts.append(_text(frame.note_left, y + 17, ngettext("共%(count)d", "共%(count)d", total) % {
            "count": total}, "chart__note"))
        descriptions.append(_("%(row)s：%(parts)s") % {
            "row": row["label"],
            "parts": pgettext("separator between list items", "、").join(words)})
    return _chart(
        key, frame, title, _joined(descriptions), height, lines=lines, rects=rects, texts=texts,
        legend=[{"css": css, "label": label} for _part, label, css in parts],
    )


def class_chart(stats: dict) -> dict | None:
    """The class mix of all current letters, then of each agency's."""
    parts = [(klass, _("%(klass)s类") % {"klass": klass}, f"chart__part--{i}")
             for i, klass in enumerate(stats["classes"])]
    rows = [{"label": _("全部"), "counts": stats["classes"]}] + [
        {"label": row["short_name"], "counts": row["classes"]} for row in stats["by_agency"]
    ]
    return stacked_chart("classes", _("答复函分类（A/B/C）"), rows, parts)


def satisfaction_chart(stats: dict) -> dict | None:
    labels = dict(Satisfaction.choices)
    parts = [(key, str(labels[key]), f"chart__satisfaction--{key}") for key in SATISFACTION_KEYS]
    rows = [{"label": _("对办理工作"), "counts": stats["satisfaction"]["handling"]},
            {"label": _("对办理结果"), "counts": stats["satisfaction"]["result"]}]
    return stacked_chart("satisfaction", _("提案者满意度"), rows, parts)


def adoption_chart(stats: dict) -> dict | None:
    """Approved sections by adoption status, one bar each, scaled to the largest."""
    counts = stats["adoption"]
    total = sum(counts.values())
    if not total:
        return None
    frame, row_height = COMPACT, 24
    largest = max(counts.values())
    height = TOP + row_height * len(counts) + 6
    rects, texts, descriptions = [], [], []
    for i, (code, n) in enumerate(counts.items()):
        y = TOP + i * row_height
        label = stats["adoption_labels"][code]
        share = format_percent(stats["adoption_percent"][code])
        said = _("%(label)s%(count)d条（%(share)s）") % {"label": label, "count": n, "share": share}
        width = frame.plot_width * n / largest
        texts.append(_text(frame.label_end, y + 15, label, "chart__label", "end"))
        rects.append(_rect(frame.plot_left, y + 4, width, 14, "chart__bar--adoption", said))
        texts.append(_text(frame.plot_left + width + 4, y + 15,
                           _("%(count)d（%(share)s）") % {"count": n, "share": share}, "chart__value"))
        descriptions.append(said)
    return _chart(
        "adoption", frame, _("建议采纳情况（审核通过的办理意见）"),
        pgettext("separator between list items", "、").join(descriptions), height,
        rects=rects, texts=texts,
    )
