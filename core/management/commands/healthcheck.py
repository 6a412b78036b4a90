"""Exit 0 when healthy, 1 when not: for container health checks.

    python manage.py healthcheck                      # database, broker and a live worker
    python manage.py healthcheck --check broker       # only what is named
    python manage.py healthcheck --url http://127.0.0.1:8000/health/live/
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from core import health


class Command(BaseCommand):
    help = "Check the database, the broker and a live worker, or fetch a health URL."

    def add_arguments(self, parser):
        parser.add_argument("--check", default="", help="comma-separated: database, broker, worker")
        parser.add_argument("--url", default="", help="fetch this URL instead; healthy on 200")
        parser.add_argument("--timeout", type=float, default=5.0)

    def handle(self, *args, check, url, timeout, **options):
        if url:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                    status = response.status
            except (urllib.error.URLError, OSError) as error:
                raise CommandError(f"{url}: {error}") from error
            if status != 200:
                raise CommandError(f"{url}: HTTP {status}")
            self.stdout.write(f"{url}: HTTP {status}")
            return
        names = [name for name in check.split(",") if name] or list(health.CHECKS)
        unknown = [name for name in names if name not in health.CHECKS]
        if unknown:
            raise CommandError(f"unknown check: {', '.join(unknown)}; known: {', '.join(health.CHECKS)}")
        results = health.run_checks(names)
        self.stdout.write(json.dumps(results, ensure_ascii=False))
        failed = [name for name, result in results.items() if not result["ok"]]
        if failed:
            raise CommandError(f"failing: {', '.join(failed)}")
