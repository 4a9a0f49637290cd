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


def test_an_article_of_300_sections_saves(editor_page, live_server, make_article):
    article = make_article("Very long", sections=300, published=False)
    page = editor_page
    page.goto(change_url(live_server, article), timeout=120_000)
    last = page.locator("#sections-299")
    last.locator("textarea").fill("The three hundredth section, **edited**.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully", timeout=60_000)
    assert "<strong>edited</strong>" in article.sections.last().body_html


def test_a_save_too_large_to_send_says_why_and_keeps_the_input(
    editor_page, live_server, seed_article, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 60_000
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    long_text = "Many words. " * 6_000  # 72,000 characters: more than one request may send
    body = page.locator("#id_sections-0-body")
    body.fill(long_text)
    page.get_by_role("button", name="Save and continue editing").click()
    note = page.get_by_role("alert").filter(has_text="Not saved")
    expect(note).to_contain_text("too much to send in one save")
    expect(note).to_contain_text("an article of its own")
    expect(body).to_have_value(long_text)
    assert page.url == change_url(live_server, seed_article)
    assert "Many words" not in seed_article.sections.first().body


def test_without_the_check_the_server_says_why_and_back_keeps_the_input(
    editor_page, live_server, seed_article, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 60_000
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    page.locator("#request-limits").evaluate("element => element.remove()")
    long_text = "Many words. " * 6_000
    page.locator("#id_sections-0-body").fill(long_text)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too much to send at once")
    expect(page.locator("main")).to_contain_text("Nothing was saved")
    page.go_back()
    expect(page.locator("#id_sections-0-body")).to_have_value(long_text)
