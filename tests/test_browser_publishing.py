"""Publishing in Chromium: a restore brings back words, never the publishing state or old links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def editor_page(page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Content")).to_be_visible()
    return page


def save_with_note(page, note):
    page.get_by_label("Note for the history").fill(note)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def restore_revision(page, live_server, article, note):
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    row = page.locator("#change-history tr", has_text=note)
    row.get_by_role("link", name="View and restore").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Restored the revision of")


def test_restore_keeps_the_article_live_and_revoked_links_dead(
    editor_page, browser, live_server, seed_article
):
    page = editor_page
    visitor = browser.new_context().new_page()
    article_url = f"{live_server.url}{seed_article.get_absolute_url()}"
    change_url = f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/"

    # Schedule it for tomorrow with new words: visitors lose it until then.
    page.goto(change_url)
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    page.locator("#id_published_at_0").fill(tomorrow.strftime("%Y-%m-%d"))
    page.locator("#id_intro").fill("Words written for the scheduled launch.")
    save_with_note(page, "Scheduled for tomorrow")
    assert visitor.goto(article_url).status == 404

    # Publish it now from the list.
    page.goto(f"{live_server.url}/admin/articles/article/")
    page.get_by_role("row", name=re.compile("Magnesium Glycinate for Sleep")).get_by_role(
        "checkbox"
    ).check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "“Magnesium Glycinate for Sleep” is live now (it was scheduled for"
    )
    assert visitor.goto(article_url).status == 200

    # Later words, then back to the scheduled revision: its words, and still live.
    page.goto(change_url)
    page.locator("#id_intro").fill("Words of the live article.")
    save_with_note(page, "Rewrote the intro")
    restore_revision(page, live_server, seed_article, "Scheduled for tomorrow")
    assert visitor.goto(article_url).status == 200
    expect(visitor.locator(".prose").first).to_have_text("Words written for the scheduled launch.")
    expect(visitor.locator(".preview-banner")).to_have_count(0)

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
    expect(visitor.locator(".prose").first).to_have_text("Words of the live article.")
