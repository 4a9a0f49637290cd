"""Serve visitors stored pages: `cached_for_visitors` wraps a view.

An article page, a list, the sitemap or a feed is the same bytes for every visitor until
an editor changes something or a scheduled go-live or expiry time passes. So each page is
rendered once and kept under a key that carries the site's content generation
(`generations`), which every such change moves on: each request reads the generation (one
small query), then its page (one cache lookup).

Old generations' pages are never read again and age out of the cache; nothing is flushed,
and nothing in the cache can bring an old generation back (a restart from a snapshot, a
flush, another server). Requests with a session (editors, staff previews) and anything but
GET/HEAD bypass the cache entirely. If the cache fails (Redis stopped), pages are rendered
as if uncached; if the database fails, pages already cached under the last generation this
process saw are still served.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from . import edge, generations

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    content: bytes
    content_type: str
    etag: str
    last_modified: float
    # For an HTTP cache in front: keys and how long (mgsite.page_cache.edge). A default,
    # so entries stored before it was added still load.
    edge_mark: edge.Mark | None = None


# Trouble is logged once per incident, with its traceback, not once per request: a Redis
# outage under load would otherwise write a traceback for every page served.
_trouble = set()


def _report_trouble(kind, message, *args):
    if kind not in _trouble:
        logger.warning(message + " (logged once until it answers again)", *args, exc_info=True)
    _trouble.add(kind)


def _recovered(kind, message):
    if kind in _trouble:
        logger.warning(message)
        _trouble.discard(kind)


# The generation this process last read: during a database outage (nothing can change
# then) the pages cached under it are still the right ones.
_last_seen = None


def _generation():
    global _last_seen
    try:
        _last_seen = generations.current()
    except DatabaseError:
        if _last_seen is None:
            raise
        _report_trouble("database", "page cache: the database is not answering")
        return _last_seen
    _recovered("database", "page cache: the database answers again")
    return _last_seen


# The only query parameter a cached page reads (lists' page number). Any other parameter
# gets the same page and the same cache entry: random "?cb=..." cannot fill the cache.
PAGE_PARAMETERS = ("page",)


def _key(request, generation):
    used = urlencode([(name, request.GET[name]) for name in PAGE_PARAMETERS if name in request.GET])
    url = f"{request.get_host()}{request.path}?{used}"
    return f"pages:{generation.token}:{hashlib.sha256(url.encode()).hexdigest()}"


def _bypass(request):
    return request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES


def _entry_for(request, response, generation):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    content = response.content
    return Entry(
        content=content,
        content_type=response["Content-Type"],
        etag=quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()),
        last_modified=generation.changed_at.timestamp(),
        edge_mark=edge.mark(request, generation),
    )


def _response_for(request, entry):
    response = HttpResponse(entry.content, content_type=entry.content_type)
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.last_modified)
    # Browsers and proxies may keep it, but must ask again each time (answered by a 304).
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
    edge.add_headers(response, entry.edge_mark)
    return get_conditional_response(
        request,
        etag=entry.etag,
        last_modified=int(entry.last_modified),
        response=response,
    )


def cached_for_visitors(view):
    """Serve `view` from the page cache to visitors without a session."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _bypass(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        generation = _generation()
        key = _key(request, generation)
        try:
            entry = cache.get(key)
        except Exception:
            _report_trouble("cache", "page cache unavailable; serving pages uncached")
            return view(request, *args, **kwargs)
        _recovered("cache", "page cache: the cache answers again")
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            entry = _entry_for(request, response, generation)
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                _report_trouble("cache", "page cache: could not store %s", request.path)
        return _response_for(request, entry)

    return wrapper
