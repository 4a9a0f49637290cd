"""The article page's queries do not grow with its sections or related articles."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_article_queries_same_for_1_and_50_sections(client, make_article):
    small = make_article(sections=1)
    large = make_article(sections=50)
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )


def test_article_queries_same_for_0_and_10_related(
    client, make_article, django_assert_max_num_queries
):
    lonely = make_article(sections=3)
    connected = make_article(sections=3)
    connected.related.add(*[make_article() for _ in range(10)])
    baseline = count_queries(client, lonely.get_absolute_url())
    assert count_queries(client, connected.get_absolute_url()) == baseline
    # Article + author, sections, supplements, related.
    with django_assert_max_num_queries(4):
        client.get(connected.get_absolute_url())


def test_home_queries_do_not_grow_with_articles(client, make_article, make_supplement):
    supplement = make_supplement()
    make_article().supplements.add(supplement)
    few = count_queries(client, "/")
    for _ in range(8):
        make_article().supplements.add(supplement)
    assert count_queries(client, "/") == few
