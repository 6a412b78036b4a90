"""``python manage.py load_demo``: demo data and demo users, safe to run again."""

import datetime
import unicodedata

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.data import load_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table whose columns line up with Chinese text in them."""
    widths = [max(_width(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(_pad(str(cell), w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, tuple("-" * w for w in widths), *rows)
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "载入演示数据：市政协十三届二次会议、五个承办单位及其工作人员、第132020号提案及"
        "答复函 中工商联函〔2023〕11号，以及处于各个办理状态的其他提案。可重复运行，"
        "已有的数据不会重复创建或被修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=datetime.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
            help="演示数据所处的日期（默认今天）：提案、交办、答复的日期按整周移到这一天所在的一周。",
        )

    def handle(self, *args, **options):
        # The demo's history notifies people in the site, as it would have happened; the
        # e-mails it would have sent are kept in memory instead of flooding the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            report = load_demo(as_of=options["as_of"])
        if report.created:
            self.stdout.write(self.style.SUCCESS(f"新建 {len(report.created)} 项："))
            for item in report.created:
                self.stdout.write(f"  {item}")
        else:
            self.stdout.write(self.style.SUCCESS("演示数据已存在，未作任何修改。"))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write("")
        self.stdout.write("演示用户：")
        self.stdout.write(format_table(
            ("用户名", "角色", "密码"),
            [(u.username, u.role, u.password) for u in report.users],
        ))
