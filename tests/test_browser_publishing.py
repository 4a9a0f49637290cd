"""Publishing in Chromium: scheduling keeps readers on the live version until the go-live
time; a restore brings back words into the draft only, never to readers or old links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import log_in, open_fieldset

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def editor_page(page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    return log_in(page, live_server, "editor", PASSWORD)


def save_with_note(page, note, button="Save and continue editing"):
    page.get_by_label("Note for the history").fill(note)
    page.get_by_role("button", name=button).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def restore_revision(page, live_server, article, note):
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    row = page.locator("#change-history tr", has_text=note)
    row.get_by_role("link", name="View and restore").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Restored the revision of")


def test_scheduling_and_restores_leave_readers_what_was_published(
    editor_page, browser, live_server, seed_article
):
    page = editor_page
    visitor = browser.new_context().new_page()
    article_url = f"{live_server.url}{seed_article.get_absolute_url()}"
    change_url = f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/"
    visitor.goto(article_url)
    first_words = visitor.locator(".prose").first.inner_text()

    # Schedule new words for tomorrow: visitors keep the live version until then.
    page.goto(change_url)
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    open_fieldset(page, "Publishing")
    page.locator("#id_publish_at_0").fill(tomorrow.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill(tomorrow.strftime("%H:%M:%S"))
    page.locator("#id_intro").fill("Words written for the scheduled launch.")
    save_with_note(page, "Scheduled for tomorrow", button="Save and publish")
    expect(page.locator(".messagelist")).to_contain_text("is scheduled to go live")
    assert visitor.goto(article_url).status == 200
    expect(visitor.locator(".prose").first).to_have_text(first_words)

    # Publish it now from the list.
    page.goto(f"{live_server.url}/admin/articles/article/")
    page.get_by_role("row", name=re.compile("Magnesium Glycinate for Sleep")).get_by_role(
        "checkbox"
    ).check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "“Magnesium Glycinate for Sleep” is live now"
    )
    assert visitor.goto(article_url).status == 200
    expect(visitor.locator(".prose").first).to_have_text("Words written for the scheduled launch.")

    # Later words, published; then back to the scheduled revision: into the draft only.
    page.goto(change_url)
    page.locator("#id_intro").fill("Words of the live article.")
    save_with_note(page, "Rewrote the intro", button="Save and publish")
    restore_revision(page, live_server, seed_article, "Scheduled for tomorrow")
    assert visitor.goto(article_url).status == 200
    expect(visitor.locator(".prose").first).to_have_text("Words of the live article.")
    expect(visitor.locator(".preview-banner")).to_have_count(0)
    page.goto(change_url)
    expect(page.locator(".publishing-state")).to_contain_text("Live, with changes")
    expect(page.locator(".publishing-state")).not_to_contain_text("is scheduled for")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("is live now")
    visitor.goto(article_url)
    expect(visitor.locator(".prose").first).to_have_text("Words written for the scheduled launch.")

    # Share a link, revoke it, restore an older revision: the link stays dead.
    page.goto(change_url)
    page.get_by_role("button", name="Share preview").click()
    link = page.locator(".messagelist a[href*='/preview/']").get_attribute("href")
    assert visitor.goto(link).status == 200
    page.get_by_role("button", name="Revoke preview links").click()
    expect(page.locator(".messagelist")).to_contain_text("is revoked")
    assert visitor.goto(link).status == 404
    restore_revision(page, live_server, seed_article, "Rewrote the intro")
    assert visitor.goto(link).status == 404
    assert visitor.goto(article_url).status == 200
    expect(visitor.locator(".prose").first).to_have_text("Words written for the scheduled launch.")
