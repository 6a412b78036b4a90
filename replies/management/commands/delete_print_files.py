"""manage.py delete_print_files: remove batch-print files older than PRINT_JOB_KEEP_DAYS now
(Celery beat does it every night)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from replies import printing


class Command(BaseCommand):
    help = ("Remove the files of print jobs built more than PRINT_JOB_KEEP_DAYS days ago, and "
            "part files no running job owns. The jobs stay listed and can be built again.")

    def handle(self, *args, **options):
        removed = printing.delete_old_files()
        self.stdout.write(f"{removed} print job files older than {settings.PRINT_JOB_KEEP_DAYS} days removed")
