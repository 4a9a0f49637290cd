"""The page cache's fast path (mgsite/page_cache/fast_path.py) and compression: hot pages
answered from the worker's memory with exactly the whole stack's headers, exact across
workers, bounded in memory; gzip for visitors' pages only."""

import gzip
from datetime import timedelta

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.http.response import ResponseHeaders
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing
from mgsite.page_cache import edge, generations, pages
from mgsite.page_cache.fast_path import Held, LocalPages, local_pages

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def url(make_article):
    article = make_article("Glycine for Sleep", sections=3)
    return article.get_absolute_url()


def headers_of(response):
    return {name: value for name, value in response.items() if name not in ("Date",)}


def test_a_hot_page_skips_the_rest_of_the_stack_with_the_same_headers(client, url, monkeypatch):
    full = client.get(url)
    assert full.status_code == 200

    def must_not_run(self, request):
        raise AssertionError("the session middleware ran for a hot page")

    monkeypatch.setattr(SessionMiddleware, "process_request", must_not_run)
    fetched = []
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: fetched.append(args))
    with CaptureQueriesContext(connection) as queries:
        fast = client.get(url)
    assert fast.status_code == 200 and fast.content == full.content
    assert len(queries) == 1 and not fetched  # the generation; no shared cache lookup
    assert headers_of(fast) == headers_of(full)
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "ETag", "Vary"):
        assert fast.has_header(name), name
    assert local_pages.report()["hits"] == 1


def test_every_worker_changes_page_with_the_generation(client, url, make_article):
    client.get(url)
    assert local_pages.report()["pages"] == 1
    article = make_article("Another one")
    article.title = "Another one, retitled"
    article.save()
    publishing.publish(article)  # a new generation: the copy held is not the page any more
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200 and len(queries) > 1  # made again, not replayed
    assert local_pages.report()["hits"] == 0


def test_sessions_and_posts_never_take_the_fast_path(client, admin_client, url):
    client.get(url)
    client.get(url)
    assert local_pages.report()["hits"] == 1
    staff = admin_client.get(url)
    assert staff.status_code == 200 and "private" in staff["Cache-Control"]
    client.post(url)
    assert local_pages.report()["hits"] == 1


def test_plain_http_is_still_redirected_where_the_site_asks(client, url, settings):
    settings.SECURE_SSL_REDIRECT = True
    client.get(url, secure=True)
    assert client.get(url, secure=True).status_code == 200
    assert local_pages.report()["hits"] == 1
    response = client.get(url)  # plain HTTP: SecurityMiddleware must see it
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get(url, secure=True).status_code == 200


def test_memory_is_bounded_least_recently_used_first():
    entry = pages.Entry(b"x" * 1000, "text/html", '"e"', 0.0)
    held = Held("token", ResponseHeaders({"Content-Type": "text/html"}), entry)
    store = LocalPages(limit=held.size * 2)
    store.put("a", held)
    store.put("b", held)
    store.get("a")  # a is now the most recently used
    store.put("c", held)
    assert store.get("b") is None and store.get("a") is held and store.get("c") is held
    assert store.report()["bytes"] <= store.report()["limit_bytes"]
    huge = pages.Entry(b"x" * 10_000, "text/html", '"e"', 0.0)
    store.put("huge", Held("token", ResponseHeaders({}), huge))
    assert store.get("huge") is None  # bigger than the whole budget: not kept


def test_healthz_reports_this_workers_copies(client, url):
    client.get(url)
    report = client.get("/healthz").json()["page_cache_this_worker"]
    assert report["pages"] == 1 and 0 < report["bytes"] <= report["limit_bytes"]


@pytest.mark.parametrize("hot", [False, True], ids=["from the stack", "from the fast path"])
def test_visitors_pages_are_gzipped_with_their_own_etag(client, url, hot):
    plain = client.get(url)
    if hot:
        client.get(url, headers=GZIP)
    zipped = client.get(url, headers=GZIP)
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert zipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert not plain.has_header("Content-Encoding")
    again = client.get(url, headers={**GZIP, "If-None-Match": zipped["ETag"]})
    assert again.status_code == 304
    assert again.has_header("Content-Security-Policy")  # a 304 carries the page's headers
    # The identity ETag does not validate the gzipped bytes, nor the other way round.
    assert client.get(url, headers={**GZIP, "If-None-Match": plain["ETag"]}).status_code == 200


def test_pages_with_a_session_or_a_csrf_token_are_never_compressed(admin_client, client, url):
    staff = admin_client.get(url, headers=GZIP)
    assert staff.status_code == 200 and not staff.has_header("Content-Encoding")
    login = client.get("/admin/login/", headers=GZIP)
    assert b"csrfmiddlewaretoken" in login.content and not login.has_header("Content-Encoding")


def test_small_or_binary_responses_are_not_compressed(rf, db):
    generation, request = generations.current(), rf.get("/")
    tiny = pages._entry_for(request, HttpResponse(b"tiny", content_type="text/plain"), generation)
    image = pages._entry_for(
        request, HttpResponse(b"x" * 5000, content_type="image/png"), generation
    )
    feed = pages._entry_for(
        request, HttpResponse(b"x" * 5000, content_type="application/rss+xml"), generation
    )
    assert tiny.gzipped is None and image.gzipped is None and feed.gzipped is not None


def test_the_s_maxage_counts_down_on_copies_from_memory(client, url, monkeypatch, settings):
    def s_maxage(response):
        directives = dict(
            part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
        )
        return int(directives["s-maxage"])

    settings.EDGE_CACHE_URLS = ["http://127.0.0.1:9"]  # purges go nowhere: only the headers
    first = client.get(url)
    later = timezone.now() + timedelta(seconds=100)
    monkeypatch.setattr(edge.timezone, "now", lambda: later)
    again = client.get(url)
    assert local_pages.report()["hits"] == 1
    assert s_maxage(first) - 101 <= s_maxage(again) <= s_maxage(first) - 99
    assert again["xkey"] == first["xkey"] and "public" in again["Cache-Control"]


@pytest.mark.parametrize(
    "accept, gzipped",
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip ; q=0.000", False),
        ("GZIP;Q=0", False),
        ("br, *;q=0", False),
        ("gzip;q=abc", False),
        ("identity", False),
    ],
)
def test_gzip_only_where_accept_encoding_takes_it(client, url, accept, gzipped):
    for _ in range(2):  # from the stack, then from memory
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert (response.get("Content-Encoding") == "gzip") is gzipped, accept


def test_no_shared_cache_headers_without_an_edge_cache_to_purge(client, url, settings):
    settings.EDGE_CACHE_URLS = []
    for _ in range(2):
        response = client.get(url)
        assert "s-maxage" not in response["Cache-Control"]
        assert not response.has_header("xkey") and not response.has_header("X-Page-Generation")
