"""manage.py import_proposals FILE: read an interchange file (proposal-replies/1)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.interchange import InterchangeError, import_bytes


class Command(BaseCommand):
    help = (
        "Import agencies, sessions, proposals, sections, reply letters and feedback from a "
        "proposal-replies/1 JSON file. The whole file is checked first; a file with any error "
        "imports nothing. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file to import, or - for standard input")

    def handle(self, *args, file, **options):
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"file: cannot read {file}: {error.strerror}") from error
        try:
            result = import_bytes(raw)
        except InterchangeError as error:
            count = len(error.errors)
            raise CommandError(
                f"{file} was not imported: {count} error{'s' if count != 1 else ''}\n"
                + "\n".join(error.errors)
            ) from error
        for line in result.lines():
            self.stdout.write(line)
