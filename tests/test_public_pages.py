"""What visitors see: lists, articles, supplements, and the 404 and 500 pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article


def test_home_lists_published_articles_newest_first(client, make_article, make_supplement):
    glycine = make_supplement("Glycine")
    older = make_article("Older piece")
    newer = make_article("Newer piece", subtitle="A subtitle")
    newer.supplements.add(glycine)
    publishing.publish(newer)  # with its supplement; still listed by first publication
    make_article("Secret draft", published=False)

    html = client.get(reverse("articles:home")).content.decode()

    assert html.index("Newer piece") < html.index("Older piece")
    assert "A subtitle" in html and newer.summary in html and "Glycine" in html
    assert older.get_absolute_url() in html
    assert "Secret draft" not in html


def test_home_is_paginated(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        make_article()
    first = client.get("/").content.decode()
    assert "Page 1 of" in first and 'rel="next"' in first
    assert client.get("/?page=2").status_code == 200
    # Nonsense page numbers show a page, never an error.
    assert client.get("/?page=abc").status_code == 200
    assert client.get("/?page=999").status_code == 200


def test_article_page_shows_toc_sections_and_dates(client, make_article):
    article = make_article("Glycine for Sleep", sections=2, intro="Intro *text*")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Glycine for Sleep</h1>" in html
    assert '<a href="#section-1">Section 1</a>' in html
    assert '<h2 id="section-2">Section 2</h2>' in html
    assert "<em>text</em>" in html
    assert "Published <time" in html


def test_draft_is_404_for_visitors(client, make_article):
    draft = make_article("Work in progress", published=False)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_slug_is_a_styled_404(client, db):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "site.css" in html


def test_related_articles_link_both_ways_and_hide_drafts(client, make_article):
    magnesium = make_article("Magnesium")
    glycine = make_article("Glycine")
    draft = make_article("Unfinished", published=False)
    glycine.related.add(magnesium, draft)
    publishing.publish(glycine)

    on_glycine = client.get(glycine.get_absolute_url()).content.decode()
    on_magnesium = client.get(magnesium.get_absolute_url()).content.decode()

    assert "Related supplement articles" in on_glycine
    assert magnesium.get_absolute_url() in on_glycine
    assert glycine.get_absolute_url() in on_magnesium
    assert draft.get_absolute_url() not in on_glycine


def test_supplement_page_lists_its_published_articles(client, make_article, make_supplement):
    melatonin = make_supplement("Melatonin", description="A hormone.")
    shown = make_article("Melatonin basics")
    hidden = make_article("Melatonin draft", published=False)
    other = make_article("Unrelated")
    shown.supplements.add(melatonin)
    hidden.supplements.add(melatonin)
    publishing.publish(shown)

    response = client.get(melatonin.get_absolute_url())
    html = response.content.decode()

    assert "<h1>Melatonin</h1>" in html and "A hormone." in html
    assert shown.get_absolute_url() in html
    assert hidden.get_absolute_url() not in html
    assert other.get_absolute_url() not in html
    assert client.get("/supplements/nothing-here/").status_code == 404


def test_published_queryset_excludes_drafts_and_future_dates(make_article):
    live = make_article()
    draft = make_article(published=False)
    future = make_article(published_at=timezone.now() + timedelta(days=1))
    published = set(Article.objects.published())
    assert live in published
    assert draft not in published and future not in published


@pytest.mark.urls("tests.urls_error")
def test_server_error_page_is_styled(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
