"""Editing in the admin: the Markdown editor, inline sections, actions, lists."""

import pytest
from django.urls import reverse

from articles.models import Article, LiveVersion, Section
from tests.admin_forms import open_form


@pytest.fixture
def change_url(seed_article):
    return reverse("admin:articles_article_change", args=[seed_article.pk])


def test_change_form_has_the_markdown_editor(admin_client, change_url):
    html = admin_client.get(change_url).content.decode()
    # Intro, conclusion and each of the six sections, plus the empty template row.
    assert html.count('class="markdownx"') == 2 + 6 + 1
    assert "markdownx-preview" in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    assert "markdownx/js/markdownx" in html
    assert "js/markdownx-admin.js" in html


def test_saving_with_inline_sections_reorders_and_renders(admin_client, seed_article, change_url):
    first, second = seed_article.sections.all()[:2]
    data = open_form(admin_client, change_url)
    # Swap the first two sections and edit one body.
    data["sections-0-position"] = 2
    data["sections-1-position"] = 1
    data["sections-1-body"] = "Now with **bold** text."
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    headings = list(seed_article.sections.values_list("heading", flat=True))
    assert headings[:2] == [second.heading, first.heading]
    second.refresh_from_db()
    assert second.body_html == "<p>Now with <strong>bold</strong> text.</p>"


def test_adding_a_section_through_the_admin_and_publishing_it(
    admin_client, seed_article, change_url
):
    data = open_form(admin_client, change_url)
    data.update(
        {
            "sections-TOTAL_FORMS": "7",
            "sections-6-position": 7,
            "sections-6-heading": "Safety",
            "sections-6-anchor": "safety",
            "sections-6-body": "Ask a *pharmacist*.",
            "_publish": "Save and publish",
        }
    )
    assert admin_client.post(change_url, data).status_code == 302
    section = seed_article.sections.get(anchor="safety")
    assert section.body_html == "<p>Ask a <em>pharmacist</em>.</p>"
    assert (
        "<em>pharmacist</em>" in admin_client.get(seed_article.get_absolute_url()).content.decode()
    )
    seed_article.refresh_from_db()
    assert seed_article.publishing().state == "live"


def test_duplicate_anchor_is_a_form_error_and_saves_nothing(admin_client, seed_article, change_url):
    data = open_form(admin_client, change_url)
    data["sections-1-anchor"] = "muscle-relaxation"
    data["title"] = "Changed title"
    response = admin_client.post(change_url, data)
    assert response.status_code == 200
    assert "already has the link #muscle-relaxation" in response.content.decode()
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"


def test_adding_an_article_and_relating_it(admin_client, admin_user, seed_article, make_supplement):
    glycine = make_supplement("Glycine", slug="glycine")
    add_url = reverse("admin:articles_article_add")
    data = open_form(admin_client, add_url)
    data.update(
        {
            "title": "Glycine for Sleep",
            "slug": "glycine-for-sleep",
            "summary": "An amino acid.",
            "intro": "Intro.",
            "supplements": [glycine.pk],
            "related": [seed_article.pk],
            "_publish": "Save and publish",
        }
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 302
    glycine_article = Article.objects.get(slug="glycine-for-sleep")
    assert glycine_article.author == admin_user
    assert glycine_article.first_published_at is not None
    assert glycine_article.publishing().state == "live"
    assert list(seed_article.related.all()) == [glycine_article]
    live = LiveVersion.objects.visible().get(article=glycine_article)
    assert live.content["related"] == [seed_article.pk]
    assert list(live.supplements.all()) == [glycine]


def test_publish_and_unpublish_actions(admin_client, make_article):
    draft = make_article(published=False)
    url = reverse("admin:articles_article_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.publishing().state == "live" and draft.first_published_at is not None
    admin_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.publishing().state == "draft"
    assert draft.publishing().live.takedown  # the draft is kept; readers get nothing


def test_changelist_shows_status_and_supplements_and_searches(admin_client, seed_article):
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url).content.decode()
    assert "Magnesium glycinate" in html and "article-state-live" in html
    assert (
        "Magnesium Glycinate for Sleep"
        in admin_client.get(url, {"q": "glycinate"}).content.decode()
    )
    assert (
        "Magnesium Glycinate for Sleep" not in admin_client.get(url, {"q": "zzz"}).content.decode()
    )


def test_related_autocomplete_finds_articles(admin_client, seed_article):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "related", "term": "Magn"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Magnesium Glycinate for Sleep"


def test_section_anchor_defaults_from_heading(make_article):
    article = make_article()
    section = Section.objects.create(article=article, heading="Dose & Timing", body="x")
    assert section.anchor == "dose-timing"


def test_browser_line_endings_are_stored_as_newlines(make_article):
    article = make_article(intro="## Heading\r\n\r\nText.", sections=0)
    section = Section.objects.create(article=article, heading="H", body="a\r\nb")
    article.refresh_from_db()
    section.refresh_from_db()
    assert article.intro == "## Heading\n\nText."
    assert section.body == "a\nb"
