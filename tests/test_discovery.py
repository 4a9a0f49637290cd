"""Related articles, the supplements index, and search: published articles only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing, rendering, search
from articles.models import Article, LiveVersion


def related_titles(article, limit=6):
    version = LiveVersion.objects.visible().get(article=article)
    return [v.title for v in LiveVersion.objects.related_to(version, limit)]


def test_related_puts_editor_choices_first_then_same_supplement_newest(
    make_article, make_supplement
):
    glycine = make_supplement("Glycine")
    now = timezone.now()
    main = make_article("Main")
    main.supplements.add(glycine)
    chosen = make_article("Chosen", published_at=now - timedelta(days=30))
    older = make_article("Older mate", published_at=now - timedelta(days=10))
    newer = make_article("Newer mate", published_at=now - timedelta(days=1))
    both = make_article("Chosen and mate", published_at=now - timedelta(days=20))
    draft = make_article("Draft mate", published=False)
    for mate in [older, newer, both, draft]:
        mate.supplements.add(glycine)
    main.related.add(chosen, both)
    # Readers get these relations once each article is published again (its first
    # publication date stays: the order below is by it).
    for article in [main, older, newer, both]:
        publishing.publish(article)
    make_article("Unrelated")

    assert related_titles(main) == ["Chosen and mate", "Chosen", "Newer mate", "Older mate"]
    assert related_titles(main, limit=3) == ["Chosen and mate", "Chosen", "Newer mate"]


def test_related_shown_on_the_page(client, make_article, make_supplement):
    supplement = make_supplement()
    main, mate = make_article("Main"), make_article("Same supplement")
    main.supplements.add(supplement)
    mate.supplements.add(supplement)
    publishing.publish(main)
    publishing.publish(mate)
    html = client.get(main.get_absolute_url()).content.decode()
    assert "Related supplement articles" in html and mate.get_absolute_url() in html


def test_supplements_index_counts_published_articles(client, make_article, make_supplement):
    melatonin = make_supplement("Melatonin")
    make_supplement("Theanine")
    for published in [True, True, False]:
        article = make_article(published=False)
        article.supplements.add(melatonin)
        if published:
            publishing.publish(article)
    # A live article whose draft gains the supplement is not counted until published.
    make_article().supplements.add(melatonin)
    html = client.get("/supplements/").content.decode()
    assert 'Melatonin</a>\n    <span class="count">2 articles</span>' in html
    assert "Theanine" not in html  # nothing published about it: not listed
    assert 'Magnesium glycinate</a>\n    <span class="count">1 article</span>' in html


@pytest.fixture
def corpus(make_article):
    # The seed article mentions glycinate and sleep too ("glycine" and "glycinate" share a
    # stem): set it aside so these tests compare only the articles made here.
    Article.objects.filter(slug="magnesium-glycinate-for-sleep").delete()
    now = timezone.now()
    return {
        "title": make_article("Glycine for sleep", summary="An amino acid at night."),
        "body": make_article("Melatonin basics", intro="Some take it with glycine at bedtime."),
        "draft": make_article("Glycine draft", published=False),
        "expired": make_article(
            "Glycine expired",
            expires_at=now - timedelta(days=1),
            published_at=now - timedelta(days=9),
        ),  # fmt: skip
        "other": make_article("L-theanine", intro="Calm focus."),
    }


def search_titles(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response, [a.title for a, _ in response.context["results"]]


def test_search_ranks_title_above_text_and_shows_published_only(client, corpus):
    _, titles = search_titles(client, "glycine")
    assert titles == ["Glycine for sleep", "Melatonin basics"]


def test_search_highlights_matches_in_snippets(client, corpus):
    response, _ = search_titles(client, "bedtime")
    assert "<mark>bedtime</mark>" in response.content.decode()


def test_search_matches_word_forms_and_needs_all_words(client, corpus):
    assert search_titles(client, "sleeping")[1] == ["Glycine for sleep"]
    assert search_titles(client, "glycine melatonin")[1] == ["Melatonin basics"]
    assert search_titles(client, "glycine zebra")[1] == []


def test_search_finds_section_text(client, seed_article):
    assert search_titles(client, "parasympathetic")[1] == ["Magnesium Glycinate for Sleep"]


@pytest.mark.parametrize(
    "query",
    ["", "   ", '"', "'", "glycine' OR 1=1 --", "AND OR NOT", "*", "NEAR(glycine", "a:b",
     "%_\\", "(((", "😴 glycine", "日本語", "ümlaut", "x" * 5000, "\x00glycine", "<script>"],
)  # fmt: skip
def test_odd_queries_give_a_page_never_an_error(client, corpus, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_is_paginated_with_a_fixed_number_of_queries(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 5
    for n in range(12):
        make_article(f"Theanine note {n}")

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", params).status_code == 200
        return len(captured)

    first = queries({"q": "theanine"})
    assert queries({"q": "theanine", "page": 3}) == first
    response = client.get("/search/", {"q": "theanine", "page": 3})
    assert len(response.context["results"]) == 2
    assert "q=theanine&amp;page=2" in response.content.decode()


def test_search_index_follows_publishing_and_deletes(client, make_article):
    article = make_article("Ashwagandha")
    assert search_titles(client, "ashwagandha")[1] == ["Ashwagandha"]
    article.title = "Rhodiola"
    article.save()  # the draft only: readers still find what is live
    assert search_titles(client, "ashwagandha")[1] == ["Ashwagandha"]
    assert search_titles(client, "rhodiola")[1] == []
    publishing.publish(article)
    assert search_titles(client, "ashwagandha")[1] == []
    assert search_titles(client, "rhodiola")[1] == ["Rhodiola"]
    publishing.unpublish(article)
    assert search_titles(client, "rhodiola")[1] == []
    publishing.publish(article)
    assert search_titles(client, "rhodiola")[1] == ["Rhodiola"]
    article.delete()
    assert search_titles(client, "rhodiola")[1] == []


def test_snippets_keep_a_heading_apart_from_its_paragraph(client, seed_article):
    """The seed's intro opens with a heading: its words used to run into the paragraph
    ("...Capsules Magnesium glycinate..."), as if one sentence."""
    response = client.get("/search/", {"q": "capsules"})
    (_, snippet), *_ = response.context["results"]
    assert "<mark>Capsules</mark> · Magnesium glycinate <mark>capsules</mark>" in snippet
    assert "Capsules</mark> Magnesium" not in snippet


def test_search_text_has_a_line_per_block(seed_article):
    """Rebuilt for what was live before (migration 0019) and made so for every new save."""
    live = seed_article.live_versions.get()
    for text in [live.search_text, seed_article.search_text]:
        assert text.startswith(
            "Magnesium Glycinate Capsules\nMagnesium glycinate capsules have garnered"
        )
        assert "\nRelaxation and Stress Reduction:\nMagnesium is known" in text


def test_plain_text_breaks_at_blocks_only():
    html = "<h2>Dose</h2>\n<p>Take\nit <em>daily</em>.</p><ul><li>One</li><li>Two</li></ul>"
    assert rendering.to_plain_text(html) == "Dose\nTake it daily.\nOne\nTwo"


def test_related_takes_the_newest_across_all_the_articles_supplements(
    make_article, make_supplement
):
    """Each supplement gives only its newest few candidates; merged, they are still the
    newest of all."""
    glycine, theanine = make_supplement("Glycine"), make_supplement("Theanine")
    now = timezone.now()
    main = make_article("Main", published=False)
    main.supplements.add(glycine, theanine)
    publishing.publish(main)
    for days, supplement in [(1, glycine), (2, theanine), (3, glycine), (4, theanine),
                             (5, glycine), (6, glycine)]:  # fmt: skip
        mate = make_article(f"{supplement.name} {days}", published_at=now - timedelta(days=days))
        mate.supplements.add(supplement)
        publishing.publish(mate)  # again, about the supplement: its first publication stays
    assert related_titles(main, limit=3) == ["Glycine 1", "Theanine 2", "Glycine 3"]
    assert related_titles(main) == [
        "Glycine 1", "Theanine 2", "Glycine 3", "Theanine 4", "Glycine 5", "Glycine 6"
    ]  # fmt: skip


def test_search_ranks_a_bounded_pool_and_says_when_there_may_be_more(
    client, make_article, monkeypatch
):
    """A common word: only the newest matches and the newest title matches are ranked (so
    the cost does not grow with the site), an older article with the word in its title
    among them; the page says there may be more rather than give a wrong count."""
    monkeypatch.setattr(search, "POOL", 3)
    make_article("Chamomile in the title", summary="An old article.")
    for n in range(6):
        make_article(f"Note {n}", intro="Chamomile tea at night.")
    response, titles = search_titles(client, "chamomile")
    assert titles[0] == "Chamomile in the title"
    assert sorted(titles[1:]) == ["Note 2", "Note 3", "Note 4", "Note 5"]  # the newest
    assert "At least 5 articles found" in response.content.decode()
    monkeypatch.setattr(search, "POOL", 10)
    response, titles = search_titles(client, "chamomile")
    assert len(titles) == 7 and "7 articles found." in response.content.decode()
