"""Draft, scheduled, live, expired: visitors see only live articles, on every page."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import LiveSupplement, LiveVersion
from tests.admin_forms import open_form

NOW = timezone.now()
TIMELINE = {
    # state: (published, go-live, expiry)
    "draft": (False, None, None),
    "scheduled": (True, NOW + timedelta(days=2), None),
    "live": (True, NOW - timedelta(days=2), NOW + timedelta(days=2)),
    "expired": (True, NOW - timedelta(days=4), NOW - timedelta(days=1)),
}


def publish_as_of(article, go_live, expiry):
    """Publish the draft to go live at `go_live`: later is scheduled; earlier is as if it
    had been published then, with `expiry` (publish() itself never goes back, and drops an
    expiry already past)."""
    version = publishing.publish(article, at=go_live)
    if go_live < version.live_from:
        LiveVersion.objects.filter(pk=version.pk).update(
            live_from=go_live, first_published_at=go_live, expires_at=expiry
        )


@pytest.fixture
def timeline(make_article, make_supplement):
    """One article in each state, all about one supplement and related to a live hub."""
    supplement = make_supplement("Glycine")
    hub = make_article("Hub article", published=False)
    articles = {}
    for state, (published, go_live, expiry) in TIMELINE.items():
        article = make_article(f"The {state} article", published=False, expires_at=expiry)
        article.supplements.add(supplement)
        hub.related.add(article)
        if published:
            publish_as_of(article, go_live, expiry)
        article.refresh_from_db()
        articles[state] = article
    publishing.publish(hub)
    return hub, supplement, articles


@pytest.mark.parametrize("state", list(TIMELINE))
def test_state_is_reported(timeline, state):
    assert timeline[2][state].state == state


@pytest.mark.parametrize("state", list(TIMELINE))
def test_visible_to_visitors_only_when_live(client, timeline, state):
    hub, supplement, articles = timeline
    article = articles[state]
    visible = state == "live"
    pages = {
        "home": client.get("/").content.decode(),
        "supplement": client.get(supplement.get_absolute_url()).content.decode(),
        "related links": client.get(hub.get_absolute_url()).content.decode(),
    }
    for page, html in pages.items():
        assert (article.title in html) is visible, f"{state} article on the {page} page"
    expected = 200 if visible else 404
    assert client.get(article.get_absolute_url()).status_code == expected


def test_scheduled_article_goes_live_without_any_job(client, make_article):
    article = make_article(published_at=timezone.now() + timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.state == "scheduled"
    # The clock has moved on past the go-live time.
    LiveVersion.objects.filter(article=article).update(
        live_from=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.state == "live"


def test_admin_list_shows_scheduled_and_counts_expired_as_not_published(admin_client, timeline):
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url).content.decode()
    for state in ["live", "scheduled", "draft"]:
        assert f"article-state-{state}" in html
    scheduled = admin_client.get(url, {"state": "scheduled"}).content.decode()
    assert "The scheduled article" in scheduled
    assert "The expired article" not in scheduled and "The live article" not in scheduled
    unpublished = admin_client.get(url, {"state": "unpublished"}).content.decode()
    assert "The expired article" in unpublished and "The draft article" in unpublished
    assert "The live article" not in unpublished and "The scheduled article" not in unpublished
    live = admin_client.get(url, {"state": "live"}).content.decode()
    assert "The live article" in live and "The expired article" not in live


def test_expiry_before_go_live_is_a_form_error(admin_client, make_article):
    article = make_article(sections=1)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data.update(
        {
            "publish_at_0": "2030-01-10",
            "publish_at_1": "12:00:00",
            "expires_at_0": "2030-01-09",
            "expires_at_1": "12:00:00",
            "title": "Should not be saved",
            "_publish": "Save and publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The expiry time must be after the go-live time." in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Should not be saved" and article.expires_at is None
    assert article.publishing().scheduled is None


def newest_whose_time_has_come(article, now):
    """What readers get, by the definition, from all the article's versions."""
    due = [v for v in LiveVersion.objects.filter(article=article) if v.live_from <= now]
    newest = max(due, key=lambda v: (v.live_from, v.pk), default=None)
    return None if newest is None or newest.takedown else newest.pk


def test_current_version_follows_every_publish_schedule_cancel_and_takedown(make_article):
    """visible() reads each version's marked place; at every step, and at every moment
    before and after a scheduled go-live, it agrees with the definition."""
    article = make_article(published=False)
    later = timezone.now() + timedelta(hours=1)

    def check():
        for moment in [timezone.now(), later + timedelta(seconds=1)]:
            shown = LiveVersion.objects.current(moment).filter(takedown=False, article=article)
            assert list(shown.values_list("pk", flat=True)) == (
                [pk] if (pk := newest_whose_time_has_come(article, moment)) else []
            )

    steps = [
        lambda: publishing.publish(article),
        lambda: publishing.publish(article, at=later),  # scheduled over a live one
        lambda: publishing.unpublish(article),  # cancels the schedule, takes it down
        lambda: publishing.publish(article),
        lambda: publishing.publish(article, at=later),
        lambda: LiveVersion.objects.scheduled().filter(article=article).delete(),  # cancelled
        lambda: publishing.publish(article, at=later),
        lambda: publishing.publish(article),  # replaces what was scheduled
    ]
    check()
    for step in steps:
        step()
        check()


def test_version_before_a_scheduled_one_is_shown_until_its_time(client, make_article):
    article = make_article("First text")
    article.title = "Second text"
    article.save()
    scheduled = publishing.publish(article, at=timezone.now() + timedelta(hours=1))
    assert "First text" in client.get(article.get_absolute_url()).content.decode()
    # The clock reaches the go-live time: the scheduled version, and only it, is shown.
    LiveVersion.objects.filter(pk=scheduled.pk).update(live_from=timezone.now())
    assert list(LiveVersion.objects.visible().filter(article=article)) == [scheduled]


def test_migration_marks_versions_published_before_it(make_article, make_supplement):
    """Migration 0021 marks the places (and copies first publication times) that restack
    and publishing keep from then on: what readers get is the same before and after."""
    marking = importlib.import_module("articles.migrations.0021_live_version_place")
    supplement = make_supplement()
    articles = [make_article(published=False) for _ in range(3)]
    for article in articles:
        article.supplements.add(supplement)
        publishing.publish(article)
    publishing.publish(articles[1], at=timezone.now() + timedelta(hours=1))
    publishing.unpublish(articles[2])
    shown = sorted(LiveVersion.objects.visible().values_list("pk", flat=True))
    about = sorted(LiveSupplement.objects.values_list("pk", "first_published_at"))
    LiveVersion.objects.update(place=None)
    LiveSupplement.objects.update(first_published_at=None)
    assert not LiveVersion.objects.visible().exists()
    marking.mark(apps, None)
    marking.first_published(apps, None)
    assert sorted(LiveVersion.objects.visible().values_list("pk", flat=True)) == shown
    assert sorted(LiveSupplement.objects.values_list("pk", "first_published_at")) == about
