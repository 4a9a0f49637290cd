"""The page cache: visitors get stored pages; every change readers should see (a publish,
an unpublish, a supplement, the site settings) shows on the next request, and a change to a
draft alone leaves the stored pages as they are."""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import ArticleUpdate, Person, Reference, Section, SitePage, SiteSettings
from articles.revisions import article_versions
from mgsite.page_cache.models import Generation
from tests.admin_forms import form_data, open_form


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return response, len(captured)


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def article(make_article, make_supplement):
    article = make_article("Glycine for Sleep", sections=2, published=False)
    article.supplements.add(make_supplement("Glycine", slug="glycine"))
    publishing.publish(article)
    article.refresh_from_db()
    return article


PAGES = ["/", "/supplements/", "/supplements/glycine/", "/sitemap.xml", "/feeds/rss/"]


def warm(client, article):
    for url in [article.get_absolute_url(), *PAGES]:
        client.get(url)


def test_second_visit_is_served_from_the_cache(client, article):
    first, first_queries = queries_for(client, article.get_absolute_url())
    second, second_queries = queries_for(client, article.get_absolute_url())
    assert first_queries > 1 and second_queries == 1  # the generation, not the page
    assert first.content == second.content


def test_published_edit_shows_everywhere_at_once(client, article):
    warm(client, article)
    old_url = article.get_absolute_url()
    article.title, article.slug = "Glycine, Revised", "glycine-revised"
    article.save()
    # The draft alone: every stored page stays as it was.
    _, count = queries_for(client, old_url)
    assert count == 1  # the generation: the same, so the stored page
    for url in PAGES:
        assert "Glycine, Revised" not in html(client, url), url
    publishing.publish(article)
    assert "Glycine, Revised" in html(client, article.get_absolute_url())
    assert client.get(old_url).status_code == 301
    for url in ["/", "/supplements/glycine/", "/feeds/rss/"]:
        assert "Glycine, Revised" in html(client, url), url
    assert "/articles/glycine-revised/" in html(client, "/sitemap.xml")


def test_section_edit_shows_once_published(client, article):
    warm(client, article)
    section = article.sections.first()
    section.body = "A freshly edited section."
    section.save()
    assert "A freshly edited section." not in html(client, article.get_absolute_url())
    publishing.publish(article)
    assert "A freshly edited section." in html(client, article.get_absolute_url())


def test_supplement_rename_shows_on_articles(client, article):
    warm(client, article)
    supplement = article.supplements.get()
    supplement.name = "Glycine powder"
    supplement.save()
    assert "Glycine powder" in html(client, article.get_absolute_url())
    assert "Glycine powder" in html(client, "/supplements/")


def test_reference_edit_shows_once_the_article_is_published_again(client, article):
    ref = Reference.objects.create(key="r1", authors="A", title="Old title")
    Section.objects.create(article=article, heading="Cited", anchor="cited", body="[@r1]")
    publishing.publish(article)
    warm(client, article)
    ref.title = "New title"
    ref.save()
    page = html(client, article.get_absolute_url())
    assert "Old title" in page and "New title" not in page  # readers keep what was published
    publishing.publish(article)
    assert "New title" in html(client, article.get_absolute_url())


def test_published_relation_and_update_note_and_disclaimer_changes_show(
    client, article, make_article
):
    other = make_article("Melatonin")
    warm(client, article)
    article.related.add(other)
    assert "Melatonin" not in html(client, article.get_absolute_url())
    publishing.publish(article)
    assert "Melatonin" in html(client, article.get_absolute_url())
    ArticleUpdate.objects.create(article=article, note="Rewrote the dose section.")
    assert "Rewrote the dose section." not in html(client, article.get_absolute_url())
    publishing.publish(article)
    assert "Rewrote the dose section." in html(client, article.get_absolute_url())
    settings_row = SiteSettings.load()
    settings_row.disclaimer = "A brand new notice."
    settings_row.save()
    assert "A brand new notice." in html(client, article.get_absolute_url())


def test_people_and_site_page_edits_show(client, article, approve, make_article):
    ann = Person.objects.create(name="Ann Author", slug="ann")
    reviewed = make_article("Reviewed", published=False)
    reviewed.authors.add(ann)
    rev = approve(reviewed, "Dr Rev", "MD").reviewer
    publishing.publish(reviewed)
    pages = [reviewed.get_absolute_url(), "/people/ann/", rev.get_absolute_url(), "/about/"]
    for url in pages:
        client.get(url)
    rev.credentials = "MD, PhD"
    rev.save()
    assert "Dr Rev, MD, PhD" in html(client, reviewed.get_absolute_url())  # the review line
    assert "MD, PhD" in html(client, rev.get_absolute_url())
    ann.name, ann.bio = "Ann Smith", "Ann writes about minerals."
    ann.save()
    assert "Ann writes about minerals." in html(client, "/people/ann/")
    assert "<h1>Ann Smith</h1>" in html(client, "/people/ann/")
    # The byline as published, until the article is published again.
    assert "Ann Author" in html(client, reviewed.get_absolute_url())
    about = SitePage.objects.get(slug="about")
    about.body = "Written by **people**."
    about.save()
    assert "Written by <strong>people</strong>." in html(client, "/about/")


def test_a_new_card_image_shows_once_published(client, article, make_image):
    warm(client, article)
    article.lead_image = make_image(size=(640, 400), alt_text="A new lead photo")
    article.save()
    assert 'alt="A new lead photo"' not in html(client, "/")  # saved as a draft
    publishing.publish(article)
    for url in ["/", "/supplements/glycine/"]:
        assert 'alt="A new lead photo"' in html(client, url), url


def test_unpublish_delete_and_restore_show(client, admin_client, article):
    url = article.get_absolute_url()
    warm(client, article)
    changelist = reverse("admin:articles_article_changelist")
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [article.pk]})
    assert client.get(url).status_code == 404
    assert "Glycine for Sleep" not in html(client, "/")
    admin_client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    assert client.get(url).status_code == 200

    change = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, change)
    data["title"] = "Edited in the admin"
    admin_client.post(change, data)
    assert "Edited in the admin" not in html(client, url)  # saved as a draft
    data = open_form(admin_client, change)
    data["_publish"] = "Save and publish"
    admin_client.post(change, data)
    assert "Edited in the admin" in html(client, url)

    # Restore a revision from before the edit: the draft only, until published.
    earlier = next(
        version
        for version in article_versions(article.pk)
        if version.field_dict["title"] == "Glycine for Sleep"
    )
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, earlier.pk])
    admin_client.post(revision_url, form_data(admin_client.get(revision_url).content.decode()))
    assert "Edited in the admin" in html(client, url)
    admin_client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    assert "Glycine for Sleep" in html(client, url)

    admin_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    assert client.get(url).status_code == 404


def test_scheduled_go_live_and_expiry_need_no_job(client, make_article):
    soon = timezone.now() + timedelta(seconds=1)
    coming = make_article("Coming soon", published_at=soon)
    going = make_article(
        "Going soon", published_at=timezone.now() - timedelta(days=1), expires_at=soon
    )
    home = html(client, "/")
    assert "Coming soon" not in home and "Going soon" in home
    assert client.get(coming.get_absolute_url()).status_code == 404
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.05)
    home = html(client, "/")
    assert "Coming soon" in home and "Going soon" not in home
    assert client.get(coming.get_absolute_url()).status_code == 200
    assert client.get(going.get_absolute_url()).status_code == 404


def test_staff_get_fresh_pages_and_leave_none_behind(client, admin_client, article, make_article):
    draft = make_article("Secret draft", published=False)
    assert "Readers see nothing: it is not published." in html(
        admin_client, draft.get_absolute_url()
    )
    assert client.get(draft.get_absolute_url()).status_code == 404

    staff_view = admin_client.get(article.get_absolute_url())
    assert "private" in staff_view["Cache-Control"]
    # The staff request stored nothing: the visitor's first request renders.
    _, visitor_queries = queries_for(client, article.get_absolute_url())
    assert visitor_queries > 0


def test_any_session_bypasses_the_cache(client, article):
    client.get(article.get_absolute_url())
    client.cookies["sessionid"] = "anything"
    _, count = queries_for(client, article.get_absolute_url())
    assert count > 0


def test_etag_and_last_modified_give_304s(client, article):
    url = article.get_absolute_url()
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and "Cookie" in first["Vary"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    article.title = "Changed since"
    article.save()  # the draft: readers' page is the same
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    publishing.publish(article)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_change_and_its_new_generation_commit_or_roll_back_together(client, article):
    url = article.get_absolute_url()
    client.get(url)
    before = Generation.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        article.title = "Rolled back"
        article.save()
        publishing.publish(article)
        assert Generation.objects.get().token != before.token
        raise RuntimeError("the save fails after publishing")
    assert Generation.objects.get().token == before.token
    assert "Rolled back" not in html(client, url)
    publishing.publish(article)
    after = Generation.objects.get()
    assert after.token != before.token and after.number == before.number + 1


DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_a_dead_cache_server_means_uncached_pages_not_errors(client, article):
    with override_settings(CACHES=DEAD_REDIS):
        assert "Glycine for Sleep" in html(client, article.get_absolute_url())
        assert "Glycine for Sleep" in html(client, "/")
        article.title = "Edited while Redis is down"
        article.save()
        publishing.publish(article)
        assert "Edited while Redis is down" in html(client, article.get_absolute_url())


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_runs_on_the_redis_the_environment_names(client, article):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    client.get(article.get_absolute_url())
    token = Generation.objects.get().token
    assert list(cache._cache.get_client().scan_iter(f"*pages:{token}:*"))


def test_a_change_made_while_the_cache_is_unreachable_is_not_lost(client, article, monkeypatch):
    """A Redis blip, not a restart: the old generation is still there when it comes back."""
    url = article.get_absolute_url()
    client.get(url)  # cached under the current generation

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    with monkeypatch.context() as patched:
        for method in ["get", "set", "get_many", "set_many", "delete", "delete_many", "add"]:
            patched.setattr(cache, method, unreachable)
        article.title = "Changed during the blip"
        article.save()
        publishing.publish(article)  # saves, though the cache takes nothing
        assert "Changed during the blip" in html(client, url)  # uncached meanwhile
    assert "Changed during the blip" in html(client, url)


def test_query_parameters_a_page_does_not_read_share_its_cache_entry(client, article):
    url = article.get_absolute_url()
    client.get(url)
    for n in range(30):
        response, queries = queries_for(client, f"{url}?cb={n}")
        assert response.status_code == 200 and queries == 1  # the generation only
    # The page number is read by lists, so it is part of the key.
    assert client.get("/?page=2").status_code == 200
