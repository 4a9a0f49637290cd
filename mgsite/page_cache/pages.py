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

import gzip
import hashlib
import logging
import re
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
    # The same bytes gzipped, made once when the page is stored (None: not worth it). Only
    # these visitors' pages are ever compressed: a page with a session or a CSRF token in it
    # never is (BREACH), and such pages never come here.
    gzipped: bytes | None = None
    # For an HTTP cache in front: keys and how long (mgsite.page_cache.edge). A default,
    # so entries stored before it was added still load.
    edge_mark: edge.Mark | None = None

    def variant(self, accepts_gzip):
        """(body, Content-Encoding or None, ETag): each encoding has its own ETag."""
        if accepts_gzip and self.gzipped is not None:
            return self.gzipped, "gzip", f'{self.etag[:-1]}-gzip"'
        return self.content, None, self.etag


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


def generation():
    """The generation to serve pages from: one query (see `generations.current`)."""
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


def page_address(request):
    """What tells one page from another: host, path and the parameters pages read."""
    used = ""
    if request.META.get("QUERY_STRING"):
        used = urlencode(
            [(name, request.GET[name]) for name in PAGE_PARAMETERS if name in request.GET]
        )
    return f"{request.get_host()}{request.path}?{used}"


def url_key(request):
    """What a page is stored under in the shared cache, less the generation."""
    return hashlib.sha256(page_address(request).encode()).hexdigest()


def accepts_gzip(request):
    """Whether Accept-Encoding takes gzip: named (or "*") with a quality above 0, as the
    HTTP cache in front reads it too (deploy/varnish: "gzip;q=0" is a refusal)."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if not header:
        return False
    qualities = {}
    for item in header.lower().split(","):
        coding = item.split(";", 1)[0].strip()
        quality = _QUALITY.search(item)
        try:
            qualities[coding] = float(quality.group(1)) if quality else 1.0
        except ValueError:
            qualities[coding] = 0.0
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def has_conditions(request):
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def has_session(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _bypass(request):
    return request.method not in ("GET", "HEAD") or has_session(request)


# Worth compressing: text. Below a few hundred bytes gzip saves nothing.
_COMPRESSIBLE = re.compile(r"^(text/|application/(rss\+|atom\+)?xml|application/(ld\+)?json)")
_MIN_COMPRESS = 256
_QUALITY = re.compile(r";\s*q\s*=\s*([^\s;,]*)", re.IGNORECASE)


def _entry_for(request, response, generation):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    content = response.content
    content_type = response["Content-Type"]
    gzipped = None
    if len(content) >= _MIN_COMPRESS and _COMPRESSIBLE.match(content_type):
        # mtime=0: every worker makes the same bytes, so the gzip ETag means one thing.
        gzipped = gzip.compress(content, compresslevel=6, mtime=0)
    return Entry(
        content=content,
        content_type=content_type,
        etag=quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()),
        last_modified=generation.changed_at.timestamp(),
        gzipped=gzipped,
        edge_mark=edge.mark(request, generation),
    )


def respond_with(request, entry, response=None):
    """`entry` as the response to `request`: gzipped if the client takes it, or a 304.
    `response` may carry headers already (the fast path's stored ones)."""
    if response is None:
        response = HttpResponse()
    body, encoding, etag = entry.variant(accepts_gzip(request))
    response.content = body
    response["Content-Type"] = entry.content_type
    if encoding:
        response["Content-Encoding"] = encoding
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry.last_modified)
    # Browsers and proxies may keep it, but must ask again each time (answered by a 304).
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    edge.add_headers(response, entry.edge_mark)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(entry.last_modified), response=response
    )
    if conditional is not response:
        # A 304 carries the page's other headers too (security headers, CSP), as the whole
        # stack would have added them.
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length", "content-encoding"):
                conditional.headers.setdefault(name, value)
    return conditional


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
        # The fast path (fast_path.py) may have read the generation for this request already.
        serving = getattr(request, "page_cache_generation", None) or generation()
        key = f"pages:{serving.token}:{url_key(request)}"
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
            entry = _entry_for(request, response, serving)
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                _report_trouble("cache", "page cache: could not store %s", request.path)
        response = respond_with(request, entry)
        # For the fast path: this page, as the rest of the stack will finish it, may be kept.
        response.page_cache_entry = (serving.token, entry)
        return response

    return wrapper
