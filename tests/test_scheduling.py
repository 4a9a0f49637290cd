"""Draft, scheduled, live, expired: visitors see only live articles, on every page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import open_form

NOW = timezone.now()
TIMELINE = {
    # state: (status, go-live, expiry)
    "draft": ("draft", None, None),
    "scheduled": ("published", NOW + timedelta(days=2), None),
    "live": ("published", NOW - timedelta(days=2), NOW + timedelta(days=2)),
    "expired": ("published", NOW - timedelta(days=4), NOW - timedelta(days=1)),
}


@pytest.fixture
def timeline(make_article, make_supplement):
    """One article in each state, all about one supplement and related to a live hub."""
    supplement = make_supplement("Glycine")
    hub = make_article("Hub article")
    articles = {}
    for state, (status, go_live, expiry) in TIMELINE.items():
        article = make_article(
            f"The {state} article",
            published=False,
            status=status,
            published_at=go_live,
            expires_at=expiry,
        )
        article.supplements.add(supplement)
        hub.related.add(article)
        articles[state] = article
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
    article.published_at = timezone.now() - timedelta(seconds=1)  # the clock has moved on
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_admin_list_shows_scheduled_and_expired(admin_client, timeline):
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url).content.decode()
    for state in TIMELINE:
        assert f"article-state-{state}" in html
    scheduled = admin_client.get(url, {"state": "scheduled"}).content.decode()
    assert "The scheduled article" in scheduled and "The expired article" not in scheduled
    expired = admin_client.get(url, {"state": "expired"}).content.decode()
    assert "The expired article" in expired and "The live article" not in expired


def test_expiry_before_go_live_is_a_form_error(admin_client, make_article):
    article = make_article(sections=1)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data.update(
        {
            "published_at_0": "2030-01-10",
            "published_at_1": "12:00:00",
            "expires_at_0": "2030-01-09",
            "expires_at_1": "12:00:00",
            "title": "Should not be saved",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The expiry time must be after the go-live time." in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Should not be saved" and article.expires_at is None
