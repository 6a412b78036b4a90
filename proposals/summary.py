"""The session's statistics in words: the summary on the dashboard and in the workbook."""

from __future__ import annotations

from django.utils.translation import ngettext, pgettext

from .models import Proposal, Satisfaction
from .stats import AGENCY_SORTS, format_percent

State = Proposal.State


# ---------------------------------------------------------------- the summary in words
#
# Every word and every mark of punctuation comes from the catalogue, so that another
# language can build its own sentences: clauses are joined by the clause separator,
# list items by the list separator, and a sentence is closed by the sentence pattern.


def _clauses(*clauses: str) -> str:
    return pgettext("separator between clauses", "，").join(c for c in clauses if c)


def _items(items, separator: str) -> str:
    return separator.join(items)


def _close(text: str) -> str:
    # Translators: closes a sentence of the statistics summary; sentences are written one
    # after another, so end with a space if your language separates sentences with one.
    return pgettext("statistics summary", "%(clauses)s。") % {"clauses": text}


def _sentence(*clauses: str) -> str:
    return _close(_clauses(*clauses))


def _counted(singular: str, plural: str, count: int, **values) -> str:
    return ngettext(singular, plural, count) % {"count": count, **values}


def _review_sentence(stats: dict) -> str:
    clauses = [
        _counted("%(session)s共收到提案%(count)d件", "%(session)s共收到提案%(count)d件",
                 stats["proposals"], session=stats["session"]["name"]),
        _counted("经审查立案%(count)d件", "经审查立案%(count)d件", stats["registered"]),
    ]
    if stats["converted"]:
        clauses.append(_counted("转为意见建议%(count)d件", "转为意见建议%(count)d件", stats["converted"]))
    if stats["withdrawn"]:
        clauses.append(_counted("撤案%(count)d件", "撤案%(count)d件", stats["withdrawn"]))
    if stats.get("merged"):
        clauses.append(_counted("并案%(count)d件", "并案%(count)d件", stats["merged"]))
    return _sentence(*clauses)


def _handling_sentences(stats: dict) -> list[str]:
    assigned = _sentence(
        _counted("已交办提案%(count)d件", "已交办提案%(count)d件", stats["assigned"]),
        _counted("交由%(count)d个单位承办", "交由%(count)d个单位承办", stats["agencies"]),
    )
    semicolon = pgettext("separator between parts of a sentence", "；")
    replied = _close(_items([
        _counted("已办复%(count)d件，办复率%(rate)s", "已办复%(count)d件，办复率%(rate)s",
                 stats["replied"], rate=format_percent(stats["reply_rate"])),
        _counted("其中按期办复%(count)d件，按期办复率%(rate)s", "其中按期办复%(count)d件，按期办复率%(rate)s",
                 stats["replied_on_time"], rate=format_percent(stats["on_time_rate"])),
        _counted("已办结%(count)d件", "已办结%(count)d件", stats["closed"]),
    ], semicolon))
    return [assigned, replied]


def _class_sentence(stats: dict) -> str:
    if not sum(stats["classes"].values()):
        return ""
    semicolon = pgettext("separator between parts of a sentence", "；")
    classes = _items([
        _counted("%(klass)s类%(count)d件，占%(share)s", "%(klass)s类%(count)d件，占%(share)s", n,
                 klass=klass, share=format_percent(stats["class_percent"][klass]))
        for klass, n in stats["classes"].items()
    ], semicolon)
    return _sentence(pgettext("statistics summary", "答复函中，%(classes)s") % {"classes": classes})


def _adoption_sentence(stats: dict) -> str:
    total = sum(stats["adoption"].values())
    if not total:
        return ""
    used = _items([
        _counted("%(status)s%(count)d条", "%(status)s%(count)d条", n,
                 status=stats["adoption_labels"][code])
        for code, n in stats["adoption"].items() if n
    ], pgettext("separator between list items", "、"))
    return _sentence(_counted(
        "各单位审核通过的办理意见%(count)d条，其中%(statuses)s",
        "各单位审核通过的办理意见%(count)d条，其中%(statuses)s", total, statuses=used,
    ))


def _satisfaction_sentence(stats: dict) -> str:
    if not stats["feedback"]:
        return ""
    clauses = [
        _counted("收到提案者反馈%(count)d件", "收到提案者反馈%(count)d件", stats["feedback"]),
        pgettext("statistics summary", "对办理工作的满意率%(rate)s") % {
            "rate": format_percent(stats["satisfaction_rate"]["handling"])},
        pgettext("statistics summary", "对办理结果的满意率%(rate)s") % {
            "rate": format_percent(stats["satisfaction_rate"]["result"])},
    ]
    dissatisfied = stats["satisfaction"]["result"][Satisfaction.DISSATISFIED]
    if dissatisfied:
        clauses.append(_counted("对办理结果不满意%(count)d件", "对办理结果不满意%(count)d件", dissatisfied))
    return _sentence(*clauses)


def _overdue_sentences(stats: dict) -> list[str]:
    if not stats["overdue"]:
        return []
    late = [row for row in stats["by_agency"] if row["overdue"]]
    sentences = [_sentence(
        _counted("目前尚有%(count)d件提案逾期未办复", "目前尚有%(count)d件提案逾期未办复", stats["overdue"]),
    )]
    if late:
        late.sort(key=AGENCY_SORTS["late"][1])
        agencies = _items([
            _counted("%(agency)s%(count)d件（%(longest)s）", "%(agency)s%(count)d件（%(longest)s）",
                     row["overdue"], agency=row["short_name"], longest=_counted(
                         "最长逾期%(count)d天", "最长逾期%(count)d天", row["max_days_overdue"]))
            for row in late
        ], pgettext("separator between list items", "、"))
        sentences.append(_sentence(
            pgettext("statistics summary", "逾期的承办单位：%(agencies)s") % {"agencies": agencies}
        ))
    return sentences


def summary_text(stats: dict) -> str:
    """The session's statistics in the words a work report uses, for staff to copy:
    共收到提案N件，经审查立案M件……交由K个单位承办……A类x件，占y%……满意率z%."""
    sentences = [
        _review_sentence(stats),
        *_handling_sentences(stats),
        _class_sentence(stats),
        _adoption_sentence(stats),
        _satisfaction_sentence(stats),
        *_overdue_sentences(stats),
    ]
    return "".join(s for s in sentences if s).strip()
