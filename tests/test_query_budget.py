"""The article page's queries do not grow with its sections, references or related articles."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import publishing
from articles.models import Reference, Section

# Any page for visitors: the content generation (mgsite.page_cache), then the page from the
# cache; that one query is all a cached page costs.
CACHED_PAGE_QUERIES = 1
# Rendering an article page: the generation, its live version (sections, references, update
# notes and author are frozen in it), its supplements, the related articles, the site
# settings (the disclaimer).
ARTICLE_PAGE_QUERIES = 5


def count_queries(client, url):
    """Queries to render `url` (not from the page cache; the generation's one look-up for
    the next scheduled change is made first, by a page that needs no database)."""
    client.get("/robots.txt")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cite_many(article, count):
    refs = [
        Reference.objects.create(key=f"ref{article.pk}x{n}", authors="A", title=f"T{n}")
        for n in range(count)
    ]
    Section.objects.create(
        article=article,
        heading="Cited",
        anchor="cited",
        body=" ".join(f"Claim [@{ref.key}]." for ref in refs),
    )


def with_supplement(article, supplement):
    article.supplements.add(supplement)
    return article


def test_article_queries_same_for_1_and_100_sections(client, make_article):
    small = make_article(sections=1)
    large = make_article(sections=100)
    assert count_queries(client, small.get_absolute_url()) == ARTICLE_PAGE_QUERIES
    assert count_queries(client, large.get_absolute_url()) == ARTICLE_PAGE_QUERIES


def test_article_queries_same_for_0_and_50_references(client, make_article):
    plain = make_article(sections=1)
    cited = make_article(sections=1)
    cite_many(cited, 50)
    publishing.publish(cited)
    assert cited.citations.count() == 50
    assert count_queries(client, plain.get_absolute_url()) == ARTICLE_PAGE_QUERIES
    assert count_queries(client, cited.get_absolute_url()) == ARTICLE_PAGE_QUERIES


def test_article_queries_same_for_0_and_20_related(client, make_article, make_supplement):
    lonely = make_article(sections=3)
    connected = make_article(sections=3)
    supplement = make_supplement()
    connected.supplements.add(supplement)
    connected.related.add(*[make_article() for _ in range(10)])
    publishing.publish(connected)
    for _ in range(10):
        mate = make_article()
        mate.supplements.add(supplement)
        publishing.publish(mate)
    assert count_queries(client, lonely.get_absolute_url()) == ARTICLE_PAGE_QUERIES
    assert count_queries(client, connected.get_absolute_url()) == ARTICLE_PAGE_QUERIES


def test_home_queries_do_not_grow_with_articles(client, make_article, make_supplement):
    supplement = make_supplement()
    publishing.publish(with_supplement(make_article(), supplement))
    few = count_queries(client, "/")
    for _ in range(8):
        publishing.publish(with_supplement(make_article(), supplement))
    assert count_queries(client, "/") == few


def test_cached_pages_cost_one_query(client, make_article, make_supplement):
    article = make_article(sections=8)
    supplement = make_supplement()
    publishing.publish(with_supplement(article, supplement))
    urls = [article.get_absolute_url(), "/", "/supplements/", supplement.get_absolute_url(),
            "/sitemap.xml", "/feeds/rss/", "/feeds/atom/"]  # fmt: skip
    for url in urls:
        client.get(url)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == CACHED_PAGE_QUERIES, url


def test_admin_change_form_queries_do_not_grow_with_sections(admin_client, make_article):
    def change_form_queries(article):
        url = reverse("admin:articles_article_change", args=[article.pk])
        admin_client.get(url)  # its first revision is made on the first visit
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    assert change_form_queries(make_article(sections=1)) == change_form_queries(
        make_article(sections=100)
    )


def test_article_queries_same_for_0_and_10_images(client, make_article, make_image):
    """Library images are frozen into the live version's HTML (renditions, sizes, alt):
    showing ten costs no query more than showing none."""
    plain = make_article(sections=1)
    images = [make_image(size=(640, 400), alt_text=f"Image {n}") for n in range(10)]
    illustrated = make_article(
        sections=1, intro="\n\n".join(f"![]({image.reference})" for image in images)
    )
    assert illustrated.image_uses.count() == 10
    assert count_queries(client, plain.get_absolute_url()) == ARTICLE_PAGE_QUERIES
    assert count_queries(client, illustrated.get_absolute_url()) == ARTICLE_PAGE_QUERIES
