"""Backups: dumpdata and loaddata (README "Backups") bring every page and search back, and no
page cached since the dump is served after the restore."""

import pytest
from django.core.management import call_command

from articles import publishing, search
from articles.models import LiveVersion, Section
from mgsite.page_cache.models import Generation

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = ["/", "/supplements/", "/sitemap.xml", "/feeds/rss/"]


def snapshot(client):
    urls = PAGES + [version.get_absolute_url() for version in LiveVersion.objects.visible()]
    return {url: client.get(url).content for url in urls}


def test_a_dump_loaded_into_an_empty_database_gives_the_same_site(
    client, make_article, tmp_path, settings
):
    article = make_article("Zinc and Sleep", sections=2, published=False)
    Section.objects.filter(article=article).update(body="Zinc text.")
    article.sections.first().save()
    publishing.publish(article)
    before, found = snapshot(client), sorted(search.search("zinc"))
    dump = tmp_path / "backup.json"
    call_command(
        "dumpdata", "--natural-foreign", "--exclude=contenttypes", "--exclude=auth.permission",
        "--exclude=sessions", "--exclude=admin.logentry", "--exclude=page_cache",
        "--output", str(dump),
    )  # fmt: skip
    article.title = "Changed after the backup"
    article.save()
    publishing.publish(article)
    assert b"Changed after the backup" in client.get("/").content  # and cached
    call_command("flush", "--noinput")
    assert search.search("zinc") == []
    call_command("loaddata", str(dump))
    call_command("rebuild_search_index")
    assert sorted(search.search("zinc")) == found
    assert snapshot(client) == before


def test_rebuilding_after_a_restore_renews_every_cached_page(client, make_article):
    """A restore that copies the database file back (or pg_restore) brings back an older
    generation row; the documented next step starts a new one."""
    article = make_article("Zinc and Sleep")
    client.get(article.get_absolute_url())
    before = Generation.objects.get()
    call_command("rebuild_search_index")
    assert Generation.objects.get().token != before.token
