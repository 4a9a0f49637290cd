"""Odd input gets the site's normal answer: a 404, escaped text, no forged marks."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from articles import search
from articles.models import Article

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/articles/article/²/change/",
        "/admin/articles/article/abc/history/compare/?from=1&to=2",
        "/admin/articles/article/1/history/compare/?from=%C2%B2&to=1",
        "/admin/articles/article/abc/share-preview/",
        "/admin/articles/article/abc/revoke-previews/",
        "/admin/articles/article/abc/review/approve/",
        "/admin/articles/article/abc/publish/",
    ],
)
def test_malformed_admin_ids_are_not_errors(admin_client, seed_article, path):
    for method in (admin_client.get, admin_client.post):
        assert method(path).status_code in (302, 404), path


def test_feeds_escape_plain_text_and_name_authors(client, make_article):
    make_article("Zinc & sleep", summary="Doses < 40 mg & more")
    rss = ET.fromstring(client.get(reverse("articles:feed-rss")).content)
    descriptions = [item.findtext("description") for item in rss.iter("item")]
    assert "Doses &lt; 40 mg &amp; more" in descriptions  # HTML text, as readers take it
    atom = ET.fromstring(client.get(reverse("articles:feed-atom")).content)
    assert atom.find(f"{ATOM}author/{ATOM}name").text == "mgsite"
    for entry in atom.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author/{ATOM}name").text


def test_time_values_have_no_microseconds(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    for value in [*html.split('datetime="')[1:], *html.split('_time" content="')[1:]]:
        stamp = value.split('"')[0]
        assert "." not in stamp, stamp


def test_supplements_with_only_drafts_are_not_listed(client, make_article, make_supplement):
    draft = make_article("Draft about boron", published=False)
    boron = make_supplement("Boron", slug="boron")
    draft.supplements.add(boron)
    assert "Boron" not in client.get(reverse("articles:supplements")).content.decode()
    assert client.get(boron.get_absolute_url()).status_code == 404


def test_typed_marker_characters_cannot_forge_search_marks(make_article):
    article = make_article("Zinc \ue000forged\ue001 title", summary="About zinc \ue000x\ue001.")
    assert "\ue000" not in Article.objects.get(pk=article.pk).title
    ids = search.search("zinc")
    snippet = search.snippets("zinc", ids)
    assert all(
        str(text).count("<mark>") == str(text).lower().count("zinc") for text in snippet.values()
    )
