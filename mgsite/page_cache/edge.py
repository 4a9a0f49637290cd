"""What an HTTP cache in front (Varnish, deploy/varnish/) is told about each page for
visitors: how long it may keep it (`s-maxage`) and what the page shows (`xkey`, its
surrogate keys), so that a change purges exactly the pages it makes stale
(mgsite.page_cache.purge).

The view names its keys (`add_keys`); the page cache keeps them with the stored page
(`mark`) and sends the headers with every copy it serves (`add_headers`). Browsers still
ask again each time (`max-age=0, must-revalidate`); the s-maxage is for the shared cache.

Go-lives and expiries come with no request to purge on, so a page's s-maxage ends at the
first scheduled change that touches it: the site lists them with their keys
(PAGE_CACHE_EDGE_EVENTS, once per content generation, which any change moves on). Without
that list, every page ends at the site's next scheduled change. Never beyond
PAGE_CACHE_EDGE_SECONDS.

Each page also names the content generation it was made under (`X-Page-Generation`): the
cache keeps no page older than the generation its last purge named.

A page served from anywhere but `cached_for_visitors` (a faster path in front of it, say)
must call `add_headers` with the stored mark as it serves, not replay stored headers: the
s-maxage counts down.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_KEYS = "_edge_keys"


def add_keys(request, keys):
    """Say that the page answering `request` shows what `keys` name."""
    if not hasattr(request, _KEYS):
        setattr(request, _KEYS, set())
    getattr(request, _KEYS).update(keys)


@dataclass(frozen=True)
class Mark:
    keys: tuple
    until: float  # a timestamp: the HTTP cache may keep the page until then
    # The content generation the page was made under: a page made before a change was
    # committed may reach the HTTP cache after that change's purge, which names the
    # generation after it (mgsite.page_cache.purge); the cache keeps no page older.
    generation: int = 0


# (generation token, horizon, [(timestamp, keys)] or None): the scheduled changes as the
# current generation knows them, looked up by its first page stored in this process.
_upcoming = (None, 0.0, None)


def _scheduled_changes(generation, now):
    global _upcoming
    token, horizon, changes = _upcoming
    if token != generation.token or horizon < now:
        horizon = now + settings.PAGE_CACHE_EDGE_SECONDS
        changes = None
        if path := getattr(settings, "PAGE_CACHE_EDGE_EVENTS", ""):
            try:
                listed = import_string(path)(_moment(now), _moment(horizon))
            except DatabaseError:
                # This page still goes out; it ends at the site's next change instead, and
                # the next page stored asks again.
                logger.warning("page cache: could not list the scheduled changes", exc_info=True)
                return horizon, None
            changes = [(moment.timestamp(), frozenset(keys)) for moment, keys in listed]
        _upcoming = (generation.token, horizon, changes)
    return horizon, changes


def _moment(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC)


def mark(request, generation):
    """The edge headers' facts for the page answering `request`, under `generation`."""
    now = timezone.now().timestamp()
    keys = frozenset(getattr(request, _KEYS, ()))
    # The list reaches only to its horizon: nothing later is known, so nothing is promised.
    horizon, changes = _scheduled_changes(generation, now)
    if changes is None:
        next_change = generation.next_change_at
        until = min(horizon, next_change.timestamp() if next_change else horizon)
    else:
        until = min([horizon] + [moment for moment, touched in changes if touched & keys])
    return Mark(keys=tuple(sorted(keys)), until=until, generation=generation.number)


# Longer, and the HTTP cache could not take the header (Varnish: 8 KB a header line by
# default); such a page is not kept there rather than kept beyond reach of a purge.
MAX_KEYS_LENGTH = 6000


def edge_values(mark):
    """(s-maxage: whole seconds left, rounded down, never past the change; the xkey header's
    value, or None when the HTTP cache is not to keep the page)."""
    keys = " ".join(mark.keys)
    left = mark.until - timezone.now().timestamp()
    seconds = max(0, int(left)) if len(keys) <= MAX_KEYS_LENGTH else 0
    return seconds, (keys if keys and seconds else None)


def in_use(mark):
    """Whether to tell an HTTP cache in front to keep the page: only where the site purges
    one (EDGE_CACHE_URLS). Any other shared cache honouring s-maxage would keep pages a day
    with nothing to purge them, and the keys are nobody else's business."""
    return mark is not None and bool(settings.EDGE_CACHE_URLS)


def add_headers(response, mark):
    """s-maxage, xkey and the page's generation."""
    if not in_use(mark):
        return
    seconds, xkey = edge_values(mark)
    patch_cache_control(response, s_maxage=seconds)
    if xkey:
        response["xkey"] = xkey
    response["X-Page-Generation"] = str(mark.generation)


def without_s_maxage(cache_control):
    """A Cache-Control value less its s-maxage, for `edge_values` to add afresh."""
    kept = [part.strip() for part in cache_control.split(",")]
    return ", ".join(part for part in kept if part and not part.startswith("s-maxage"))
