"""Citations: [@key] in any Markdown field becomes numbered links and a References list."""

import re

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Citation, Reference, Section
from tests.admin_forms import open_form


@pytest.fixture
def refs(db):
    return {
        key: Reference.objects.create(
            key=key,
            authors=f"Author {key}",
            title=f"Study {key}",
            publisher="J Test",
            year=2020,
            doi=f"10.1000/{key}",
            pmid="123456" if key == "beta" else "",
        )
        for key in ["alpha", "beta", "gamma"]
    }


def test_numbered_in_order_of_first_citation_across_sections(client, make_article, refs):
    article = make_article(
        intro="Intro cites [@beta].", conclusion="End cites [@alpha].", published=False
    )
    Section.objects.create(
        article=article, heading="One", anchor="one", position=1, body="First [@gamma; @beta]."
    )
    Section.objects.create(
        article=article, heading="Two", anchor="two", position=2, body="Then [@alpha]."
    )
    publishing.publish(article)

    html = client.get(article.get_absolute_url()).content.decode()
    # beta first (intro), then gamma (section one), then alpha (section two).
    assert re.findall(r'<a href="#ref-(\d)">', html) == ["1", "2", "1", "3", "3"]
    listed = re.findall(r'<li id="ref-(\d)" value="\d">\s*Author (\w+)', html)
    assert listed == [("1", "beta"), ("2", "gamma"), ("3", "alpha")]
    assert 'href="https://doi.org/10.1000/beta"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/123456/"' in html
    assert [c.reference.key for c in Citation.objects.filter(article=article)] == [
        "beta",
        "gamma",
        "alpha",
    ]


def test_numbers_follow_a_reordering_of_sections(make_article, refs):
    article = make_article()
    one = Section.objects.create(
        article=article, heading="One", anchor="one", position=1, body="[@alpha]"
    )
    Section.objects.create(article=article, heading="Two", anchor="two", position=2, body="[@beta]")
    one.position = 3
    one.save()
    assert [c.reference.key for c in article.citations.all()] == ["beta", "alpha"]


def test_editing_a_reference_updates_the_drafts_citing_it(client, admin_client, make_article, refs):
    article = make_article(intro="See [@alpha].")
    refs["alpha"].title = "A corrected title"
    refs["alpha"].save()
    draft = admin_client.get(article.get_absolute_url() + "?draft").content.decode()
    assert "A corrected title" in draft
    article.refresh_from_db()
    assert article.state == "changed"
    # Readers get the reference as it was published until the article is published again.
    assert "Study alpha" in client.get(article.get_absolute_url()).content.decode()
    publishing.publish(article)
    assert "A corrected title" in client.get(article.get_absolute_url()).content.decode()


def test_unknown_marker_is_a_form_error_and_saves_nothing(admin_client, seed_article, refs):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(admin_client, url)
    data["intro"] = "Claims [@nosuchref]."
    data["sections-0-body"] = "Also [@alpha] and [@missing2]."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown reference [@nosuchref]" in html
    assert "Unknown reference [@missing2]" in html
    seed_article.refresh_from_db()
    assert "nosuchref" not in seed_article.intro


def test_known_markers_save_through_the_admin(admin_client, seed_article, refs):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(admin_client, url)
    data["sections-0-body"] += " [@alpha]"
    data["sections-2-body"] += " [@beta]"
    assert admin_client.post(url, data).status_code == 302
    assert [c.reference.key for c in seed_article.citations.all()] == ["alpha", "beta"]


def test_preview_numbers_citations_and_lists_references(admin_client, refs):
    response = admin_client.post(
        "/markdownx/markdownify/", {"content": "One [@gamma], two [@alpha], again [@gamma]."}
    )
    html = response.content.decode()
    assert re.findall(r'<a href="#ref-(\d)">', html) == ["1", "2", "1"]
    assert "References (numbered within this field)" in html
    assert "Study gamma" in html and "Study alpha" in html


def test_preview_calls_out_unknown_markers(admin_client, refs):
    html = admin_client.post(
        "/markdownx/markdownify/", {"content": "Bad [@nope]."}
    ).content.decode()
    assert "Unknown reference: [@nope]" in html


def test_a_cited_reference_cannot_be_deleted(admin_client, make_article, refs):
    make_article(intro="[@alpha]")
    url = reverse("admin:articles_reference_delete", args=[refs["alpha"].pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Reference.objects.filter(key="alpha").exists()
    assert "protected" in response.content.decode().lower()


def test_unknown_marker_saved_outside_the_admin_shows_as_typed(make_article, refs):
    # The admin refuses it; a save from code or an import keeps it visible, never hidden.
    article = make_article(intro="Cites [@alpha] and [@unknownkey].")
    assert "[@unknownkey]" in article.intro_html
    assert [c.reference.key for c in article.citations.all()] == ["alpha"]


def test_bad_doi_and_pmid_are_form_errors(admin_client):
    response = admin_client.post(
        reverse("admin:articles_reference_add"),
        {"key": "x1", "authors": "A", "title": "T", "doi": "not-a-doi", "pmid": "12a"},
    )
    html = response.content.decode()
    assert "A DOI looks like 10.1234/abc." in html and "A PubMed ID is a number." in html
