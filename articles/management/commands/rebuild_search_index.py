"""Write the search index again from the live versions (after `loaddata`, or if in doubt).

SQLite keeps its full-text index in an FTS5 table that `loaddata` and `flush` do not know
about; PostgreSQL's is a generated column the database keeps by itself, so there this only
says so. Prints how many live versions were indexed.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from articles import search_index
from articles.models import LiveVersion


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the live versions."

    def handle(self, *args, **options):
        if connection.vendor != "sqlite":
            self.stdout.write("PostgreSQL keeps its search index itself: nothing to rebuild.")
            return
        with transaction.atomic():
            search_index.clear()
            count = 0
            for version in LiveVersion.objects.filter(takedown=False).iterator():
                search_index.update(version)
                count += 1
        self.stdout.write(f"Indexed {count} live version(s).")
