"""Shared fixtures: small factories and the settings every test runs under."""

import io
import itertools
import os
import shutil
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from PIL import Image as PILImage

from articles import publishing
from articles.models import (
    Approval,
    Article,
    Image,
    LiveVersion,
    Person,
    Section,
    SiteSettings,
    Supplement,
)
from articles.signals import changes
from articles.uploads import safe_file
from mgsite.page_cache.fast_path import local_pages

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; Django's async-safety check
# would refuse database access from live_server tests without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_counter = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_settings(tmp_path_factory):
    """Settings for the whole run, in place before live_server builds its middleware."""
    caches = settings.CACHES
    if "redis" not in caches["default"]["BACKEND"]:
        # The file cache, as on a laptop, but in a directory of this run's own.
        cache_dir = str(tmp_path_factory.mktemp("cache"))
        caches = {"default": {**caches["default"], "LOCATION": cache_dir}}
    with override_settings(
        CACHES=caches,
        # The manifest storage needs `collectstatic`; tests use the plain one.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # The test client and live_server speak plain HTTP; production's HTTPS-only
        # settings are checked by test_settings.py through `check --deploy`.
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    # A file, not SQLite's shared in-memory database: live_server's threads then open their
    # own connections, as a real server's would, instead of sharing the test thread's.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep what Django serialised of the migrated database where every connection object
    sees it (see pytest_collection_modifyitems). Playwright's sync API gives a test its own
    context, and with it new connection objects, which lack the data Django keeps on the ones
    it set up with: set on their class, every one has it."""
    for connection in connections.all():
        if hasattr(connection, "_test_serialized_contents"):
            type(connection)._test_serialized_contents = connection._test_serialized_contents


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages (with REDIS_URL: the Redis database it names),
    and with no remembered content types: live_server tests empty the database, and the
    types made again afterwards get new ids on PostgreSQL."""
    cache.clear()
    local_pages.clear()  # and no worker's own copies (the fast path)
    ContentType.objects.clear_cache()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "live_server" in item.fixturenames:
            # live_server tests empty the database when they end; each starts again from
            # what the migrations made (the seed article, groups, settings), which Django
            # serialises once and reloads for it (serialized_rollback).
            item.fixturenames.append("django_db_serialized_rollback")
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason=f"browser test: no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download its own browser on these machines.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or CHROMIUM,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture
def make_supplement(db):
    def make(name=None, **fields):
        n = next(_counter)
        name = name or f"Supplement {n}"
        fields.setdefault("slug", f"supplement-{n}")
        return Supplement.objects.create(name=name, **fields)

    return make


@pytest.fixture
def make_article(db):
    """An article with `sections`; published (live now, or from `published_at`, which may
    be past or future) unless published=False; `expires_at` may be past too."""

    def make(
        title=None, *, published=True, sections=0, published_at=None, expires_at=None, **fields
    ):
        n = next(_counter)
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("summary", f"Summary of article {n}.")
        with changes():  # rendered once, with all its sections
            article = Article.objects.create(title=title or f"Article {n}", **fields)
            for position in range(1, sections + 1):
                Section.objects.create(
                    article=article,
                    position=position,
                    heading=f"Section {position}",
                    anchor=f"section-{position}",
                    body=f"Body of section **{position}**.",
                )
        if published:
            version = publishing.publish(article, at=published_at)
            if published_at is not None and published_at < version.live_from:
                # Back-dated, as if published then (publish() itself never goes back).
                LiveVersion.objects.filter(pk=version.pk).update(
                    live_from=published_at, first_published_at=published_at
                )
                Article.objects.filter(pk=article.pk).update(first_published_at=published_at)
        if expires_at is not None:
            # Set after publishing, so an expiry already past can be made (publish() drops one).
            Article.objects.filter(pk=article.pk).update(expires_at=expires_at)
            LiveVersion.objects.filter(article=article).update(expires_at=expires_at)
        article.refresh_from_db()
        return article

    return make


def image_bytes(size=(2400, 1600), fmt="JPEG", colour="teal"):
    image = PILImage.new("RGB", size, colour)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def new_page(browser):
    """A page in a browser context of its own, closed after the test. A change form left
    open goes on calling the live server (presence heartbeats, autosave) during the tests
    that follow; on PostgreSQL those requests queued behind the next test's flush until the
    server ran out of connections."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def make_image(db):
    """A library image (re-encoded like an upload, renditions made)."""

    def make(size=(2400, 1600), fmt="JPEG", alt_text="Capsules on a table", **fields):
        extension = {"JPEG": "jpg", "PNG": "png"}[fmt]
        upload = SimpleUploadedFile(f"photo.{extension}", image_bytes(size, fmt))
        return Image.objects.create(file=safe_file(upload), alt_text=alt_text, **fields)

    return make


@pytest.fixture
def seed_article(db):
    """The client's article, as the data migration loads it."""
    return Article.objects.get(slug="magnesium-glycinate-for-sleep")


@pytest.fixture
def editor(db, django_user_model):
    """A staff user in the Editors group, as the migration made it."""
    user = django_user_model.objects.create_user(
        "edith", password="an-editors-long-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture(autouse=True)
def _review_optional(request):
    """Approval before publishing is on by default (Site settings); most tests are about
    other things and publish freely. Tests marked `review_required` keep it on."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db or request.node.get_closest_marker("review_required"):
        return
    request.getfixturevalue("live_server" if "live_server" in uses_db else "db")
    SiteSettings.objects.filter(pk=1).update(review_required=False)


@pytest.fixture(autouse=True)
def _two_factor_optional(request, settings):
    """Two-factor sign-in is required by default in production (REQUIRE_STAFF_2FA, on
    unless DEBUG); most tests are about other things and sign in with a password alone.
    Tests marked `two_factor_required` turn the requirement on."""
    settings.REQUIRE_STAFF_2FA = request.node.get_closest_marker("two_factor_required") is not None


@pytest.fixture
def approve(db):
    """approve(article, name, credentials, on=date): a medical approval of the article's draft
    as it is now, by a reviewer of that name, given on `on` (today by default)."""

    def approve(article, name="Dr Rev", credentials="MD", on=None):
        article.refresh_from_db()
        n = next(_counter)
        person = Person.objects.create(name=name, slug=f"person-{n}", credentials=credentials)
        approval = Approval.objects.create(
            article=article, reviewer=person, fingerprint=article.draft_fingerprint
        )
        on = on or timezone.localdate()
        moment = timezone.make_aware(datetime.combine(on, time(12)))
        Approval.objects.filter(pk=approval.pk).update(approved_at=moment)
        Article.objects.filter(pk=article.pk).update(
            last_reviewed=on, next_review_due=on + timedelta(days=365)
        )
        article.refresh_from_db()
        approval.refresh_from_db()
        return approval

    return approve
