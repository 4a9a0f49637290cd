"""Nothing lost and the whole page as you type, in Chromium: the live preview panel, the
question before leaving, autosaved text brought back after a reload."""

import time

import pytest
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article, Autosave
from tests.browser import log_in
from tests.test_browser_accessibility import DESKTOP, PHONE, violations

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def change_form(new_page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)

    def open_form(viewport=DESKTOP):
        page = new_page(viewport=viewport)
        log_in(page, live_server, "editor", PASSWORD)
        page.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
        expect(page.locator(".markdownx-preview:not(:empty)").first).to_be_visible()
        return page

    return open_form


def preview(page):
    return page.frame_locator(".live-preview iframe")


def test_the_panel_shows_an_unsaved_change_within_a_second(change_form, seed_article):
    page = change_form()
    page.get_by_role("button", name="Show live preview").click()
    expect(preview(page).get_by_role("heading", level=1)).to_have_text(seed_article.title)
    page.get_by_label("Title:", exact=True).fill("Magnesium, Seen Before Saving")
    typed = time.monotonic()
    expect(preview(page).get_by_role("heading", level=1)).to_have_text(
        "Magnesium, Seen Before Saving", timeout=1000
    )
    assert time.monotonic() - typed < 1.0
    expect(preview(page).locator(".preview-banner")).to_contain_text("unsaved changes")
    # Phone width: the page as a 390 px phone gets it.
    page.get_by_role("button", name="Phone width").click()
    assert page.locator(".live-preview iframe").bounding_box()["width"] == 390
    assert Article.objects.get(pk=seed_article.pk).title == seed_article.title  # not saved


def test_closing_the_tab_with_unsaved_text_asks_first(change_form, seed_article):
    page = change_form()
    dialogs = []

    def keep_the_page(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", keep_the_page)
    page.get_by_label("Subtitle:").fill("Typed and not saved")
    page.close(run_before_unload=True)
    expect(page.get_by_label("Subtitle:")).to_have_value("Typed and not saved")
    assert dialogs == ["beforeunload"]


def test_saved_text_leaves_without_a_question(change_form):
    page = change_form()
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.accept())
    page.get_by_label("Subtitle:").fill("Typed and saved")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.close(run_before_unload=True)
    assert dialogs == []


def test_autosaved_text_comes_back_after_a_reload_without_a_revision(change_form, seed_article):
    page = change_form()
    revisions = Version.objects.count()
    body = page.locator("#sections-1 textarea")
    body.fill("Kept by autosave, though the browser went away.")
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    assert Version.objects.count() == revisions  # no revision, and the draft as it was
    assert "Kept by autosave" not in Article.objects.get(pk=seed_article.pk).sections.all()[1].body
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()  # as after a crash: the form shows the draft again
    expect(page.locator("#sections-1 textarea")).not_to_have_value(
        "Kept by autosave, though the browser went away."
    )
    offer = page.get_by_role("status").filter(has_text="You have unsaved changes")
    expect(offer).to_be_visible()
    page.get_by_role("button", name="Bring them back").click()
    expect(page.locator("#sections-1 textarea")).to_have_value(
        "Kept by autosave, though the browser went away."
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Article.objects.get(pk=seed_article.pk).sections.all()[1].body
    assert saved == "Kept by autosave, though the browser went away."
    assert not Autosave.objects.exists()


def test_kept_text_can_be_discarded(change_form):
    page = change_form()
    page.get_by_label("Subtitle:").fill("Not wanted after all")
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.get_by_role("button", name="Discard them").click()
    expect(page.locator(".autosave-status")).to_contain_text("discarded")
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_form_with_the_panel_open_has_no_axe_violations(change_form, seed_article, viewport):
    page = change_form(viewport)
    page.get_by_role("button", name="Show live preview").click()
    expect(preview(page).get_by_role("heading", level=1)).to_have_text(seed_article.title)
    assert violations(page) == []


# Found by an independent probe of the merged change form -------------------------------


def test_enter_in_the_title_saves_the_article_not_a_review_comment(change_form, seed_article):
    page = change_form()
    page.get_by_label("Title:", exact=True).fill("Magnesium, Saved With Enter")
    page.get_by_label("Title:", exact=True).press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=seed_article.pk).title == "Magnesium, Saved With Enter"


def test_a_refused_save_keeps_the_text_for_later(change_form):
    """The form shown again with an error holds text saved nowhere: it is kept at once. (No
    question on leaving: Chromium asks only after the person has used the page.)"""
    page = change_form()
    page.get_by_label("Title:", exact=True).fill("")
    page.get_by_label("Subtitle:").fill("Typed before a refused save")
    page.get_by_role("button", name="Save and continue editing", exact=True).last.click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    assert Autosave.objects.get().data["subtitle"] == ["Typed before a refused save"]


def test_moving_a_section_is_a_change_kept_and_asked_about(change_form, seed_article):
    page = change_form()
    page.locator("#sections-0").get_by_role("button", name="Move down").press("Enter")
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    kept = Autosave.objects.get().data
    assert kept["sections-0-position"] == ["2"] and kept["sections-1-position"] == ["1"]


def test_kept_changes_come_back_in_their_section_order(change_form, seed_article):
    page = change_form()
    first = page.locator("#sections-group .inline-related.has_original").first
    heading = first.locator("input[name$='-heading']").input_value()
    first.get_by_role("button", name="Move down").press("Enter")
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.get_by_role("button", name="Bring them back").click()
    rows = page.locator("#sections-group .inline-related.has_original")
    expect(rows.nth(1).locator("input[name$='-heading']")).to_have_value(heading)


def test_an_offer_gone_stale_says_so(change_form, seed_article):
    page = change_form()
    page.get_by_label("Subtitle:").fill("Kept, then discarded elsewhere")
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    Autosave.objects.all().delete()  # discarded in another tab
    page.get_by_role("button", name="Bring them back").click()
    expect(page.locator(".autosave-status")).to_contain_text("Nothing was brought back")
    expect(page.get_by_label("Subtitle:")).to_have_value(seed_article.subtitle)


@pytest.mark.parametrize("width", [1280, 1600])
def test_the_panel_sits_beside_the_form_not_over_it(change_form, seed_article, width):
    page = change_form({"width": width, "height": 900})
    page.get_by_role("button", name="Show live preview").click()
    expect(preview(page).get_by_role("heading", level=1)).to_have_text(seed_article.title)
    panel = page.locator(".live-preview").bounding_box()
    intro = page.get_by_label("Intro:").bounding_box()
    assert intro["x"] + intro["width"] <= panel["x"]


def test_a_form_opened_and_left_untouched_keeps_nothing_and_asks_nothing(change_form):
    """The relation boxes start up with a "change" of their own: not the editor's."""
    page = change_form()
    page.get_by_role("heading", level=1).click()  # the page has been used: it may ask
    page.wait_for_timeout(1500)
    assert not Autosave.objects.exists()
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.accept())
    page.close(run_before_unload=True)
    assert dialogs == []


def test_choosing_a_supplement_is_a_change_kept(change_form, seed_article, make_supplement):
    make_supplement("Glycine", slug="glycine")
    page = change_form()
    page.locator("#id_supplements").locator("xpath=..").locator(".select2-selection").click()
    page.keyboard.type("Glycine")
    page.get_by_role("option", name="Glycine").click()
    expect(page.locator(".autosave-status")).to_contain_text("Unsaved changes kept at")
    assert len(Autosave.objects.get().data["supplements"]) == 2
