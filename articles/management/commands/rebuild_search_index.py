"""After restoring a backup (or if in doubt): write the search index again from the live
versions, and start a new content generation so no page cached before the restore is served.

SQLite keeps its full-text index in an FTS5 table that `loaddata` and `flush` do not know
about; PostgreSQL's is a generated column the database keeps by itself, so there only the
new generation is needed. Prints how many live versions were indexed.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from articles import search_index
from articles.models import LiveVersion
from mgsite.page_cache import generations


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the live versions; renew cached pages."

    def handle(self, *args, **options):
        with transaction.atomic():
            generations.content_changed()
            if connection.vendor != "sqlite":
                self.stdout.write(
                    "PostgreSQL keeps its search index itself: nothing to rebuild. "
                    "Cached pages renewed."
                )
                return
            search_index.clear()
            count = 0
            for version in LiveVersion.objects.filter(takedown=False).iterator():
                search_index.update(version)
                count += 1
        self.stdout.write(f"Indexed {count} live version(s). Cached pages renewed.")
