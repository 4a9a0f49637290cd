"""Backups: dumpdata and loaddata (README "Backups") bring every page and search back."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from articles import publishing, search
from articles.models import LiveVersion, Section

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
        "--exclude=sessions", "--exclude=admin.logentry", "--output", str(dump),
    )  # fmt: skip
    call_command("flush", "--noinput")
    assert search.search("zinc") == []
    call_command("loaddata", str(dump))
    call_command("rebuild_search_index")
    cache.clear()  # every page rendered again from the restored database
    assert sorted(search.search("zinc")) == found
    assert snapshot(client) == before
