"""Whole pages for visitors, from the cache, invalidated exactly when content changes.

An article page, a list, the sitemap or a feed is the same bytes for every visitor until
an editor changes something or a scheduled go-live or expiry time passes. So each page is
rendered once and kept under a key that carries the site's *content generation*:

- every content change (articles.signals calls `content_changed` once per change, however
  many rows it touched) starts a new generation, again once its transaction commits, so
  every page on every worker is fresh on the next request;
- the next scheduled go-live or expiry is kept beside the generation; the first request
  after that moment starts a new generation, so scheduling needs no job here either.

Old generations' pages are never read again and age out of the cache; nothing is flushed.
Requests with a session (editors, staff previews) and anything but GET/HEAD bypass the cache
entirely, without touching the database. If the cache itself fails (Redis stopped), pages
are rendered as if uncached.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

STATE_KEY = "pages:state"
_MISSING = object()


@dataclass(frozen=True)
class State:
    generation: str
    changed_at: float  # when content last changed: the pages' Last-Modified


@dataclass(frozen=True)
class Entry:
    content: bytes
    content_type: str
    etag: str
    last_modified: float


def _next_scheduled_change():
    # The site says where its schedule lives (PAGE_CACHE_NEXT_CHANGE): this module serves
    # pages for any app and imports none of them.
    return import_string(settings.PAGE_CACHE_NEXT_CHANGE)()


def new_generation():
    """Make every cached page stale at once: one cache write, no query.

    Each generation is new and random, so two workers starting one at the same moment can
    only ever leave a new one in place, never bring back an old one.
    """
    state = State(uuid.uuid4().hex[:12], time.time())
    cache.set(STATE_KEY, state, timeout=None)
    return state


def content_changed():
    """Call on any content change: a new generation now, and again once it is committed.

    The one on commit is what other workers rely on: a page rendered before the commit is
    keyed by a generation that is then replaced. The one now serves reads on the same
    connection before any commit (and tests, which never commit).
    """
    _new_generation_quietly()
    transaction.on_commit(_new_generation_quietly)


# Set when this process could not start a new generation (the cache was unreachable): the
# pages from before the change must not come back when the cache does, so this process
# starts one before it serves anything cached again.
_generation_owed = False


# Cache trouble is logged once per incident, with its traceback, not once per request: a
# Redis outage under load would otherwise write a traceback for every page served.
_trouble = False


def _cache_trouble(message, *args):
    global _trouble
    if not _trouble:
        logger.warning(
            message + " (logged once until the cache answers again)", *args, exc_info=True
        )
    _trouble = True


def _cache_recovered():
    global _trouble
    if _trouble:
        logger.warning("page cache: the cache answers again")
    _trouble = False


def _new_generation_quietly():
    global _generation_owed
    try:
        new_generation()
        _generation_owed = False
    except Exception:
        _generation_owed = True
        _cache_trouble("page cache: could not start a new generation")


def current_state(request=None):
    """The live generation (and, given a request, its cached page or None, fetched in the
    same round trip); a new generation if a scheduled go-live or expiry has passed since, or
    if this process owes one from a change made while the cache was unreachable."""
    global _generation_owed
    state = cache.get(STATE_KEY)
    if state is None or _generation_owed:
        state = new_generation()
        _generation_owed = False
    # The next scheduled change is kept per generation: its first request looks it up.
    next_key = f"pages:next:{state.generation}"
    page_key = _key(request, state) if request is not None else None
    found = cache.get_many([next_key, page_key] if page_key else [next_key])
    next_change_at = found.get(next_key, _MISSING)
    if next_change_at is _MISSING:
        next_change_at = _next_scheduled_change()
        cache.set(next_key, next_change_at, timeout=settings.PAGE_CACHE_SECONDS)
    if next_change_at is not None and time.time() >= next_change_at:
        return new_generation(), None
    return state, found.get(page_key)


# The only query parameter a cached page reads (lists' page number). Any other parameter
# gets the same page and the same cache entry: random "?cb=..." cannot fill the cache.
PAGE_PARAMETERS = ("page",)


def _key(request, state):
    used = urlencode([(name, request.GET[name]) for name in PAGE_PARAMETERS if name in request.GET])
    url = f"{request.get_host()}{request.path}?{used}"
    return f"pages:{state.generation}:{hashlib.sha256(url.encode()).hexdigest()}"


def _bypass(request):
    return request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES


def _entry_for(response, state):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    content = response.content
    return Entry(
        content=content,
        content_type=response["Content-Type"],
        etag=quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()),
        last_modified=state.changed_at,
    )


def _response_for(request, entry):
    response = HttpResponse(entry.content, content_type=entry.content_type)
    response["ETag"] = entry.etag
    response["Last-Modified"] = http_date(entry.last_modified)
    # Browsers and proxies may keep it, but must ask again each time (answered by a 304).
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
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
        try:
            state, entry = current_state(request)
            key = _key(request, state)
        except Exception:
            _cache_trouble("page cache unavailable; serving pages uncached")
            return view(request, *args, **kwargs)
        _cache_recovered()
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            entry = _entry_for(response, state)
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                _cache_trouble("page cache: could not store %s", request.path)
        return _response_for(request, entry)

    return wrapper
