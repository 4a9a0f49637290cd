"""The HTTP cache in front: a real varnishd with deploy/varnish/default.vcl before the live
server. For each kind of change, every public page whose bytes changed is fresh through
Varnish at once, and every other page is still a hit (nothing else was purged)."""

import glob
import http.client
import http.server
import logging
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from articles import publishing
from articles.models import Approval, LiveVersion, Person, SitePage, SiteSettings, Supplement
from articles.signals import changes
from bench.edge import hit_counters
from mgsite.page_cache import purge
from mgsite.page_cache.models import PendingPurge

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
VMODS = ("/usr/lib/*/varnish/vmods", "/usr/lib/varnish/vmods", "/usr/local/lib/varnish/vmods")


def _missing():
    if shutil.which("varnishd") is None:
        return "varnishd is not installed (apt-get install varnish varnish-modules)"
    for vmod in ("xkey", "var"):  # both from varnish-modules
        if not any(glob.glob(f"{folder}/libvmod_{vmod}.so") for folder in VMODS):
            return f"the {vmod} vmod is not installed (apt-get install varnish-modules)"
    return None


needs_varnish = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Edge:
    """A varnishd of the test's own, in front of live_server."""

    def __init__(self, backend_port):
        self.workdir = Path(tempfile.mkdtemp(prefix="edge-"))
        self.workdir.chmod(0o755)  # varnishd's child runs as its own user
        (self.workdir / "site.vcl").write_text(
            f'backend default {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n'
            'acl purgers { "127.0.0.1"; "::1"; }\n'
        )
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["varnishd", "-F", "-n", str(self.workdir / "n"), "-a", f"127.0.0.1:{self.port}"]
            + ["-f", str(VCL), "-p", f"vcl_path={self.workdir}:{VCL.parent}"]
            + ["-s", "malloc,32m", "-T", f"127.0.0.1:{_free_port()}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"varnishd did not start: {self.process.stdout.read().decode()}")

    def get(self, path, headers=None):
        return _get(self.port, path, headers)

    def counters(self):
        return hit_counters(self.workdir / "n")

    def empty(self):
        subprocess.run(
            ["varnishadm", "-n", str(self.workdir / "n"), "ban", "req.url", "~", "."],
            capture_output=True,
            check=True,
        )
        # Each test's database starts its content generations again from 1.
        self.purge({"xkey-purge": "nothing", "xkey-generation": "0"})

    def purge(self, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("PURGE", "/", headers=headers)
        status = connection.getresponse().status
        connection.close()
        return status

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture(scope="module")
def _varnish(live_server):
    # One varnishd for the module (starting one costs a VCL compile); each test empties it.
    if (reason := _missing()) is not None:
        pytest.skip(reason)
    server = Edge(urlsplit(live_server.url).port)
    yield server
    server.stop()


@pytest.fixture
def edge(_varnish, settings):
    _varnish.empty()
    settings.EDGE_CACHE_URLS = [_varnish.url]
    return _varnish


@pytest.fixture
def app(live_server, edge):
    """The app itself, not through Varnish: the truth to compare with (asked for the same
    host, which its pages print in their links)."""
    port = urlsplit(live_server.url).port
    return lambda path: _get(port, path, {"Host": f"127.0.0.1:{edge.port}"})


def public_paths():
    """Every page a visitor can reach now (search aside: it is never cached): home with its
    supplement list, the articles, supplements, people and site pages, feeds and sitemap."""
    versions = LiveVersion.objects.visible()
    paths = {"/", "/supplements/", "/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/robots.txt"}
    paths |= {version.get_absolute_url() for version in versions}
    paths |= {
        item.get_absolute_url() for item in Supplement.objects.filter(live_versions__in=versions)
    }
    paths |= {person.get_absolute_url() for person in Person.objects.public()}
    paths |= {page.get_absolute_url() for page in SitePage.objects.all()}
    return paths


def warm(edge, app):
    """Every public page through Varnish, twice: the second answer is a hit. Returns the
    app's own answers (status, body) per path."""
    paths = public_paths()
    for path in paths:
        edge.get(path)
    for path in paths:
        status, headers, _ = edge.get(path)
        assert (status, headers["x-cache"]) == (200, "HIT"), path
    return {path: app(path)[::2] for path in paths}


def check_exact(edge, app, before, may_purge=()):
    """After a change: each page changed is fresh through Varnish; each other is a hit,
    but those of `may_purge` (an over-purge the surrogate keys' docstring admits)."""
    changed = []
    for path in sorted(set(before) | public_paths()):
        status, headers, body = edge.get(path)
        truth = app(path)[::2]
        assert (status, body) == truth, f"{path} is stale through Varnish"
        if path in before and truth == before[path]:
            if path not in may_purge:
                assert headers["x-cache"] == "HIT", f"{path} did not change, yet was purged"
        else:
            changed.append(path)
    return changed


@pytest.fixture
def site(make_article, make_supplement, make_image, approve):
    """Two articles about one supplement (each in the other's related box) by Ann, the first
    with a lead image its cards show; one about another by Bob; one about none by Bob,
    medically reviewed by Dr Rev; and the seed article."""
    one, two = make_supplement(), make_supplement()
    ann = Person.objects.create(name="Ann Author", slug="ann", credentials="RD", bio="Ann.")
    bob = Person.objects.create(name="Bob Writer", slug="bob")
    articles = {}
    for name, supplements, author in [("a", [one], ann), ("b", [one], ann), ("c", [two], bob)]:
        lead = {"lead_image": make_image(size=(640, 400))} if name == "a" else {}
        article = make_article(published=False, sections=1, **lead)
        article.supplements.add(*supplements)
        article.authors.add(author)
        publishing.publish(article)
        articles[name] = article
    reviewed = make_article(published=False, sections=1)
    reviewed.authors.add(bob)
    rev = approve(reviewed, "Dr Rev", "MD").reviewer
    publishing.publish(reviewed)
    assert LiveVersion.objects.visible().get(article=reviewed).approval.reviewer == rev
    return articles | {"r": reviewed, "one": one, "two": two, "ann": ann, "bob": bob, "rev": rev}


def _edit(article, **fields):
    with transaction.atomic(), changes():
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()


def _publish(article, **options):
    with transaction.atomic(), changes():
        return publishing.publish(article, **options)


def _until(moment):
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.3)


@needs_varnish
def test_publishing_an_edit_refreshes_its_pages_only(edge, app, site):
    before = warm(edge, app)
    _edit(site["a"], intro="A new first paragraph.")
    _publish(site["a"])
    changed = check_exact(edge, app, before)
    # Its page, and the feeds' entries with their update times; not the lists of cards, nor
    # the sitemap (it prints the day, the same day).
    assert {site["a"].get_absolute_url(), "/feeds/atom/"} <= set(changed)
    assert "/sitemap.xml" not in changed
    assert "/" not in changed and site["b"].get_absolute_url() not in changed


@needs_varnish
def test_a_new_title_refreshes_every_page_that_shows_it(edge, app, site):
    before = warm(edge, app)
    _edit(site["a"], title="A title no one has seen")
    _publish(site["a"])
    changed = check_exact(edge, app, before)
    assert {"/", site["b"].get_absolute_url(), site["one"].get_absolute_url()} <= set(changed)
    assert site["c"].get_absolute_url() not in changed


@needs_varnish
def test_a_first_publish_refreshes_the_lists_it_joins(edge, app, site, make_article):
    before = warm(edge, app)
    new = make_article(published=False)
    new.supplements.add(site["two"])
    _publish(new)
    changed = check_exact(edge, app, before)
    assert new.get_absolute_url() in changed
    assert {"/", site["c"].get_absolute_url(), site["two"].get_absolute_url()} <= set(changed)
    assert site["a"].get_absolute_url() not in changed


@needs_varnish
def test_unpublishing_removes_it_everywhere(edge, app, site):
    before = warm(edge, app)
    with transaction.atomic(), changes():
        publishing.unpublish(site["b"])
    changed = check_exact(edge, app, before)
    assert edge.get(site["b"].get_absolute_url())[0] == 404
    assert {"/", site["a"].get_absolute_url()} <= set(changed)
    assert site["c"].get_absolute_url() not in changed


@needs_varnish
def test_a_scheduled_version_is_fresh_when_it_goes_live(edge, app, site):
    at = timezone.now() + timedelta(seconds=4)
    _edit(site["c"], title="Going live in a moment")
    _publish(site["c"], at=at)
    before = warm(edge, app)
    _until(at)
    changed = check_exact(edge, app, before)
    assert {site["c"].get_absolute_url(), "/"} <= set(changed)
    assert site["a"].get_absolute_url() not in changed


@needs_varnish
def test_an_expiry_takes_it_away_when_it_comes(edge, app, site):
    at = timezone.now() + timedelta(seconds=4)
    _edit(site["c"], expires_at=at)
    _publish(site["c"])
    before = warm(edge, app)
    _until(at)
    changed = check_exact(edge, app, before)
    assert edge.get(site["c"].get_absolute_url())[0] == 404
    assert "/" in changed and site["a"].get_absolute_url() not in changed


@needs_varnish
def test_a_new_disclaimer_refreshes_article_pages_only(edge, app, site):
    before = warm(edge, app)
    settings_row = SiteSettings.load()
    settings_row.disclaimer = "Not medical advice, *truly*."
    with transaction.atomic(), changes():
        settings_row.save()
    changed = check_exact(edge, app, before)
    assert set(changed) == {path for path in before if path.startswith("/articles/")}


@needs_varnish
def test_a_settings_change_pages_do_not_show_purges_nothing(edge, app, site):
    before = warm(edge, app)
    SiteSettings.objects.filter(pk=1).update(review_required=True)
    settings_row = SiteSettings.load()
    settings_row.review_required = False
    settings_row.save()
    assert check_exact(edge, app, before) == []


def _save(row, **fields):
    with transaction.atomic(), changes():
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()


def _page(person):
    return person.get_absolute_url()


@needs_varnish
def test_a_persons_bio_links_and_portrait_refresh_their_page_only(edge, app, site, make_image):
    ann = site["ann"]
    before = warm(edge, app)
    _save(ann, bio="Ann writes about minerals.", links="https://orcid.org/0000-0001")
    assert check_exact(edge, app, before) == [_page(ann)]

    before = warm(edge, app)
    photo = make_image(size=(400, 400), alt_text="Ann at her desk")
    _save(ann, photo=photo)
    assert check_exact(edge, app, before) == [_page(ann)]

    before = warm(edge, app)
    _save(photo, alt_text="Ann in her office")
    assert check_exact(edge, app, before) == [_page(ann)]

    # What her page does not print of it (a caption), an address that is not a link, a
    # save that changes nothing: nothing purged.
    before = warm(edge, app)
    _save(photo, caption="Taken in 2024")
    _save(ann, links="https://orcid.org/0000-0001\nnot a link")
    _save(ann)
    assert check_exact(edge, app, before) == []


@needs_varnish
def test_an_authors_new_name_changes_their_page_not_the_bylines_frozen_in_articles(edge, app, site):
    ann = site["ann"]
    before = warm(edge, app)
    _save(ann, name="Ann Smith", credentials="RD, MSc")
    assert check_exact(edge, app, before) == [_page(ann)]
    # Readers keep the byline published until the article is published again.
    assert b"Ann Author</a>, RD" in edge.get(site["a"].get_absolute_url())[2]
    assert b"<h1>Ann Smith</h1>" in edge.get(_page(ann))[2]


@needs_varnish
def test_a_reviewers_new_name_changes_their_page_and_the_review_lines(edge, app, site):
    rev = site["rev"]
    before = warm(edge, app)
    _save(rev, credentials="MD, PhD")
    assert set(check_exact(edge, app, before)) == {_page(rev), site["r"].get_absolute_url()}
    assert b"Dr Rev, MD, PhD" in edge.get(site["r"].get_absolute_url())[2]
    # Her bio is on her page alone.
    before = warm(edge, app)
    _save(rev, bio="Dr Rev reviews sleep research.")
    assert check_exact(edge, app, before) == [_page(rev)]


@needs_varnish
def test_a_persons_new_address_moves_their_page_and_the_sitemap(edge, app, site):
    ann = site["ann"]
    before = warm(edge, app)
    _save(ann, slug="ann-author")
    # Bylines keep the address they were published with (the admin says so).
    assert set(check_exact(edge, app, before)) == {"/people/ann/", _page(ann), "/sitemap.xml"}
    assert edge.get("/people/ann/")[0] == 404


@needs_varnish
def test_a_first_publish_with_authors_lists_it_on_their_pages(edge, app, site, make_article):
    cat = Person.objects.create(name="Cat Newcomer", slug="cat")
    before = warm(edge, app)
    new = make_article(published=False)
    new.authors.add(cat, site["ann"])
    _publish(new)
    changed = set(check_exact(edge, app, before))
    assert {new.get_absolute_url(), "/", "/people/ann/", "/people/cat/", "/sitemap.xml"} <= changed
    assert b"/people/cat/" in edge.get("/sitemap.xml")[2]
    assert not {_page(site["bob"]), _page(site["rev"])} & changed


@needs_varnish
def test_republishing_with_another_author_changes_both_their_pages(edge, app, site):
    c, dan = site["c"], Person.objects.create(name="Dan Later", slug="dan")
    before = warm(edge, app)
    c.authors.set([dan])
    _publish(c)
    changed = set(check_exact(edge, app, before))
    # Bob keeps his other article; Dan gets a page, and the sitemap his address. The lists
    # of cards do not print bylines.
    assert changed == {
        c.get_absolute_url(),
        "/feeds/rss/",
        "/feeds/atom/",
        _page(site["bob"]),
        "/people/dan/",
        "/sitemap.xml",
    }


@needs_varnish
def test_authors_trading_an_article_purge_the_sitemap_only_as_documented(edge, app, site):
    c = site["c"]
    before = warm(edge, app)
    c.authors.set([site["ann"]])
    _publish(c)
    # Both have other articles: the sitemap is the same, but its purge is admitted.
    changed = set(check_exact(edge, app, before, may_purge={"/sitemap.xml"}))
    assert changed == {c.get_absolute_url(), "/feeds/rss/", "/feeds/atom/"} | {
        _page(site["ann"]),
        _page(site["bob"]),
    }


@needs_varnish
def test_a_new_reviewer_changes_both_reviewers_pages(edge, app, site, approve):
    r, rev = site["r"], site["rev"]
    before = warm(edge, app)
    new = approve(r, "Dr New", "PhD").reviewer
    _publish(r)
    changed = set(check_exact(edge, app, before))
    assert edge.get(_page(rev))[0] == 404  # this was all Dr Rev reviewed
    assert changed == {
        r.get_absolute_url(),
        "/feeds/rss/",
        "/feeds/atom/",
        _page(rev),
        _page(new),
        "/sitemap.xml",
    }


@needs_varnish
def test_a_new_approval_by_the_same_reviewer_changes_the_article_page_only(edge, app, site):
    r, rev = site["r"], site["rev"]
    old = LiveVersion.objects.visible().get(article=r).approval
    Approval.objects.filter(pk=old.pk).update(approved_at=old.approved_at - timedelta(days=30))
    r.refresh_from_db()
    Approval.objects.create(article=r, reviewer=rev, fingerprint=r.draft_fingerprint)
    before = warm(edge, app)
    _publish(r)
    # The review line's date; her page does not print it.
    assert set(check_exact(edge, app, before)) == {
        r.get_absolute_url(),
        "/feeds/rss/",
        "/feeds/atom/",
    }


@needs_varnish
def test_a_site_page_edit_refreshes_that_page_only(edge, app, site):
    SitePage.objects.filter(slug="about").update(updated_at=timezone.now())
    before = warm(edge, app)
    about = SitePage.objects.get(slug="about")
    _save(about, body="mgsite is written by **people**.")
    # Its last-updated day in the sitemap is the same; every footer links it by address.
    assert check_exact(edge, app, before) == ["/about/"]
    assert b"written by <strong>people</strong>" in edge.get("/about/")[2]


@needs_varnish
def test_a_site_page_edited_on_a_new_day_refreshes_the_sitemap_too(edge, app, site):
    SitePage.objects.filter(slug="corrections").update(
        updated_at=timezone.now() - timedelta(days=3)
    )
    before = warm(edge, app)
    _save(SitePage.objects.get(slug="corrections"), title="Corrections and updates")
    assert set(check_exact(edge, app, before)) == {"/corrections/", "/sitemap.xml"}


@needs_varnish
def test_a_new_card_image_refreshes_the_lists_that_show_it(edge, app, site, make_image):
    a = site["a"]
    before = warm(edge, app)
    _edit(a, lead_image=make_image(size=(640, 400), alt_text="A new lead photo"))
    _publish(a)
    changed = set(check_exact(edge, app, before))
    # Not the related box or Ann's page: they show its title, not its picture.
    assert changed == {
        a.get_absolute_url(),
        "/feeds/rss/",
        "/feeds/atom/",
        "/",
        site["one"].get_absolute_url(),
    }
    assert b'alt="A new lead photo"' in edge.get("/")[2]


@needs_varnish
def test_supplement_counts_on_home_follow_an_article_moving(edge, app, site, make_supplement):
    b, one, three = site["b"], site["one"], make_supplement("Taurine")
    before = warm(edge, app)
    b.supplements.set([three])
    _publish(b)
    changed = set(check_exact(edge, app, before))
    assert {"/", "/supplements/", one.get_absolute_url(), three.get_absolute_url()} <= changed
    assert {"/sitemap.xml", site["a"].get_absolute_url(), _page(site["ann"])} <= changed
    assert b'Taurine <span class="count">1 article</span>' in edge.get("/")[2]
    assert not {site["c"].get_absolute_url(), _page(site["bob"])} & changed


@needs_varnish
def test_an_article_moving_between_listed_supplements_purges_the_sitemap_as_documented(
    edge, app, site
):
    b, one, two = site["b"], site["one"], site["two"]
    before = warm(edge, app)
    b.supplements.set([two])
    _publish(b)
    # Both supplements keep an article: the sitemap is the same, but its purge is admitted.
    changed = set(check_exact(edge, app, before, may_purge={"/sitemap.xml"}))
    assert {"/", "/supplements/", one.get_absolute_url(), two.get_absolute_url()} <= changed
    assert b"1 article</span>" in edge.get("/")[2]


@needs_varnish
def test_visitors_hit_editors_pass(edge, site):
    path = site["a"].get_absolute_url()
    edge.get(path)
    hits, misses = edge.counters()
    for _ in range(200):
        assert edge.get(path, {"Cookie": "_ga=GA1.2.3; csrftoken=x"})[1]["x-cache"] == "HIT"
    now_hits, now_misses = edge.counters()
    assert (now_hits - hits) / ((now_hits - hits) + (now_misses - misses)) >= 0.99
    assert now_misses == misses
    session = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}=abc"}
    assert edge.get(path, session)[1]["x-cache"] == "PASS"
    assert edge.get(path + "?draft")[1]["x-cache"] == "PASS"
    assert edge.get("/admin/login/")[1]["x-cache"] == "PASS"
    assert edge.get("/admin/login/")[1]["x-cache"] == "PASS"
    # What the app tells Varnish stays between them.
    _, headers, _ = edge.get(path)
    assert "xkey" not in headers and "s-maxage" not in headers["cache-control"]


@needs_varnish
def test_only_the_purgers_may_purge(edge, site):
    def purge_from(address):
        connection = http.client.HTTPConnection(
            "127.0.0.1", edge.port, timeout=10, source_address=(address, 0)
        )
        connection.request("PURGE", "/", headers={"xkey-purge": f"article-{site['a'].pk}"})
        status = connection.getresponse().status
        connection.close()
        return status

    path = site["a"].get_absolute_url()
    edge.get(path)
    assert purge_from("127.0.0.2") == 403
    assert edge.get(path)[1]["x-cache"] == "HIT"
    assert purge_from("127.0.0.1") == 200
    assert edge.get(path)[1]["x-cache"] == "MISS"


class SlowApp:
    """A backend whose answer is made before a change and arrives after its purge."""

    def __init__(self):
        self.generation = 5
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's naming)
                body = f"made under {app.generation}".encode()
                self.send_response(200)
                self.send_header("Cache-Control", "public, max-age=0, s-maxage=600")
                self.send_header("xkey", "page")
                self.send_header("X-Page-Generation", str(app.generation))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.mark.skipif(_missing() is not None, reason=_missing() or "")
def test_a_page_made_before_a_purged_change_is_not_kept():
    slow = SlowApp()
    edge = Edge(slow.port)
    try:
        assert edge.get("/")[1]["x-cache"] == "MISS"
        assert edge.get("/")[1]["x-cache"] == "HIT"
        # Generation 7 is committed and purged while a page of generation 6 is on its way.
        slow.generation = 6
        assert edge.purge({"xkey-purge": "page", "xkey-generation": "7"}) == 200
        assert edge.get("/")[2] == b"made under 6"  # to the visitor who asked...
        assert edge.get("/")[1]["x-cache"] == "MISS"  # ...but not kept
        slow.generation = 7
        edge.get("/")
        status, headers, body = edge.get("/")
        assert (headers["x-cache"], body) == ("HIT", b"made under 7")
        assert "x-page-generation" not in headers
    finally:
        edge.stop()
        slow.server.shutdown()
        slow.server.server_close()


@needs_varnish
def test_a_page_not_found_is_not_kept(edge, make_article):
    assert edge.get("/articles/coming-soon/")[0] == 404
    article = make_article(slug="coming-soon")
    status, headers, _ = edge.get(article.get_absolute_url())
    assert (status, headers["x-cache"]) == (200, "MISS")


def test_varnish_passes_the_session_cookie_the_app_uses():
    assert f"{django_settings.SESSION_COOKIE_NAME}=" in VCL.read_text()


# Headers, without Varnish ---------------------------------------------------------------


@pytest.fixture
def edge_in_use(settings):
    """The headers go out only where the site purges an HTTP cache in front; these purges
    go nowhere (a closed port) and are kept for later, which these tests do not look at."""
    settings.EDGE_CACHE_URLS = ["http://127.0.0.1:9"]


def _s_maxage(response):
    return int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])


def test_pages_carry_keys_and_s_maxage(client, site, edge_in_use):
    response = client.get(site["a"].get_absolute_url())
    keys = set(response["xkey"].split())
    a, b = site["a"], site["b"]
    assert {f"article-{a.pk}", f"card-{b.pk}", f"related-{site['one'].pk}", "settings"} <= keys
    assert _s_maxage(response) >= django_settings.PAGE_CACHE_EDGE_SECONDS - 5
    assert "max-age=0, must-revalidate" in response["Cache-Control"]


def test_s_maxage_ends_at_the_first_scheduled_change_that_touches_the_page(
    client, site, edge_in_use
):
    _edit(site["c"], title="Later")
    _publish(site["c"], at=timezone.now() + timedelta(hours=1))
    assert 3590 <= _s_maxage(client.get(site["c"].get_absolute_url())) <= 3600
    assert 3590 <= _s_maxage(client.get("/")) <= 3600  # its card changes then
    untouched = client.get(site["a"].get_absolute_url())
    assert _s_maxage(untouched) >= django_settings.PAGE_CACHE_EDGE_SECONDS - 5


def _edge_in_use(settings):
    # The edge headers go out where the site purges an HTTP cache in front: these purges
    # go nowhere (a closed port) and wait for later, which these tests do not look at.
    settings.EDGE_CACHE_URLS = ["http://127.0.0.1:9"]


def test_a_persons_page_ends_its_s_maxage_when_an_article_naming_them_goes_live(
    client, site, make_article, settings
):
    _edge_in_use(settings)
    later = make_article(published=False)
    later.authors.add(site["ann"])
    _publish(later, at=timezone.now() + timedelta(hours=1))
    assert 3590 <= _s_maxage(client.get(_page(site["ann"]))) <= 3600
    assert _s_maxage(client.get(_page(site["bob"]))) >= django_settings.PAGE_CACHE_EDGE_SECONDS - 5


def test_people_and_site_pages_carry_their_keys(client, site, settings):
    _edge_in_use(settings)
    ann, rev = site["ann"], site["rev"]
    keys = set(client.get(_page(ann))["xkey"].split())
    assert {f"person-{ann.pk}", f"person-page-{ann.pk}", f"card-{site['a'].pk}"} <= keys
    assert not any(key.startswith("picture-") for key in keys)  # no pictures there
    assert f"person-{rev.pk}" in client.get(site["r"].get_absolute_url())["xkey"].split()
    assert f"picture-{site['a'].pk}" in client.get("/")["xkey"].split()
    about = SitePage.objects.get(slug="about")
    assert client.get("/about/")["xkey"].split() == [f"site-page-{about.pk}"]
    assert {"people", "site-pages"} <= set(client.get("/sitemap.xml")["xkey"].split())


def test_editors_pages_are_private(client, admin_client, site):
    response = admin_client.get(site["a"].get_absolute_url())
    assert "private" in response["Cache-Control"] and "s-maxage" not in response["Cache-Control"]
    assert not response.has_header("xkey")


# Purging when the cache does not answer ----------------------------------------------------


class Recorder:
    """A stand-in HTTP cache that notes the keys each PURGE names."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"
        self.purges = []
        purges = self.purges

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802  (http.server's naming)
                purges.append(set(self.headers["xkey-purge"].split()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def keys(self):
        return set().union(*self.purges)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder(settings, transactional_db, django_db_serialized_rollback):
    """Real commits (purges wait for them), and the migrations' rows back afterwards."""
    cache = Recorder(_free_port())
    settings.EDGE_CACHE_URLS = [cache.url]
    yield cache
    cache.close()


def test_a_publish_succeeds_when_the_cache_is_away_and_its_purge_is_sent_later(
    settings, make_article, caplog, django_capture_on_commit_callbacks
):
    port = _free_port()
    settings.EDGE_CACHE_URLS = [f"http://127.0.0.1:{port}"]
    article = make_article(published=False)
    with (
        caplog.at_level(logging.WARNING, logger="mgsite.page_cache.purge"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        version = _publish(article)
        _publish(make_article(published=False))
    assert version.pk and LiveVersion.objects.visible().filter(pk=version.pk).exists()
    assert len([r for r in caplog.records if "did not take a purge" in r.message]) == 1
    assert f"article-{article.pk}" in set(PendingPurge.objects.values_list("key", flat=True))

    cache = Recorder(port)
    try:
        assert purge.retry() == 0
    finally:
        cache.close()
    assert f"article-{article.pk}" in cache.keys
    assert not PendingPurge.objects.exists()


def test_the_first_request_after_a_go_live_purges_what_it_changed(
    client, site, recorder, monkeypatch
):
    at = timezone.now() + timedelta(hours=1)
    _edit(site["c"], title="Later")
    _publish(site["c"], at=at)
    client.get("/robots.txt")  # the generation looks up its next change
    recorder.purges.clear()
    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(seconds=1))
    client.get("/robots.txt")
    client.get("/robots.txt")
    c, a = site["c"].pk, site["a"].pk
    assert len(recorder.purges) == 1  # once, by the request that noticed
    assert {f"article-{c}", f"card-{c}"} <= recorder.keys
    assert f"article-{a}" not in recorder.keys and "articles" not in recorder.keys


def test_scheduling_purges_the_pages_it_will_change_so_they_learn_when(site, recorder):
    _edit(site["c"], title="Later")
    _publish(site["c"], at=timezone.now() + timedelta(hours=1))
    assert f"card-{site['c'].pk}" in recorder.keys
    assert f"card-{site['a'].pk}" not in recorder.keys


def test_deleting_an_article_purges_its_pages_and_lists(site, recorder):
    a = site["a"].pk
    with transaction.atomic(), changes():
        site["a"].delete()
    assert {f"article-{a}", f"card-{a}", "articles", f"about-{site['one'].pk}"} <= recorder.keys


def test_supplement_changes_purge_what_shows_them(site, recorder):
    one = site["one"]
    one.description = "A new description."
    one.save()
    assert recorder.keys == {f"about-{one.pk}"}
    one.name = "Renamed"
    one.save()
    assert {f"supplement-{one.pk}", "supplements"} <= recorder.keys
    assert not any(key.startswith("article-") for key in recorder.keys)


def test_a_persons_purge_is_sent_after_their_row_is_saved(site, recorder, monkeypatch):
    ann = site["ann"]
    seen = []
    send = purge.purge
    monkeypatch.setattr(
        purge, "purge", lambda keys: (seen.append(Person.objects.get(pk=ann.pk).bio), send(keys))
    )
    ann.bio = "Saved outside any block."
    ann.save()
    assert recorder.keys == {f"person-page-{ann.pk}"}
    assert seen == ["Saved outside any block."]


def test_deleting_an_author_purges_their_page_and_the_sitemap(site, recorder):
    cat = Person.objects.create(name="Cat", slug="cat")
    cat.delete()
    assert recorder.keys == set()  # no page named her
    pk = site["ann"].pk
    site["ann"].delete()
    assert recorder.keys == {f"person-{pk}", f"person-page-{pk}", "people"}


def test_ci_installs_varnish():
    assert "varnish-modules" in (ROOT / ".ci" / "run").read_text()
