"""``python manage.py generate_data``: a large generated data set, for trying the system at scale.

    python manage.py generate_data --proposals 100000 [--sessions 3] [--agencies 40] [--seed 1]

Writes sessions, agencies with their staff, proposers, and proposals spread over
every state of the workflow, with their recommendations, assignments, sections,
signed letters, feedback and history (see :mod:`demo.generate`). The same seed gives
the same data. A database that already has proposals is left alone unless
``--append`` is given. Afterwards the search index is rebuilt when the project has a
``search_index`` command.
"""

from __future__ import annotations

import io
import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.generate import GenerationRefused, generate


class Command(BaseCommand):
    # argparse needs the description as a plain string (load_demo's help is, too).
    help = (
        "生成大量演示数据：届次会议、承办单位、提案者，以及处于各个办理状态的提案及其建议、交办、"
        "办理意见、已签发的答复函、反馈和办理记录。相同的 --seed 生成相同的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=1000, help=gettext_lazy("提案件数（默认1000）"))
        parser.add_argument("--sessions", type=int, default=3, help=gettext_lazy("届次会议数，1至3（默认3）"))
        parser.add_argument("--agencies", type=int, default=40, help=gettext_lazy("承办单位数（默认40）"))
        parser.add_argument("--seed", type=int, default=1, help=gettext_lazy("随机种子（默认1）"))
        parser.add_argument(
            "--append", action="store_true", help=gettext_lazy("数据库中已有提案时仍在其上追加生成")
        )

    def handle(self, *args, proposals, sessions, agencies, seed, append, **options):
        verbose = options.get("verbosity", 1) >= 2
        try:
            report = generate(
                proposals=proposals, sessions=sessions, agencies=agencies, seed=seed, append=append,
                log=(lambda text: self.stdout.write(text)) if verbose else None,
            )
        except GenerationRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            _("生成完毕，用时%(seconds).1f秒：") % {"seconds": report.seconds}
        ))
        width = max(len(label) for label in report.created) if report.created else 0
        for label, count in report.created.items():
            self.stdout.write(f"  {label}{'　' * (width - len(label))}  {count:>9}")
        if "search_index" in get_commands():
            started = time.perf_counter()
            output = io.StringIO()
            call_command("search_index", "--rebuild", stdout=output)
            self.stdout.write(_("已重建搜索索引，用时%(seconds).1f秒；合计用时%(total).1f秒。") % {
                "seconds": time.perf_counter() - started,
                "total": report.seconds + time.perf_counter() - started,
            })
