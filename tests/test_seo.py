"""What search engines read: meta tags, JSON-LD, sitemap, feeds, robots.txt."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from articles import publishing
from articles.models import Person, Reference


@pytest.fixture
def reviewed(make_article, make_supplement, approve):
    Reference.objects.create(key="s1", authors="Smith J", title="A trial", year=2021, doi="10.1/x")
    article = make_article(
        "Glycine and Sleep",
        summary="What glycine may do.",
        intro="A claim [@s1].",
        published=False,
    )
    article.supplements.add(make_supplement("Glycine"))
    article.authors.add(Person.objects.create(name="Ann Author", slug="ann", credentials="RD"))
    approve(article, "Dr Rev", "MD", on=date(2026, 2, 1))
    publishing.publish(article)
    return article


def json_ld(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_meta_canonical_open_graph_and_twitter(client, reviewed):
    html = client.get(reviewed.get_absolute_url()).content.decode()
    url = f"http://testserver{reviewed.get_absolute_url()}"
    assert '<meta name="description" content="What glycine may do.">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Glycine and Sleep">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_json_ld_is_a_medical_web_page_with_its_evidence(client, reviewed):
    data = json_ld(client.get(reviewed.get_absolute_url()).content.decode())
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == "Glycine and Sleep"
    assert data["datePublished"] and data["dateModified"]
    assert data["author"] == [
        {"@type": "Person", "name": "Ann Author", "jobTitle": "RD",
         "url": "http://testserver/people/ann/"}
    ]  # fmt: skip
    reviewer = reviewed.approvals.get().reviewer
    assert data["reviewedBy"] == {
        "@type": "Person", "name": "Dr Rev", "jobTitle": "MD",
        "url": f"http://testserver/people/{reviewer.slug}/",
    }  # fmt: skip
    assert data["lastReviewed"] == "2026-02-01"
    assert data["citation"] == [
        {"@type": "CreativeWork", "name": "A trial", "author": "Smith J",
         "datePublished": "2021", "url": "https://doi.org/10.1/x"}
    ]  # fmt: skip
    assert data["about"] == [{"@type": "DietarySupplement", "name": "Glycine"}]


PUBLISHER = {
    "@type": "Organization",
    "name": "mgsite",
    "url": "http://testserver/about/",
    "logo": {"@type": "ImageObject", "url": "http://testserver/static/img/logo.svg"},
}


def test_json_ld_names_the_publisher_and_the_page(client, reviewed):
    url = f"http://testserver{reviewed.get_absolute_url()}"
    data = json_ld(client.get(url).content.decode())
    assert data["publisher"] == PUBLISHER
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


def test_json_ld_author_is_the_publisher_where_the_text_names_none(client, seed_article):
    data = json_ld(client.get(seed_article.get_absolute_url()).content.decode())
    assert data["author"] == {key: PUBLISHER[key] for key in ("@type", "name", "url")}
    assert "reviewedBy" not in data and "lastReviewed" not in data
    # Every address it names is a page readers can open.
    assert client.get("/about/").status_code == 200


def test_json_ld_people_pages_exist(client, reviewed):
    data = json_ld(client.get(reviewed.get_absolute_url()).content.decode())
    for person in [*data["author"], data["reviewedBy"]]:
        assert client.get(person["url"]).status_code == 200


def test_json_ld_cannot_close_its_script(client, make_article):
    article = make_article("Evil </script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert json_ld(html)["headline"] == "Evil </script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_sitemap_lists_only_published_articles(client, make_article):
    draft = make_article("Hidden", published=False)
    live = make_article("Shown")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [el.text for el in ET.fromstring(response.content).iter() if el.tag.endswith("loc")]
    assert f"http://testserver{live.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert "http://testserver/supplements/" in locations


def test_sitemap_lists_people_with_published_work_and_the_site_pages(client, reviewed, approve):
    unpublished = Person.objects.create(name="Draft Only", slug="draft-only")
    reviewed.authors.add(unpublished)  # on the draft only, not on what readers get
    response = client.get("/sitemap.xml")
    locations = [el.text for el in ET.fromstring(response.content).iter() if el.tag.endswith("loc")]
    assert "http://testserver/people/ann/" in locations
    reviewer = reviewed.approvals.get().reviewer
    assert f"http://testserver/people/{reviewer.slug}/" in locations
    assert "http://testserver/people/draft-only/" not in locations
    for slug in ["about", "editorial-policy", "corrections"]:
        assert f"http://testserver/{slug}/" in locations


@pytest.mark.parametrize(("url", "entry"), [("/feeds/rss/", "item"), ("/feeds/atom/", "entry")])
def test_feeds_are_valid_xml_with_only_published(client, make_article, url, entry):
    make_article("Hidden draft", published=False)
    make_article("Fresh piece")
    root = ET.fromstring(client.get(url).content)
    titles = [el.text for el in root.iter() if el.tag.endswith("title")]
    assert "Fresh piece" in titles and "Hidden draft" not in titles
    assert any(el.tag.endswith(entry) for el in root.iter())


def test_robots_names_the_sitemap(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /preview/" in text
