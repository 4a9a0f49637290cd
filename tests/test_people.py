"""People pages: who wrote and who reviewed what readers get, and nobody else."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import publishing
from articles.models import Image, Person
from tests.admin_forms import open_form
from tests.test_query_budget import CACHED_PAGE_QUERIES


def make_person(name="Ann Author", slug="ann", **fields):
    return Person.objects.create(name=name, slug=slug, **fields)


def written_by(make_article, person, title=None, **fields):
    article = make_article(title, published=False, **fields)
    article.authors.add(person)
    publishing.publish(article)
    return article


def test_person_page_shows_who_they_are_and_their_articles(client, make_article, make_image):
    photo = make_image(alt_text="Ann at her desk")
    ann = make_person(
        credentials="RD, MSc nutrition",
        bio="Ann writes about minerals.\n\nShe worked in a hospital.",
        links="https://orcid.org/0000-0001\nnot a link\njavascript:alert(1)",
        photo=photo,
    )
    article = written_by(make_article, ann, "Zinc basics")
    response = client.get("/people/ann/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ann Author</h1>" in html and "RD, MSc nutrition" in html
    assert "<p>Ann writes about minerals.</p>" in html and "She worked in a hospital." in html
    assert '<a href="https://orcid.org/0000-0001" rel="me noopener">' in html
    assert "javascript:" not in html and "not a link" not in html
    assert 'alt="Ann at her desk"' in html and 'sizes="10rem"' in html
    assert f'<a href="{article.get_absolute_url()}">Zinc basics</a>' in html
    assert "Written by Ann Author" in html


def test_reviewer_page_lists_the_articles_whose_approval_holds(client, make_article, approve):
    article = make_article("Reviewed piece", published=False)
    reviewer = approve(article, "Dr Rev", "MD").reviewer
    publishing.publish(article)
    html = client.get(reviewer.get_absolute_url()).content.decode()
    assert "Reviewed piece" in html and "Medically reviewed by Dr Rev" in html
    assert "Written by Dr Rev" not in html


def test_unknown_slug_is_404(client, db):
    assert client.get("/people/nobody/").status_code == 404
    assert client.get("/people/..%2Fadmin/").status_code == 404


def test_person_with_nothing_published_is_404(client, make_article, approve):
    make_person()
    assert client.get("/people/ann/").status_code == 404
    draft = make_article("Draft only", published=False)
    draft.authors.add(Person.objects.get(slug="ann"))
    assert client.get("/people/ann/").status_code == 404
    # An approval of a draft nobody published names its reviewer nowhere either.
    reviewer = approve(draft, "Dr Quiet").reviewer
    assert client.get(reviewer.get_absolute_url()).status_code == 404


def test_unpublished_article_takes_the_page_away(client, make_article):
    ann = make_person()
    article = written_by(make_article, ann)
    assert client.get("/people/ann/").status_code == 200
    publishing.unpublish(article)
    assert client.get("/people/ann/").status_code == 404


def test_reviewer_of_a_version_published_without_approval_is_not_public(
    client, make_article, approve
):
    """The approval was of an earlier text: what readers get now was published unreviewed,
    so neither the article nor the reviewer's page claims the review."""
    article = make_article("Changed after review", published=False)
    reviewer = approve(article, "Dr Earlier").reviewer
    article.intro = "A change the reviewer never saw."
    article.save()
    publishing.publish(article, unreviewed_reason="urgent fix")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Medically reviewed" not in html and "Dr Earlier" not in html
    assert client.get(reviewer.get_absolute_url()).status_code == 404


def test_no_draft_text_leaks_to_people_pages(client, make_article):
    ann, bob = make_person(), make_person("Bob Draftson", "bob")
    article = written_by(make_article, ann, "Published title", summary="Published summary.")
    article.title, article.summary = "Secret draft title", "Secret draft summary."
    article.save()
    article.authors.add(bob)  # on the draft's byline only
    html = client.get("/people/ann/").content.decode()
    assert "Published title" in html and "Published summary." in html
    assert "Secret" not in html and "Bob Draftson" not in html
    assert client.get("/people/bob/").status_code == 404


def test_bylines_link_to_people_pages(client, make_article):
    ann, bob = make_person(credentials="RD"), make_person("Bob Writer", "bob")
    article = make_article(published=False)
    article.authors.add(ann, bob)
    publishing.publish(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'Written by <a href="/people/ann/">Ann Author</a>, RD; ' in html
    assert '<a href="/people/bob/">Bob Writer</a>' in html
    for url in ["/people/ann/", "/people/bob/"]:
        assert client.get(url).status_code == 200


def test_person_page_queries_do_not_grow_with_articles(client, make_article, make_supplement):
    ann = make_person()
    supplement = make_supplement()

    def queries():
        client.get("/robots.txt")  # the generation's look-up for the next scheduled change
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/people/ann/").status_code == 200
        return len(captured)

    written_by(make_article, ann)
    one = queries()
    for _ in range(15):
        article = written_by(make_article, ann)
        article.supplements.add(supplement)
        publishing.publish(article)
    # generation, person, count, the page of articles, their supplements: the page cache
    # is renewed by each publish, so the page is rendered again, not read from the cache.
    assert one == queries() == 5
    assert queries() == CACHED_PAGE_QUERIES


def test_person_page_is_cached_and_follows_their_portrait(client, make_article, make_image):
    photo = make_image(alt_text="First description")
    ann = make_person(photo=photo)
    written_by(make_article, ann)
    assert 'alt="First description"' in client.get("/people/ann/").content.decode()
    photo.alt_text = "Second description"
    photo.save()
    assert 'alt="Second description"' in client.get("/people/ann/").content.decode()


def test_a_portrait_is_in_use_and_never_purged(make_image, db):
    photo = make_image()
    make_person(photo=photo)
    assert photo not in Image.objects.unused()


def test_admin_edits_a_person_with_a_photo(admin_client, make_image, make_article):
    ann = make_person()
    url = reverse("admin:articles_person_change", args=[ann.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="photo"' in html
    assert "View on site" not in html  # not public yet: nothing to view
    written_by(make_article, ann)
    assert "View on site" in admin_client.get(url).content.decode()


def test_an_undescribed_portrait_is_a_form_error(admin_client, make_image):
    ann = make_person()
    photo = make_image(alt_text="")
    url = reverse("admin:articles_person_change", args=[ann.pk])
    data = open_form(admin_client, url, form_id="person_form")
    data["photo"] = str(photo.pk)
    html = admin_client.post(url, data).content.decode()
    assert "Describe this image first" in html
    ann.refresh_from_db()
    assert ann.photo is None
