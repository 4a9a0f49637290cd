"""The home page leads with the newest article, shows lead images on cards, and lists the
supplements; the site's icons and manifest answer where browsers look for them."""

import importlib
import json
import re
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from articles import page_content, publishing
from articles.models import LiveVersion
from tests.test_query_budget import count_queries

# The page cache's generation, the count and page of live versions, their supplements, and
# the supplements with live articles (with their counts).
HOME_PAGE_QUERIES = 5
CSS_LIMIT = 20 * 1024


def home_html(client, **params):
    return client.get(reverse("articles:home"), params).content.decode()


def test_home_leads_with_the_newest_article(client, make_article):
    older = make_article(title="Older article")
    newest = make_article(title="Newest article")
    html = home_html(client)
    featured = re.search(r'<article class="card featured">(.*?)</article>', html, re.S).group(1)
    assert newest.title in featured
    assert older.title not in featured
    assert html.index(newest.title) < html.index(older.title)


def test_later_pages_have_no_featured_article(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        make_article()
    assert "card featured" in home_html(client)
    assert "card featured" not in home_html(client, page=2)


def test_home_lists_supplements_with_live_articles(client, make_article, make_supplement):
    listed = make_supplement(name="Glycine")
    drafts_only = make_supplement(name="Taurine")
    article = make_article()
    article.supplements.add(listed)
    publishing.publish(article)
    draft = make_article(published=False)
    draft.supplements.add(drafts_only)
    html = home_html(client)
    section = html[html.index('id="supplements-heading"') :]
    assert f'href="{listed.get_absolute_url()}"' in section
    assert "Taurine" not in section


def test_cards_show_lead_images_lazily_after_the_first(client, make_article, make_image):
    for n in range(3):
        make_article(lead_image=make_image(size=(1600, 1000), alt_text=f"Photo {n}"))
    make_article(title="No picture")
    html = home_html(client)
    images = re.findall(r"<img [^>]*>", html)
    photos = [tag for tag in images if 'alt="Photo' in tag]
    assert len(photos) == 3
    for tag in photos:
        assert 'width="1600"' in tag and 'height="1000"' in tag  # no layout shift
        assert "srcset=" in tag
    # The newest article has no picture: the first card's image is the first on the page,
    # loaded at once; the others when they come near.
    assert 'loading="lazy"' not in photos[0] and 'fetchpriority="high"' in photos[0]
    assert all('loading="lazy"' in tag for tag in photos[1:])


def test_featured_lead_image_is_not_lazy(client, make_article, make_image):
    make_article(lead_image=make_image(size=(1600, 1000), alt_text="Lead photo"))
    tag = re.search(r'<img [^>]*alt="Lead photo"[^>]*>', home_html(client)).group(0)
    assert 'loading="lazy"' not in tag
    assert 'fetchpriority="high"' in tag
    assert "37rem" in tag  # the featured card's sizes, not the article column's


def test_card_image_leaves_the_fingerprint_as_it_was(make_article, make_image):
    """Cards repeat the lead image's renditions: an approval made before cards existed
    still matches the same text."""
    article = make_article(lead_image=make_image(size=(1600, 1000)))
    version = LiveVersion.from_draft(article)
    assert version.card_image is not None
    without = LiveVersion.from_draft(article)
    without.content.pop("card_image")
    assert version.fingerprint == page_content.fingerprint(
        slug=version.slug,
        title=version.title,
        subtitle=version.subtitle,
        summary=version.summary,
        content=without.content,
    )


def test_versions_published_before_cards_get_the_same_card_image(make_article, make_image):
    """Migration 0019 reads the card image back from a version's frozen lead image HTML:
    exactly what publishing now stores beside it."""
    migration = importlib.import_module("articles.migrations.0019_card_images")
    image = make_image(size=(1600, 1000), alt_text='Capsules & a "glass" <jar>')
    version = LiveVersion.objects.get(article=make_article(lead_image=image))
    published = version.content.pop("card_image")
    version.save(update_fields=["content"])
    migration.add_card_images(django_apps, None)
    version.refresh_from_db()
    assert version.card_image == published


def test_home_queries_stay_within_budget(client, make_article, make_supplement, make_image):
    supplement = make_supplement()
    for n in range(6):
        article = make_article(lead_image=make_image(size=(800, 500)) if n % 2 else None)
        article.supplements.add(supplement)
        publishing.publish(article)
    assert count_queries(client, "/") == HOME_PAGE_QUERIES


def test_favicon_ico_and_manifest_answer(client, db):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    manifest = client.get("/site.webmanifest")
    assert manifest.status_code == 200
    assert manifest["Content-Type"] == "application/manifest+json"
    icons = json.loads(manifest.content)["icons"]
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in icons}
    for entry in icons:
        # The test client serves no static files: the file behind the address must exist.
        assert finders.find(entry["src"].removeprefix(settings.STATIC_URL)), entry["src"]


def test_pages_link_icons_and_manifest(client, db):
    html = home_html(client)
    assert 'rel="manifest" href="/site.webmanifest"' in html
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html
    assert 'rel="apple-touch-icon"' in html
    assert 'src="/static/img/logo.svg"' in html


def test_stylesheet_stays_under_20_kb():
    assert (Path(settings.BASE_DIR) / "static" / "css" / "site.css").stat().st_size < CSS_LIMIT
