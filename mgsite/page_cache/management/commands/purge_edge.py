"""manage.py purge_edge: purge pages from the HTTP cache in front by surrogate key, or send
again the keys a cache did not take (--retry; from cron, say every minute, on a quiet site
where no later purge would carry them)."""

from django.core.management.base import BaseCommand, CommandError

from mgsite.page_cache import purge
from mgsite.page_cache.models import PendingPurge


class Command(BaseCommand):
    help = "Purge pages by surrogate key from EDGE_CACHE_URLS, or --retry failed purges."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="e.g. article-12 settings")
        parser.add_argument("--retry", action="store_true", help="send the keys kept from failures")

    def handle(self, *args, keys, retry, **options):
        if not purge.enabled():
            raise CommandError("EDGE_CACHE_URLS is empty: there is no HTTP cache to purge.")
        if not keys and not retry:
            raise CommandError("Name the keys to purge, or --retry.")
        silent = purge.purge(set(keys))
        waiting = PendingPurge.objects.count()
        if silent:
            raise CommandError(f"{silent} cache(s) did not answer; {waiting} key(s) kept.")
        self.stdout.write(f"Purged. {waiting} key(s) still waiting.")
