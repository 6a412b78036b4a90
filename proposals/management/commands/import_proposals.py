"""manage.py import_proposals FILE: read an interchange file (proposal-replies/1)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from proposals.interchange import InterchangeError, import_bytes
from proposals.interchange.reader import check_size


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
            if file == "-":
                raw = sys.stdin.buffer.read(settings.IMPORT_MAX_MB * 1024 * 1024 + 1)
            else:
                check_size(Path(file).stat().st_size)  # before reading a byte of it
                raw = Path(file).read_bytes()
            result = import_bytes(raw)
        except OSError as error:
            raise CommandError(f"file: cannot read {file}: {error.strerror}") from error
        except InterchangeError as error:
            count = len(error.errors)
            raise CommandError(
                f"{file} was not imported: {count} error{'s' if count != 1 else ''}\n"
                + "\n".join(error.errors)
            ) from error
        for line in result.lines():
            self.stdout.write(line)
