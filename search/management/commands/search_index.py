"""manage.py search_index [--rebuild]: the search index's size, or rebuild it from the database."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from search.models import SearchEntry
from search.services import rebuild_all


class Command(BaseCommand):
    help = (
        "Print how many proposals, recommendations, sections and letters the search index "
        "holds; with --rebuild, rebuild the whole index from the database first (after a bulk "
        "load or an import)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild the whole index")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            counts = rebuild_all()
            self.stdout.write("rebuilt the search index")
        else:
            counts = dict.fromkeys(SearchEntry.Kind.values, 0)
            counts.update(SearchEntry.objects.values_list("kind").annotate(n=Count("id")).order_by())
        for kind in SearchEntry.Kind.values:
            self.stdout.write(f"{kind}: {counts[kind]}")
        self.stdout.write(f"total: {sum(counts.values())}")
