"""Draft and live: saving changes the draft; only publishing changes what readers get."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from articles import publishing, search
from articles.models import Article, LiveVersion, Section, SlugRedirect
from articles.revisions import article_versions
from mgsite.page_cache import generations
from mgsite.page_cache.models import Generation
from tests.admin_forms import form_data, open_form


def page(client, url, **params):
    response = client.get(url, params)
    return response.status_code, response.content.decode()


@pytest.fixture
def live(make_article, make_supplement):
    article = make_article("Glycine at Night", sections=1, published=False)
    article.supplements.add(make_supplement("Glycine", slug="glycine"))
    publishing.publish(article)
    return article


def clock_reaches(version):
    """As if the clock had reached `version`'s go-live time: it is due, and the page cache's
    note of the next scheduled change (made earlier, for that time) has come round."""
    LiveVersion.objects.filter(pk=version.pk).update(live_from=timezone.now())
    Generation.objects.filter(next_change_known=True).update(next_change_at=timezone.now())


def change_draft(article, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    article.refresh_from_db()
    return article


def test_the_seed_article_is_live_and_its_draft_is_the_same(seed_article):
    assert seed_article.publishing().state == "live"
    live = LiveVersion.objects.visible().get(article=seed_article)
    assert live.fingerprint == seed_article.draft_fingerprint
    assert seed_article.first_published_at == live.live_from


def test_saving_changes_the_draft_not_the_page_feeds_sitemap_or_search(client, live):
    url = live.get_absolute_url()
    client.get(url)
    before = Generation.objects.get()
    change_draft(live, title="Glycine at Night, revised", summary="Zanzibarish new words.")
    Section.objects.filter(article=live).update(body="Quuxly draft-only text.")
    live.sections.get().save()

    status, html = page(client, url)
    assert status == 200 and "Glycine at Night, revised" not in html
    assert "Quuxly" not in html
    assert "revised" not in page(client, reverse("articles:feed-rss"))[1]
    assert "revised" not in page(client, reverse("articles:feed-atom"))[1]
    assert search.search("zanzibarish") == [] and search.search("quuxly") == []
    # Nothing readers see changed, so no cached page was dropped.
    assert Generation.objects.get().token == before.token
    assert live.publishing().state == "changed"


def test_publishing_makes_the_draft_what_readers_get(client, live):
    change_draft(live, title="Glycine at Night, revised", summary="Zanzibarish new words.")
    publishing.publish(live)
    status, html = page(client, live.get_absolute_url())
    assert status == 200 and "Glycine at Night, revised" in html
    assert "revised" in page(client, reverse("articles:feed-rss"))[1]
    assert [
        v.article_id for v in LiveVersion.objects.filter(pk__in=search.search("zanzibarish"))
    ] == [live.pk]
    assert live.publishing().state == "live"


def test_staff_see_the_draft_at_the_article_address_with_draft(admin_client, live):
    change_draft(live, title="Glycine at Night, revised")
    status, html = page(admin_client, live.get_absolute_url(), draft="")
    assert status == 200 and "Glycine at Night, revised" in html
    assert "Preview of the draft" in html
    # Without ?draft, staff get the page readers get.
    assert "revised" not in page(admin_client, live.get_absolute_url())[1]


def test_visitors_cannot_see_a_draft_with_draft(client, live):
    change_draft(live, title="Glycine at Night, revised")
    status, html = page(client, live.get_absolute_url(), draft="")
    assert status == 200 and "revised" not in html


def test_a_slug_changed_in_the_draft_redirects_nothing_until_published(client, live):
    old_url = live.get_absolute_url()
    change_draft(live, slug="glycine-nights")
    assert SlugRedirect.objects.count() == 0
    assert page(client, old_url)[0] == 200
    assert page(client, "/articles/glycine-nights/")[0] == 404

    publishing.publish(live)
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == "/articles/glycine-nights/"
    assert page(client, "/articles/glycine-nights/")[0] == 200


def test_a_slug_another_article_is_live_at_cannot_be_published(make_article, live):
    other = make_article("Other", published=False)
    change_draft(live, slug="moved-away")  # the draft moves; readers still have the old slug
    change_draft(other, slug="glycine-at-night-elsewhere")
    change_draft(other, slug=LiveVersion.objects.get(article=live).slug)
    with pytest.raises(publishing.PublishingError, match="is the address of"):
        publishing.publish(other)


def test_a_scheduled_publish_goes_live_at_its_time_with_no_job(client, live):
    change_draft(live, title="Glycine at Night, scheduled")
    at = timezone.now() + timedelta(hours=2)
    version = publishing.publish(live, at=at)
    change_draft(live, title="Glycine at Night, after scheduling")
    assert "scheduled" not in page(client, live.get_absolute_url())[1]
    assert live.publishing().state == "changed"  # the draft moved on since scheduling

    # The clock reaches the go-live time: the next request gets the version as scheduled.
    clock_reaches(version)
    status, html = page(client, live.get_absolute_url())
    assert "Glycine at Night, scheduled" in html and "after scheduling" not in html


def test_a_page_cached_before_a_scheduled_change_is_not_served_after_it(client, live):
    version = publishing.publish(
        change_draft(live, title="At noon"), at=timezone.now() + timedelta(hours=1)
    )
    assert "At noon" not in page(client, live.get_absolute_url())[1]  # cached now
    assert Generation.objects.get().next_change_at == version.live_from  # it knows what is coming
    clock_reaches(version)
    assert "At noon" in page(client, live.get_absolute_url())[1]


def test_unpublish_takes_it_down_and_cancels_what_was_scheduled(client, live):
    publishing.publish(change_draft(live, title="Later"), at=timezone.now() + timedelta(days=1))
    publishing.unpublish(live)
    assert page(client, live.get_absolute_url())[0] == 404
    assert live.publishing().state == "draft"
    assert not LiveVersion.objects.scheduled().filter(article=live).exists()
    assert live.title == "Later"  # the draft is kept


def test_expiry_takes_the_live_version_down(client, make_article):
    article = make_article(expires_at=timezone.now() + timedelta(hours=1))
    assert page(client, article.get_absolute_url())[0] == 200
    LiveVersion.objects.filter(article=article).update(expires_at=timezone.now())
    generations.content_changed()  # a change made behind the app's back, announced
    assert page(client, article.get_absolute_url())[0] == 404
    assert article.publishing().state == "expired"


def test_related_articles_and_json_ld_follow_the_live_version(client, live, make_article):
    other = make_article("Theanine and Calm")
    change_draft(live)
    live.related.add(other)  # in the draft only
    html = page(client, live.get_absolute_url())[1]
    assert "Theanine and Calm" not in html
    publishing.publish(live)
    html = page(client, live.get_absolute_url())[1]
    assert "Theanine and Calm" in html
    # And on the other article's page too (related links show on both).
    assert "Glycine at Night" in page(client, other.get_absolute_url())[1]


def test_save_and_publish_in_the_admin(admin_client, live):
    url = reverse("admin:articles_article_change", args=[live.pk])
    data = open_form(admin_client, url)
    data["title"] = "Glycine at Night, from the admin"
    assert admin_client.post(url, data).status_code == 302  # "Save": a draft
    assert "from the admin" not in page(admin_client, live.get_absolute_url())[1]
    changelist = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "live, draft changed" in changelist
    form = admin_client.get(url).content.decode()
    assert "What publishing would change for readers" in form
    assert "<ins>from the admin" in form or "from the admin</ins>" in form

    data = open_form(admin_client, url)
    data["_publish"] = "Save and publish"
    assert admin_client.post(url, data, follow=True).status_code == 200
    assert "from the admin" in page(admin_client, live.get_absolute_url())[1]
    live.refresh_from_db()
    assert live.publishing().state == "live"


def test_save_and_publish_with_a_go_live_time_schedules(admin_client, live):
    url = reverse("admin:articles_article_change", args=[live.pk])
    data = open_form(admin_client, url)
    data["title"] = "Glycine at Night, next week"
    later = timezone.localtime(timezone.now() + timedelta(days=7))
    data.update(
        {
            "_publish": "Save and publish",
            "publish_at_0": later.strftime("%Y-%m-%d"),
            "publish_at_1": later.strftime("%H:%M:%S"),
        }
    )
    response = admin_client.post(url, data, follow=True)
    assert "is scheduled to go live" in response.content.decode()
    assert live.publishing().scheduled is not None
    assert "next week" not in page(admin_client, live.get_absolute_url())[1]


def test_without_the_publish_permission_save_and_publish_only_saves(client, editor, live):
    editor.groups.clear()
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_article", "view_article"])
    )
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[live.pk])
    data = open_form(client, url)
    data["title"] = "Glycine at Night, by an editor"
    data["_publish"] = "Save and publish"
    response = client.post(url, data, follow=True)
    assert "you may not publish" in response.content.decode()
    assert Article.objects.get(pk=live.pk).title == "Glycine at Night, by an editor"
    assert "by an editor" not in page(client, live.get_absolute_url())[1]
    # Nor through the action.
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [live.pk]},
    )
    assert "by an editor" not in page(client, live.get_absolute_url())[1]


def test_restoring_a_revision_changes_the_draft_only(admin_client, client, live):
    url = reverse("admin:articles_article_change", args=[live.pk])
    admin_client.post(url, open_form(admin_client, url))  # a revision, as it was published
    older = article_versions(live.pk).first()
    data = open_form(admin_client, url)
    data["title"] = "Glycine at Night, second"
    data["_publish"] = "Save and publish"
    admin_client.post(url, data)

    restore_url = reverse("admin:articles_article_revision", args=[live.pk, older.pk])
    form = admin_client.get(restore_url)
    response = admin_client.post(restore_url, form_data(form.content.decode()), follow=True)
    assert "into the draft" in response.content.decode()
    live.refresh_from_db()
    assert live.title == "Glycine at Night"  # the draft is the restored revision
    assert "Glycine at Night, second" in page(client, live.get_absolute_url())[1]  # readers
    assert live.publishing().state == "changed"
