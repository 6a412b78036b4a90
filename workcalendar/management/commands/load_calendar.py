"""manage.py load_calendar FILE [--partial]: load public holidays and 调休 days from a file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workcalendar.files import CalendarFileError, check_complete, load_days, read_days

MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Load a year's public holidays and make-up working days from a CSV file of lines "
        "date,kind,name (kind: holiday or workday; a header line allowed). The years in the "
        "file are replaced and marked complete, unless --partial is given. Open working-day "
        "due dates over changed days are computed again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, UTF-8")
        parser.add_argument("--partial", action="store_true",
                            help="add to and correct the days already there; do not mark years complete")

    def handle(self, *args, file, partial, **options):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"文件“{file}”超过1MB，不像是日历文件。")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到文件“{file}”。") from None
        except UnicodeDecodeError:
            raise CommandError(f"文件“{file}”不是UTF-8编码的文本。") from None
        except OSError as error:
            raise CommandError(f"无法读取文件“{file}”：{error.strerror}") from None
        try:
            rows = read_days(text)
            if not partial:
                check_complete(rows)
        except CalendarFileError as error:
            raise CommandError("文件有误，未做任何修改：\n" + "\n".join(error.problems)) from None
        loaded = load_days(rows, partial=partial, source_name=path.name)
        for year, count in sorted(loaded.years.items()):
            state = "已标记为完整" if not partial else "部分导入，完整性未变"
            self.stdout.write(f"{year}年：{count}天（{state}）")
        if not loaded.changed:
            self.stdout.write("日历没有变化。")
