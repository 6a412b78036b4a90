"""manage.py stats --session CODE [--json] [--today DATE]: a session's statistics."""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.models import Session
from proposals.stats import format_percent, session_statistics
from proposals.summary import summary_text

# The Chinese table: (key, label) of the session's counts.
COUNTS = (
    ("proposals", gettext_lazy("收到提案")),
    ("registered", gettext_lazy("立案")),
    ("converted", gettext_lazy("转为意见建议")),
    ("withdrawn", gettext_lazy("撤案")),
    ("merged", gettext_lazy("并案")),
    ("assigned", gettext_lazy("交办")),
    ("replied", gettext_lazy("办复")),
    ("replied_on_time", gettext_lazy("按期办复")),
    ("closed", gettext_lazy("办结")),
    ("overdue", gettext_lazy("逾期未办复")),
    ("overdue_assignments", gettext_lazy("逾期交办")),
    ("max_days_overdue", gettext_lazy("最长逾期天数")),
)


def _pct(value) -> str:
    return format_percent(value)


def _number(value) -> str:
    return "—" if value is None else f"{value:g}"


class Command(BaseCommand):
    help = "Print a session's statistics: counts, rates, classes, adoption, satisfaction, by agency."

    def add_arguments(self, parser):
        parser.add_argument("--session", metavar="CODE", required=True, help="the session's code, e.g. 13-2")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD",
            help="count overdue assignments as of this date (default: today)",
        )

    def handle(self, *args, session, json=False, today=None, **options):
        selected = Session.objects.filter(code=session).first()
        if selected is None:
            raise CommandError(f'--session: unknown session "{session}"')
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        stats = session_statistics(selected, today=day)
        if json:
            self.stdout.write(_dumps(stats))
        else:
            self.stdout.write(self.table(stats))

    def table(self, stats: dict) -> str:
        lines = [_("%(name)s（%(code)s）  统计日期 %(today)s") % {
            "name": stats["session"]["name"], "code": stats["session"]["code"], "today": stats["today"],
        }, ""]
        for key, label in COUNTS:
            lines.append(f"{label!s:<10}\t{stats[key]}")
        lines.append(f"{_('办复率'):<10}\t{_pct(stats['reply_rate'])}")
        lines.append(f"{_('按期办复率'):<10}\t{_pct(stats['on_time_rate'])}")
        lines.append(f"{_('平均逾期天数'):<10}\t{_number(stats['avg_days_overdue'])}")
        lines.append("")
        lines.append(_("答复函分类"))
        for klass, n in stats["classes"].items():
            lines.append(f"  {_('%(klass)s类') % {'klass': klass}}\t{n}\t{_pct(stats['class_percent'][klass])}")
        lines.append(_("采纳情况"))
        for code, n in stats["adoption"].items():
            lines.append(f"  {stats['adoption_labels'][code]}\t{n}")
        lines.append(_("满意度（最近一次反馈，共%(n)d件）") % {"n": stats["feedback"]})
        lines.append(f"  \t{_('满意')}\t{_('基本满意')}\t{_('不满意')}\t{_('满意率')}")
        for field, label in (("handling", _("办理工作")), ("result", _("办理结果"))):
            counts = stats["satisfaction"][field]
            lines.append(
                f"  {label}\t{counts['satisfied']}\t{counts['basically_satisfied']}\t"
                f"{counts['dissatisfied']}\t{_pct(stats['satisfaction_rate'][field])}"
            )
        lines.append("")
        lines.append(_("承办单位"))
        lines.append("\t".join([
            _("单位"), _("交办"), _("办复"), _("按期办复"), _("办复率"), _("按期办复率"), _("逾期"),
            _("最长逾期天数"), _("平均逾期天数"), _("工作满意率"), _("结果满意率"),
        ]))
        for row in stats["by_agency"]:
            lines.append("\t".join(str(v) for v in (
                row["short_name"], row["assigned"], row["replied"], row["replied_on_time"],
                _pct(row["reply_rate"]), _pct(row["on_time_rate"]), row["overdue"],
                row["max_days_overdue"], _number(row["avg_days_overdue"]),
                _pct(row["satisfaction_rate"]["handling"]), _pct(row["satisfaction_rate"]["result"]),
            )))
        lines.append("")
        lines.append(summary_text(stats))
        return "\n".join(lines)


def _dumps(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2)
