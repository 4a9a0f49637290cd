"""Two editors in two browsers on one article: the later save is refused, no word is lost."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = pytest.mark.browser


def logged_in_page(browser, live_server, username, password):
    return log_in(browser.new_context().new_page(), live_server, username, password)


def test_two_browsers_edit_at_once_and_nothing_is_lost(
    browser, live_server, django_user_model, seed_article
):
    for name in ["alice", "bea"]:
        django_user_model.objects.create_superuser(name, "", f"{name}-long-password")
    alice = logged_in_page(browser, live_server, "alice", "alice-long-password")
    bea = logged_in_page(browser, live_server, "bea", "bea-long-password")
    url = f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/"
    alice.goto(url)
    bea.goto(url)

    alice.locator("#id_sections-0-body").fill("Alice rewrote the first section.")
    alice.get_by_role("button", name="Save and continue editing").click()
    expect(alice.locator(".messagelist")).to_contain_text("was changed successfully")

    bea.locator("#id_sections-0-body").fill("Bea rewrote it differently.")
    bea.get_by_role("button", name="Save and continue editing").click()
    expect(bea.locator(".errornote, .errorlist").first).to_be_visible()
    expect(bea.get_by_text("alice saved this article on")).to_be_visible()
    expect(
        bea.get_by_role("heading", name="What alice changed since you opened this form")
    ).to_be_visible()
    conflict = bea.locator(".edit-conflict")
    expect(conflict).to_contain_text("Section “Relaxation and Stress Reduction:”: changed")
    expect(conflict.locator("ins").first).to_contain_text("Alice rewrote")
    # Only what Alice changed: her browser's line endings are not a change.
    expect(conflict.locator("caption")).to_have_count(1)
    # Bea's words are still in her editor, ready to merge.
    expect(bea.locator("#id_sections-0-body")).to_have_value("Bea rewrote it differently.")

    seed_article.refresh_from_db()
    assert seed_article.sections.first().body == "Alice rewrote the first section."

    # Bea merges both texts, chooses to replace Alice's and publishes: now it goes through.
    bea.locator("#id_sections-0-body").fill(
        "Alice rewrote the first section. Bea rewrote it differently."
    )
    bea.get_by_label("Replace their changes").check()
    bea.get_by_role("button", name="Save and publish").click()
    expect(bea.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(bea.locator(".messagelist")).to_contain_text("is live now")
    public = alice.context.new_page()
    public.goto(f"{live_server.url}{seed_article.get_absolute_url()}")
    expect(public.locator("#relaxation-and-stress-reduction + p")).to_have_text(
        "Alice rewrote the first section. Bea rewrote it differently."
    )
