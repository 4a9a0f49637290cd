"""The article change form as editors meet it: in page order, sections with stable
anchors, and articles of any length the limits allow."""

import re

import pytest
from django.urls import reverse

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
    writing = ['id="id_title"', 'id="id_subtitle"', 'id="id_intro"', 'id="sections-group"',
               'id="id_conclusion"', 'id="id_supplements"', 'id="id_summary"',
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
