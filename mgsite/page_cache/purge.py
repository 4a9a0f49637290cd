"""Purging the HTTP cache in front, by surrogate key (mgsite.page_cache.edge).

Modelled on Wagtail's frontend cache invalidator (wagtail.contrib.frontend_cache): a
backend class per kind of cache, with `purge(keys)`; Varnish's (xkey, deploy/varnish/) is
the one here. EDGE_CACHE_URLS names the caches (empty: nothing is purged);
EDGE_CACHE_BACKEND the class.

A purge never fails the change that asked for it: a publish is committed before it purges.
A cache that does not answer is logged once (until it answers again), and its keys are
kept in the database (PendingPurge) and sent first with the next purge, or by
`manage.py purge_edge --retry` (from cron, for a quiet site). The database, not memory or
the cache: it is the one place every worker shares that outlives a restart, and a purge
that waits there cannot be lost with the process that failed to send it.
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import DatabaseError
from django.utils.module_loading import import_string

from .generations import ROW
from .models import Generation, PendingPurge

logger = logging.getLogger(__name__)

# Keys per request: Varnish refuses request headers over 8 KB (http_req_hdr_len).
KEYS_PER_REQUEST = 200


class PurgeFailed(Exception):
    pass


class VarnishBackend:
    """A Varnish running deploy/varnish/default.vcl: `PURGE` with an xkey-purge header, and
    the content generation now (pages made under an older one are not kept after it)."""

    def __init__(self, url, timeout):
        self.url = url
        self.timeout = timeout

    def purge(self, keys, generation=None):
        keys = sorted(keys)
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            headers = {"xkey-purge": " ".join(keys[start : start + KEYS_PER_REQUEST])}
            if generation is not None:
                headers["xkey-generation"] = str(generation)
            request = urllib.request.Request(  # noqa: S310  (EDGE_CACHE_URLS: our own setting)
                self.url, method="PURGE", headers=headers
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()
            except (OSError, urllib.error.URLError) as error:
                raise PurgeFailed(f"{self.url}: {error}") from error


def enabled():
    return bool(settings.EDGE_CACHE_URLS)


def backends():
    backend = import_string(settings.EDGE_CACHE_BACKEND)
    return [backend(url, settings.EDGE_CACHE_TIMEOUT) for url in settings.EDGE_CACHE_URLS]


# Caches that did not answer, so each outage is logged once, not once per publish.
_unanswered = set()


def purge(keys):
    """Throw the pages carrying any of `keys` out of every HTTP cache; first the keys still
    waiting from an earlier failure. Never raises. Returns the number of caches that
    did not answer."""
    failed = 0
    try:
        # Read after the change committed: it names the change or a later one.
        generation = Generation.objects.filter(pk=ROW).values_list("number", flat=True).first()
    except DatabaseError:
        generation = None
    for backend in backends():
        try:
            waiting = set(
                PendingPurge.objects.filter(url=backend.url).values_list("key", flat=True)
            )
        except DatabaseError:
            waiting = set()
        sending = set(keys) | waiting
        if not sending:
            continue
        try:
            backend.purge(sending, generation)
        except Exception:
            failed += 1
            if backend.url not in _unanswered:
                logger.warning(
                    "HTTP cache %s did not take a purge; its keys are kept and sent again "
                    "(logged once until it answers)",
                    backend.url,
                    exc_info=True,
                )
            _unanswered.add(backend.url)
            _keep(backend.url, sending - waiting)
            continue
        if backend.url in _unanswered:
            logger.warning("HTTP cache %s takes purges again", backend.url)
            _unanswered.discard(backend.url)
        if waiting:
            PendingPurge.objects.filter(url=backend.url, key__in=waiting).delete()
    return failed


def retry():
    """Send the keys kept from failed purges. Returns the number of caches still silent."""
    return purge(set())


def _keep(url, keys):
    try:
        PendingPurge.objects.bulk_create(
            [PendingPurge(url=url, key=key) for key in keys], ignore_conflicts=True
        )
    except DatabaseError:
        logger.exception("could not keep %s keys to purge from %s", len(keys), url)
