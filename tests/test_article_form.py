"""The article change form as editors meet it: in page order, sections with stable
anchors, and articles of any length the limits allow."""

import re

import pytest
from django.urls import reverse

from articles import rendering
from articles.models import Section
from tests.admin_forms import open_form


@pytest.fixture
def change_url(seed_article):
    return reverse("admin:articles_article_change", args=[seed_article.pk])


def _positions(html, markers):
    found = {marker: html.find(marker) for marker in markers}
    assert all(at >= 0 for at in found.values()), found
    return sorted(markers, key=found.get)


def test_change_form_reads_in_page_order(admin_client, change_url):
    html = admin_client.get(change_url).content.decode()
    writing = ['id="id_title"', 'id="id_subtitle"', 'id="id_intro"', 'id="id_key_takeaways"',
               'id="sections-group"', 'id="id_conclusion"', 'id="id_supplements"',
               'id="id_summary"',
               'id="id_publish_at_0"', 'id="id_next_review_due"', 'id="id_take_over_address"',
               'id="updates-group"', 'id="id_revision_note"']  # fmt: skip
    assert _positions(html, writing) == writing


@pytest.mark.parametrize(
    "field",
    ["id_summary", "id_slug", "id_publish_at_0", "id_next_review_due", "id_take_over_address"],
)
def test_rarely_used_fields_are_in_collapsed_fieldsets(admin_client, change_url, field):
    html = admin_client.get(change_url).content.decode()
    before = html[: html.index(f'id="{field}"')]
    # Inside a <details> that is still open in the markup (not yet closed).
    assert before.rfind("<details") > before.rfind("</details>")


def test_add_form_is_in_page_order_too(admin_client):
    html = admin_client.get(reverse("admin:articles_article_add")).content.decode()
    order = ['id="id_title"', 'id="id_intro"', 'id="sections-group"', 'id="id_conclusion"']
    assert _positions(html, order) == order


def test_a_field_error_opens_its_collapsed_fieldset(admin_client, change_url, make_article):
    taken = make_article(slug="taken")
    data = open_form(admin_client, change_url)
    data["slug"] = taken.slug
    html = admin_client.post(change_url, data).content.decode()
    before = html[: html.index('id="id_slug"')]
    assert "is the address of" in html
    assert not re.search(r"<details[^>]*>\s*<summary>\s*<h2[^>]*>Search engines", before)


# Anchors: made once from the heading, then kept; unique in the article; folded away.


def _new_section(data, index, heading, body="Text.", **fields):
    data.update(
        {
            "sections-TOTAL_FORMS": str(index + 1),
            f"sections-{index}-heading": heading,
            f"sections-{index}-body": body,
            **{f"sections-{index}-{name}": value for name, value in fields.items()},
        }
    )


def test_a_new_section_gets_its_anchor_from_its_heading(admin_client, seed_article, change_url):
    data = open_form(admin_client, change_url)
    _new_section(data, 6, "Taking It With Melatonin")
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert seed_article.sections.get(heading="Taking It With Melatonin").anchor == (
        "taking-it-with-melatonin"
    )


def test_new_sections_with_one_heading_get_anchors_of_their_own(
    admin_client, seed_article, change_url
):
    data = open_form(admin_client, change_url)
    existing = seed_article.sections.first()
    _new_section(data, 6, existing.heading)
    _new_section(data, 7, existing.heading)
    assert admin_client.post(change_url, data).status_code == 302
    anchors = list(seed_article.sections.filter(heading=existing.heading).values_list("anchor"))
    assert sorted(a for (a,) in anchors) == sorted(
        [existing.anchor, f"{existing.anchor}-2", f"{existing.anchor}-3"]
    )


@pytest.mark.parametrize(
    "heading, anchor",
    [("Notes", "notes-2"), ("Ref 1", "ref-1-2"), ("???", "section"), ("Content", "content-2")],
)
def test_an_anchor_never_takes_an_id_the_page_uses(
    admin_client, seed_article, change_url, heading, anchor
):
    data = open_form(admin_client, change_url)
    _new_section(data, 6, heading)
    assert admin_client.post(change_url, data).status_code == 302
    assert seed_article.sections.get(heading=heading).anchor == anchor


def test_rewording_a_heading_keeps_its_anchor(admin_client, seed_article, change_url):
    section = seed_article.sections.first()
    data = open_form(admin_client, change_url)
    data["sections-0-heading"] = "A Better Heading"
    assert admin_client.post(change_url, data).status_code == 302
    section.refresh_from_db()
    assert (section.heading, section.anchor) == (
        "A Better Heading",
        "relaxation-and-stress-reduction",
    )


def test_an_editor_may_change_an_anchor_and_its_link_follows(
    admin_client, seed_article, change_url
):
    data = open_form(admin_client, change_url)
    data["sections-0-anchor"] = "calm"
    assert admin_client.post(change_url, data).status_code == 302
    assert seed_article.sections.first().get_absolute_url().endswith("#calm")


def test_a_typed_anchor_another_section_has_is_a_clear_error(
    admin_client, seed_article, change_url
):
    first, second = seed_article.sections.all()[:2]
    data = open_form(admin_client, change_url)
    data["sections-1-anchor"] = first.anchor
    data["title"] = "Changed title"
    response = admin_client.post(change_url, data)
    assert response.status_code == 200
    assert f"“{first.heading}”, already has the link #{first.anchor}" in response.content.decode()
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"


def test_a_typed_anchor_the_page_uses_is_a_clear_error(admin_client, change_url):
    data = open_form(admin_client, change_url)
    data["sections-0-anchor"] = "references-heading"
    html = admin_client.post(change_url, data).content.decode()
    assert "#references-heading is a link the page itself uses" in html


def test_swapping_two_anchors_in_one_save_saves(admin_client, seed_article, change_url):
    first, second = seed_article.sections.all()[:2]
    data = open_form(admin_client, change_url)
    data["sections-0-anchor"], data["sections-1-anchor"] = second.anchor, first.anchor
    assert admin_client.post(change_url, data).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.anchor, second.anchor) == (
        "regulation-of-gaba-receptors",
        "relaxation-and-stress-reduction",
    )


def test_a_deleted_sections_anchor_can_be_taken_in_the_same_save(
    admin_client, seed_article, change_url
):
    first, second = seed_article.sections.all()[:2]
    data = open_form(admin_client, change_url)
    data["sections-1-DELETE"] = "on"
    data["sections-0-anchor"] = second.anchor
    assert admin_client.post(change_url, data).status_code == 302
    first.refresh_from_db()
    assert first.anchor == second.anchor


def test_the_anchor_is_folded_away_from_editors(admin_client, change_url):
    html = admin_client.get(change_url).content.decode()
    before = html[: html.index('id="id_sections-0-anchor"')]
    assert before.rfind("<details") > before.rfind("</details>")
    assert "prepopulated_field" not in html[html.index('id="sections-group"') :][:20000]


def test_a_script_adding_a_section_with_a_taken_heading_gets_a_free_anchor(make_article):
    article = make_article(sections=1)
    section = Section.objects.create(article=article, heading="Section 1", body="x")
    assert section.anchor == "section-1-2"


# Any length the limits allow: the request limits follow the article limits.


def _form_as_a_browser_sends_it(html):
    """Every field the form submits, Django's hidden template rows included."""
    start = html.index('id="article_form"')
    form = html[start : html.index("</form>", start)]
    return re.findall(r'<(?:input|textarea|select)[^>]*\sname="([^"]+)"', form)


def test_an_article_of_300_sections_saves(admin_client, make_article, settings):
    article = make_article(sections=rendering.MAX_SECTIONS, published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    html = admin_client.get(url).content.decode()
    names = [n for n in _form_as_a_browser_sends_it(html) if not n.endswith("-DELETE")]
    assert len(names) > 6 * rendering.MAX_SECTIONS
    # Even with every section marked for deletion (one more field each).
    assert len(names) + rendering.MAX_SECTIONS <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    data = open_form(admin_client, url)
    data["sections-299-body"] = "The last section, **edited**."
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "<strong>edited</strong>" in article.sections.last().body_html


def test_the_largest_article_fits_in_one_request(settings):
    # Every character as a browser may send it: four UTF-8 bytes, each as %XX.
    largest = rendering.MAX_ARTICLE_CHARS + rendering.MAX_SECTIONS * (200 + 100)
    assert largest * 12 <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_more_sections_than_an_article_may_hold_is_a_form_error(
    admin_client, make_article, monkeypatch
):
    monkeypatch.setattr(rendering, "MAX_SECTIONS", 5)
    article = make_article(sections=5, published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data.update(
        {
            "sections-TOTAL_FORMS": "6",
            "sections-5-heading": "One too many",
            "sections-5-body": "Kept in the form.",
            "sections-5-position": "6",
        }
    )
    response = admin_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The article has 6 sections; an article may hold 5." in html
    assert "Kept in the form." in html
    assert article.sections.count() == 5


def test_a_request_too_large_to_read_is_a_page_that_says_why(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post("/admin/login/", {"username": "x" * 2_000})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "300 sections" in html


def test_a_request_with_too_many_fields_is_a_page_that_says_why(admin_client, change_url, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    data = open_form(admin_client, change_url)
    response = admin_client.post(change_url, {**data, **{f"x{n}": "" for n in range(60)}})
    assert response.status_code == 413
    assert "Nothing was saved" in response.content.decode()


def test_the_change_form_tells_the_browser_the_request_limits(admin_client, change_url, settings):
    html = admin_client.get(change_url).content.decode()
    assert f'data-max-fields="{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}"' in html
    assert f'data-max-bytes="{settings.DATA_UPLOAD_MAX_MEMORY_SIZE}"' in html


# Reordering: positions from the form's order; new sections last.


def test_a_new_section_goes_last(admin_client, seed_article, change_url):
    data = open_form(admin_client, change_url)
    _new_section(data, 6, "Safety")
    assert admin_client.post(change_url, data).status_code == 302
    assert seed_article.sections.last().heading == "Safety"
    assert seed_article.sections.last().position == 7


def test_positions_are_hidden_and_saved_sections_have_move_buttons(admin_client, change_url):
    html = admin_client.get(change_url).content.decode()
    assert re.search(r'<input type="hidden" name="sections-0-position"[^>]*class="_reorder_"', html)
    row = html[html.index('id="sections-0"') : html.index('id="sections-1"')]
    assert '<button type="button" class="button" data-move="up">Move up</button>' in row
    assert '<button type="button" class="button" data-move="down">Move down</button>' in row
    template_row = html[html.index('id="sections-empty"') :]
    assert "data-move" not in template_row[: template_row.index("</fieldset>")]


def test_saving_positions_puts_the_sections_in_that_order_on_the_page(
    admin_client, seed_article, change_url
):
    headings = list(seed_article.sections.values_list("heading", flat=True))
    data = open_form(admin_client, change_url)
    for index in range(6):  # reversed
        data[f"sections-{index}-position"] = str(6 - index)
    assert admin_client.post(change_url, data).status_code == 302
    html = admin_client.get(seed_article.get_absolute_url() + "?draft").content.decode()
    assert _positions(html, headings) == headings[::-1]
