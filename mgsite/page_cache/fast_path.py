"""The fast path: a worker answers a visitor's request for a hot page before the rest of the
middleware runs, from its own memory, checked against the shared generation.

The page cache (`pages`) stores each page's bytes in the shared cache, but a request for it
still passes through every middleware (sessions, authentication, CSRF, messages, 2FA,
lockouts) and then reads the shared cache: most of the time a cached page takes. Here, the
first middleware keeps, per worker, the last full response of each hot page as the whole
stack sent it (every header, CSP and the other security headers included) and, while the
site's generation is still the one it was made under, sends it again without calling the
rest of the stack: one shared lookup per request (the generation, so every worker changes
page at the same moment), no cache round trip, no middleware.

Only requests that would have been given the stored page anyway take this path: GET or HEAD
without a session cookie, over HTTPS where the site redirects plain HTTP. Anything else goes
down the stack as before, and the stack decides (`pages.cached_for_visitors`) which
responses are kept. Memory is bounded per worker (PAGE_CACHE_LOCAL_BYTES); least recently
used pages go first, and /healthz reports what this worker holds.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.http.response import ResponseHeaders

from . import edge, pages

# Headers made afresh for each response (the body's, the encoding's), or never replayed.
_PER_RESPONSE = {"content-length", "content-encoding", "etag", "set-cookie", "date"}


@dataclass(frozen=True)
class Held:
    """A page as the whole stack sent it: its generation, its headers and its entry."""

    token: str
    headers: ResponseHeaders  # less _PER_RESPONSE
    entry: pages.Entry
    cache_control: str = ""  # less the s-maxage, which counts down (edge.edge_values)

    @property
    def size(self):
        return (
            len(self.entry.content)
            + len(self.entry.gzipped or b"")
            + sum(len(name) + len(value) for name, value in self.headers.items())
            + 200  # the key, the objects around them
        )


class LocalPages:
    """This worker's copies of hot pages: least recently used first out, at most `limit`
    bytes of pages and headers."""

    def __init__(self, limit):
        self.limit = limit
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._pages = OrderedDict()
        # gunicorn's threaded workers share one process: moving and evicting stay atomic.
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            held = self._pages.get(key)
            if held is not None:
                self._pages.move_to_end(key)
            return held

    def put(self, key, held):
        if held.size > self.limit:
            return
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self.bytes -= old.size
            self._pages[key] = held
            self.bytes += held.size
            while self.bytes > self.limit:
                _, evicted = self._pages.popitem(last=False)
                self.bytes -= evicted.size

    def drop(self, key):
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self.bytes -= old.size

    def clear(self):
        with self._lock:
            self._pages.clear()
            self.bytes = self.hits = self.misses = 0

    def report(self):
        """What /healthz says of this worker's copies."""
        return {
            "pages": len(self._pages),
            "bytes": self.bytes,
            "limit_bytes": self.limit,
            "hits": self.hits,
            "misses": self.misses,
        }


local_pages = LocalPages(settings.PAGE_CACHE_LOCAL_BYTES)


def _may_take_fast_path(request):
    if request.path.startswith(settings.STATIC_URL):  # whitenoise's, next but one
        return False
    if request.method not in ("GET", "HEAD") or pages.has_session(request):
        return False
    # SecurityMiddleware would redirect this request to HTTPS: let it.
    return request.is_secure() or not settings.SECURE_SSL_REDIRECT


class FastPathMiddleware:
    """First in MIDDLEWARE: answers hot pages from this worker's memory."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_take_fast_path(request):
            return self.get_response(request)
        key = pages.page_address(request)
        held = local_pages.get(key)
        if held is not None:
            generation = pages.generation()
            if generation.token == held.token:
                local_pages.hits += 1
                return _replay(request, held)
            local_pages.drop(key)
            # The stack below reads the generation again only if it was not read here.
            request.page_cache_generation = generation
        local_pages.misses += 1
        response = self.get_response(request)
        kept = getattr(response, "page_cache_entry", None)
        if kept is not None and response.status_code == 200 and not response.cookies:
            token, entry = kept
            headers = ResponseHeaders(
                {
                    name: value
                    for name, value in response.items()
                    if name.lower() not in _PER_RESPONSE
                }
            )
            cache_control = edge.without_s_maxage(response.get("Cache-Control", ""))
            headers.pop("xkey", None)  # made afresh for each copy, where an edge cache is used
            local_pages.put(key, Held(token, headers, entry, cache_control))
        return response


def _replay(request, held):
    if pages.has_conditions(request):  # the rarer case: may be a 304
        response = HttpResponse(headers=held.headers)
        response = pages.respond_with(request, held.entry, response)
    else:
        # The stored headers already say all respond_with would (Cache-Control, Vary, ...),
        # checked and encoded when they were stored: copied as they are, a third of the cost
        # of setting them one by one (Django keeps them in ResponseHeaders._store).
        body, encoding, etag = held.entry.variant(pages.accepts_gzip(request))
        response = HttpResponse(body)
        response.headers._store.update(held.headers._store)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.headers["ETag"] = etag
        # Not replayed: the s-maxage for an HTTP cache in front counts down to the page's
        # next scheduled change (as edge.add_headers says, a tenth of the cost).
        if edge.in_use(mark := held.entry.edge_mark):
            seconds, xkey = edge.edge_values(mark)
            response.headers["Cache-Control"] = f"{held.cache_control}, s-maxage={seconds}"
            if xkey:
                response.headers["xkey"] = xkey
            else:
                response.headers.pop("xkey", None)
    if response.status_code == 200:  # as CommonMiddleware sets it on the way out
        response.headers["Content-Length"] = str(len(response.content))
    return response
