"""manage.py export_proposals [--session CODE] -o FILE: write an interchange file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.interchange import dumps, export_data
from proposals.models import Session


class Command(BaseCommand):
    help = (
        "Export agencies, sessions, proposals, sections, reply letters and feedback as a "
        "proposal-replies/1 JSON file (UTF-8)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--session", metavar="CODE",
            help="only this session's proposals, with the agencies they refer to",
        )
        parser.add_argument(
            "-o", "--output", metavar="FILE", default="-",
            help="where to write the file; - (the default) writes to standard output",
        )

    def handle(self, *args, session=None, output="-", **options):
        selected = None
        if session is not None:
            selected = Session.objects.filter(code=session).first()
            if selected is None:
                raise CommandError(f'--session: unknown session "{session}"')
        data = export_data(selected)
        text = dumps(data)
        if output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"-o: cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"wrote {output} (agencies: {len(data['agencies'])}, sessions: {len(data['sessions'])}, "
            f"proposals: {len(data['proposals'])})"
        )
