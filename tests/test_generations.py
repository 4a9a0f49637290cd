"""The cache server restarted from an old snapshot, flushed or swapped for another: pages
never go back to before the last committed change."""

import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from articles import publishing
from articles.models import SiteSettings
from mgsite.page_cache import generations


class Snapshot:
    """What the cache server holds now, to put back later as a restart from its snapshot
    would: a copy of the file cache's directory, or every key of the Redis database."""

    def __init__(self, tmp_path):
        self.redis = "redis" in settings.CACHES["default"]["BACKEND"]
        if self.redis:
            client = cache._cache.get_client(write=True)
            self.keys = {key: client.dump(key) for key in client.scan_iter("*")}
        else:
            self.copy = tmp_path / "snapshot"
            shutil.copytree(settings.CACHES["default"]["LOCATION"], self.copy)

    def restore(self):
        if self.redis:
            client = cache._cache.get_client(write=True)
            client.flushdb()
            for key, dumped in self.keys.items():
                client.restore(key, 0, dumped, replace=True)
        else:
            location = settings.CACHES["default"]["LOCATION"]
            shutil.rmtree(location)
            shutil.copytree(self.copy, location)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def article(make_article):
    return make_article("Glycine for Sleep", sections=1)


def test_a_cache_restored_from_an_old_snapshot_serves_no_old_page(client, article, tmp_path):
    url = article.get_absolute_url()
    assert "Glycine for Sleep" in page(client, url)  # cached
    assert "Glycine for Sleep" in page(client, "/")
    snapshot = Snapshot(tmp_path)
    article.title = "Glycine, Revised"
    article.save()
    publishing.publish(article)
    assert "Glycine, Revised" in page(client, url)
    snapshot.restore()  # the server restarts from the snapshot it wrote before the edit
    assert "Glycine, Revised" in page(client, url)
    assert "Glycine, Revised" in page(client, "/")


def test_site_settings_restored_from_an_old_snapshot_are_not_used(client, article, tmp_path):
    page(client, article.get_absolute_url())
    snapshot = Snapshot(tmp_path)
    row = SiteSettings.load()
    row.disclaimer = "A disclaimer written after the snapshot."
    row.save()
    snapshot.restore()
    assert "written after the snapshot" in page(client, article.get_absolute_url())


def test_a_flushed_or_replaced_cache_serves_the_current_pages(client, article):
    url = article.get_absolute_url()
    page(client, url)
    cache.clear()
    assert "Glycine for Sleep" in page(client, url)
    article.title = "After the flush"
    article.save()
    publishing.publish(article)
    assert "After the flush" in page(client, url)


def test_while_the_database_is_down_cached_pages_are_still_served(client, article, monkeypatch):
    url = article.get_absolute_url()
    page(client, url)

    def down():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(generations, "current", down)
    assert "Glycine for Sleep" in page(client, url)


# serialized_rollback: the migrations' rows come back after it, as the other tests expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generation_read_is_the_connections_health_check(settings):
    """Kept from an earlier request, the connection is checked by the read itself (one query,
    not Django's "SELECT 1" first); one the server dropped since is replaced, no error."""
    generations.content_changed()
    generations.current()  # the generation's first read also looks up its next change
    connection.health_check_enabled, connection.health_check_done = True, False
    with CaptureQueriesContext(connection) as queries:
        generations.current()
    assert len(queries) == 1
    dropped = connection.connection
    dropped.close()  # as a database restart leaves it
    connection.health_check_done = False  # a new request
    assert generations.current().token
    assert connection.connection is not dropped
