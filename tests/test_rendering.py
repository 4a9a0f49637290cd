"""The Markdown pipeline as readers and editors meet it: one document per article, the same
output on the page and in the live preview, limits, and one change per save."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from articles import publishing, rendering, search
from articles.models import Article, Reference, Section
from articles.signals import changes
from mgsite.page_cache import generations
from tests.admin_forms import open_form

PREVIEW = "/markdownx/markdownify/"

INTRO = """\
## Doses

Doses:
- 200 mg
  - with food

| Form | Dose |
|:-----|-----:|
| capsule | 200 mg |

~~Take it at noon.~~ See https://example.org/dose for more.

- [ ] ask a pharmacist
- [x] read the label

```python
dose_mg = 200
```

Cited [@alpha], but not in code: `[@beta]`. A note.[^a]

[^a]: The intro's note.
"""


def ids_in(html):
    return re.findall(r'\sid="([^"]+)"', html)


@pytest.fixture
def refs(db):
    Reference.objects.create(key="alpha", authors="A", title="Alpha")
    Reference.objects.create(key="beta", authors="B", title="Beta")


@pytest.fixture
def article(make_article, refs):
    article = make_article(
        "Doses", intro=INTRO, conclusion="## Doses\n\nAgain.[^z]\n\n[^z]: Last.", published=False
    )
    with changes():
        # One section's anchor is "doses": a heading "Doses" in the text must not take it.
        Section.objects.create(
            article=article,
            position=1,
            heading="Main",
            anchor="main-2",
            body="## Doses\n\nFirst [@beta].[^n]\n\n[^n]: Section one's note.",
        )
        Section.objects.create(
            article=article, position=2, heading="Toc", anchor="doses", body="Two.[^n]\n\n[^n]: 2."
        )
    publishing.publish(article)
    article.refresh_from_db()
    return article


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_lists_tables_strikethrough_tasks_links_and_code_on_the_page(client, article):
    html = page(client, article)
    # A list straight after a paragraph is a list; nesting by two spaces is kept.
    assert "<p>Doses:</p>\n<ul>\n<li>200 mg\n<ul>\n<li>with food</li>" in html
    assert '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">' in html
    assert '<th style="text-align:left">Form</th>' in html
    assert "<s>Take it at noon.</s>" in html
    assert '<a href="https://example.org/dose" rel="noopener noreferrer">' in html
    assert '<input type="checkbox" disabled aria-label="To do"> ask a pharmacist' in html
    assert '<input type="checkbox" disabled checked aria-label="Done"> read the label' in html
    assert '<pre><code class="language-python">dose_mg = 200' in html


def test_citations_number_across_the_article_and_not_in_code(client, article):
    html = page(client, article)
    assert '<sup class="citation">[<a href="#ref-1">1</a>]</sup>' in html  # alpha, intro
    assert "<code>[@beta]</code>" in html  # code stays code
    assert '<sup class="citation">[<a href="#ref-2">2</a>]</sup>' in html  # beta, section 1
    assert [c.reference.key for c in article.citations.all()] == ["alpha", "beta"]


def test_footnotes_number_across_the_article_and_look_unlike_citations(client, article):
    html = page(client, article)
    # Intro 1, section one 2, section two 3, conclusion 4: each list starts where it should.
    for n in range(1, 5):
        assert f'<sup class="footnote-ref"><a href="#fn{n}" id="fnref{n}"' in html
        assert f'<li id="fn{n}" class="footnote-item">' in html
    assert '<ol class="footnotes-list" start="2">' in html
    assert '<ol class="footnotes-list" start="4">' in html
    # Footnote markers are bare numbers; citation markers are bracketed.
    assert re.search(r'id="fnref1" rel="noopener noreferrer">1</a></sup>', html)


def test_every_id_on_the_page_is_unique(client, article):
    ids = ids_in(page(client, article))
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # Headings named like the page's own targets or sections' anchors get other ids.
    assert "main" in ids and "doses" in ids and "doses-2" in ids


def test_raw_html_cannot_take_an_id_or_fake_a_citation():
    html = rendering.render_markdown(
        '<p id="main">x</p><h2 id="dup">a</h2><h3 id="dup">b</h3>'
        '<sup class="citation"><a href="#ref-9">9</a></sup><input type="checkbox">'
    )
    assert 'id="main"' not in html
    assert html.count('id="dup"') == 1
    assert 'class="citation"' not in html
    assert "<input" not in html


def test_preview_renders_like_the_page(admin_client, refs):
    text = "A [@alpha] claim and `[@beta]`.[^1]\n\n[^1]: Note.\n\n| a |\n|---|\n| 1 |\n\n- [x] done"
    html = admin_client.post(PREVIEW, {"content": text}).content.decode()
    assert rendering.render_document([text], known_keys={"alpha", "beta"}).html[0] in html
    assert '<sup class="citation">[<a href="#ref-1">1</a>]</sup>' in html
    assert "<code>[@beta]</code>" in html
    assert 'class="table-scroll"' in html and "checked" in html and 'id="fn1"' in html


def test_preview_refuses_a_field_over_the_limit_with_a_message(admin_client):
    response = admin_client.post(PREVIEW, {"content": "x" * (rendering.MAX_FIELD_CHARS + 1)})
    assert response.status_code == 413
    assert "20,001 characters; one field may hold 20,000" in response.content.decode()


def test_a_field_over_the_limit_is_a_form_error_and_keeps_the_text(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(admin_client, url)
    long_text = "word " * (rendering.MAX_FIELD_CHARS // 5 + 1)
    data["sections-0-body"] = long_text
    response = admin_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "one field may hold 20,000" in html
    assert long_text.strip() in html  # nothing typed is lost
    seed_article.refresh_from_db()
    assert seed_article.sections.first().body != long_text


def test_an_article_over_the_limit_is_a_form_error(admin_client, seed_article, settings):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(admin_client, url)
    chunk = "word " * 3_600  # 18,000 characters: under the field limit
    for n in range(6):
        data[f"sections-{n}-body"] = chunk
    data["intro"] = data["conclusion"] = chunk
    original = rendering.MAX_ARTICLE_CHARS
    rendering.MAX_ARTICLE_CHARS = 100_000  # 8 x 18,000 is over it
    try:
        response = admin_client.post(url, data)
    finally:
        rendering.MAX_ARTICLE_CHARS = original
    assert response.status_code == 200
    assert "may hold 100,000" in response.content.decode()


def admin_save_consequences(admin_client, article, monkeypatch, **extra):
    """Renders, page-cache generations started now, and on-commit callbacks of one admin save
    of the article, its six sections and relations."""
    started, renders = [], []
    monkeypatch.setattr(generations, "content_changed", lambda: started.append(1))
    real_rerender = Article.rerender
    monkeypatch.setattr(Article, "rerender", lambda self: renders.append(1) or real_rerender(self))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data["intro"] += "\n\nMore."
    data["sections-2-body"] += " More."
    data.update(extra)
    callbacks = []
    real_on_commit = transaction.on_commit
    monkeypatch.setattr(
        transaction, "on_commit", lambda f, *a, **k: callbacks.append(f) or real_on_commit(f)
    )
    assert admin_client.post(url, data).status_code == 302
    return len(renders), len(started), len(callbacks)


def test_one_admin_save_is_one_render_and_no_page_change(admin_client, seed_article, monkeypatch):
    """A draft saved: rendered once; readers' pages are untouched."""
    assert admin_save_consequences(admin_client, seed_article, monkeypatch) == (1, 0, 0)


def test_one_admin_save_and_publish_is_one_content_change(admin_client, seed_article, monkeypatch):
    """One new generation, in the save's own transaction: nothing waits for the commit."""
    renders, started, callbacks = admin_save_consequences(
        admin_client, seed_article, monkeypatch, _publish="Save and publish"
    )
    assert (renders, started, callbacks) == (1, 1, 0)


def test_bulk_delete_removes_articles_from_search(admin_client, make_article):
    doomed = [make_article(f"Zinc note {n}") for n in range(2)]
    assert len(search.search("zinc")) == 2
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    assert search.search("zinc") == []


def test_sections_made_by_a_script_render_the_article(make_article):
    article = make_article()
    Section.objects.create(article=article, heading="New", anchor="new", body="*Hi*")
    assert article.sections.get().body_html == "<p><em>Hi</em></p>"


def test_rerender_command_says_how_many_changed(make_article):
    fresh, stale = make_article(intro="*a*"), make_article(intro="*b*")
    Article.objects.filter(pk=stale.pk).update(intro_html="<p>old pipeline</p>")
    out = StringIO()
    call_command("rerender", stdout=out)
    total = Article.objects.count()  # the seed article too
    assert f"Rendered {total} article(s) again: 1 changed." in out.getvalue()
    stale.refresh_from_db()
    assert stale.intro_html == "<p><em>b</em></p>"
    fresh.refresh_from_db()
    assert fresh.intro_html == "<p><em>a</em></p>"


DEEP = "".join("  " * level + "- level\n" for level in range(35)) + "\n## After\n\nText after."


def test_deep_lists_keep_what_follows_them():
    assert "Text after." in rendering.render_markdown(
        "".join("  " * level + "- level\n" for level in range(25)) + "\nText after."
    )


def test_nesting_deeper_than_the_renderer_reads_is_a_form_error(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(admin_client, url)
    data["intro"] = DEEP
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "nests lists or quotes too deeply" in response.content.decode()
    preview = admin_client.post(PREVIEW, {"content": DEEP}).content.decode()
    assert "nest too deeply here" in preview


def test_placeholder_characters_typed_as_entities_forge_nothing():
    html = rendering.render_markdown("text &#xE000;1&#xE001; ![&#xE002;x](y) &#xE003;", {"a"})
    assert "citation" not in html and "<input" not in html
    assert rendering.to_plain_text("<p>&#xE000;zinc&#xE001;</p>") == "zinc"
