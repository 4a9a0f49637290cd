"""Writing an article in page order, in Chromium: the form's order, moving sections by
drag and by keyboard, long articles, over-limit saves, and content checks while typing."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def editor_page(page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    return log_in(page, live_server, "editor", PASSWORD)


def change_url(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def test_the_form_reads_top_down_in_page_order(editor_page, live_server, seed_article):
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    tops = {
        name: page.locator(selector).first.bounding_box()["y"]
        for name, selector in [
            ("title", "#id_title"),
            ("subtitle", "#id_subtitle"),
            ("intro", ".field-intro"),
            ("first section", "#sections-0"),
            ("last section", "#sections-5"),
            ("conclusion", ".field-conclusion"),
            ("publishing", "summary:has-text('Publishing')"),
            ("saving", "#id_revision_note"),
        ]
    }
    assert list(tops) == sorted(tops, key=tops.get)
    # Publishing, review schedule, search engines and old addresses start folded.
    for hidden in ["#id_publish_at_0", "#id_next_review_due", "#id_summary", "#id_slug"]:
        expect(page.locator(hidden)).to_be_hidden()
