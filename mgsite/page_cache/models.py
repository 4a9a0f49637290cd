"""The content generation, kept in the database rather than in the cache.

A cache server restarted from an old snapshot, flushed, or replaced by another brings back
whatever it held; if the generation lived there too, an old generation would come back with
the pages cached under it. In the database it moves forward in the same transaction as the
change it stands for, so it can only ever name the content that is committed.
"""

from django.db import models


class Generation(models.Model):
    """One row (pk 1). Each content change gives it a new random `token`, the prefix of
    every cached page's key: random rather than counted, so a database restored from a
    backup (whose count the cache may have seen since with other content) cannot reuse one."""

    token = models.CharField(max_length=32)
    number = models.PositiveBigIntegerField(default=1)  # changes so far, for people reading it
    changed_at = models.DateTimeField()  # the pages' Last-Modified
    # The next scheduled go-live or expiry, looked up once per generation by its first
    # request; the first request after it starts a new generation.
    next_change_at = models.DateTimeField(null=True, blank=True)
    next_change_known = models.BooleanField(default=False)

    def __str__(self):
        return f"generation {self.number} ({self.token})"


class PendingPurge(models.Model):
    """A surrogate key an HTTP cache did not take (mgsite.page_cache.purge): sent again
    with the next purge, or by `manage.py purge_edge --retry`."""

    url = models.CharField(max_length=300)
    key = models.CharField(max_length=200)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["url", "key"], name="unique_pending_purge")]

    def __str__(self):
        return f"{self.key} at {self.url}"
