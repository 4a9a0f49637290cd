"""Draft and live in Chromium: an editor changes a live article, saves, previews, publishes.

Readers (a second browser context, no session) see nothing of the draft until the publish;
then the page, search and the feed show it on the next request.
"""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, open_fieldset

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"
NEW_WORDS = "Zanzibarish magnesium timing"


def test_save_keeps_readers_on_the_live_version_until_publish(
    browser, live_server, django_user_model, seed_article
):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    editor = log_in(browser.new_context().new_page(), live_server, "editor", PASSWORD)

    reader = browser.new_context().new_page()
    article_url = f"{live_server.url}{seed_article.get_absolute_url()}"
    search_url = f"{live_server.url}/search/?q=zanzibarish"
    feed_url = f"{live_server.url}/feeds/rss/"

    def reader_sees(url, text):
        reader.goto(url)
        return text in reader.content()

    assert reader_sees(article_url, "Magnesium Glycinate for Sleep")

    # The editor changes the live article and saves: a draft.
    editor.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
    editor.locator("#id_subtitle").fill(NEW_WORDS)
    open_fieldset(editor, "Search engines and address")
    editor.locator("#id_summary").fill(f"{NEW_WORDS}: the summary lists and feeds show.")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

    assert not reader_sees(article_url, NEW_WORDS)
    assert not reader_sees(search_url, "Magnesium Glycinate for Sleep")
    assert not reader_sees(feed_url, NEW_WORDS)

    # The change form says readers get something else, and what publishing would change.
    editor.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
    expect(editor.locator(".publishing-state")).to_contain_text("Live, with changes")
    editor.get_by_text("What publishing would change for readers").click()
    expect(editor.locator(".against-live ins").first).to_have_text(NEW_WORDS)

    # Its preview shows the change, marked as a preview.
    editor.get_by_role("link", name="Preview the draft").click()
    expect(editor.locator(".subtitle")).to_have_text(NEW_WORDS)
    expect(editor.locator(".preview-banner")).to_contain_text("Preview of the draft")

    # Publish: readers get it on their next request, in search and the feed too.
    editor.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".messagelist")).to_contain_text("is live now")
    assert reader_sees(article_url, NEW_WORDS)
    assert reader_sees(search_url, "Magnesium Glycinate for Sleep")
    assert reader_sees(feed_url, NEW_WORDS)
