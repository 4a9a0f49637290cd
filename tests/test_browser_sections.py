"""Writing an article in page order, in Chromium: the form's order, moving sections by
drag and by keyboard, long articles, over-limit saves, and content checks while typing."""

import pytest
from playwright.sync_api import expect

from articles import rendering
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


def reader_headings(page, live_server, article):
    page.goto(f"{live_server.url}{article.get_absolute_url()}?draft")
    return page.locator("section.prose > h2").all_inner_texts()


def test_reorder_sections_by_keyboard_and_the_page_follows(editor_page, live_server, seed_article):
    page = editor_page
    before = reader_headings(page, live_server, seed_article)
    page.goto(change_url(live_server, seed_article))
    down = page.locator("#sections-0").get_by_role("button", name="Move down")
    down.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    expect(down).to_be_focused()
    expect(page.locator("#section-move-status")).to_have_text(
        f"“{before[0]}” moved to position 3 of 6."
    )
    up = page.locator("#sections-5").get_by_role("button", name="Move up")
    up.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    after = reader_headings(page, live_server, seed_article)
    assert after == [before[1], before[2], before[0], before[3], before[5], before[4]]


def test_reorder_sections_by_dragging_and_the_page_follows(editor_page, live_server, seed_article):
    page = editor_page
    before = reader_headings(page, live_server, seed_article)
    page.goto(change_url(live_server, seed_article))
    # SortableJS follows the mouse through the browser's own drag and drop: the second
    # section's title bar onto the first's, both in view.
    page.locator("#sections-0").evaluate("row => row.scrollIntoView()")
    source = page.locator("#sections-1 h3").bounding_box()
    target = page.locator("#sections-0 h3").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + 2, steps=20)
    page.mouse.up()
    expect(page.locator("#sections-1 input._reorder_")).to_have_value("1")
    expect(page.locator("#sections-0 input._reorder_")).to_have_value("2")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    after = reader_headings(page, live_server, seed_article)
    assert after == [before[1], before[0], *before[2:]]


def test_a_new_section_goes_last_on_the_page(editor_page, live_server, seed_article):
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    page.get_by_role("button", name="Add another Section").click()
    row = page.locator("#sections-6")
    row.get_by_label("Heading").fill("Safety")
    row.locator("textarea").fill("Ask a pharmacist.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert reader_headings(page, live_server, seed_article)[-1] == "Safety"


def test_content_checks_follow_the_typing(editor_page, live_server, seed_article):
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    panel = page.locator(".content-checks")
    expect(panel).to_contain_text("as last saved")
    expect(panel).to_contain_text("No broken internal links.")
    page.locator("#id_intro").fill("#### Too deep\n\nSee [nowhere](/articles/no-such-article/).")
    expect(panel).to_contain_text("as typed, not saved yet")
    expect(panel).to_contain_text("Broken: /articles/no-such-article/")
    expect(panel).to_contain_text("Skipped levels: h1 → h4.")
    page.locator("#id_intro").fill("Fixed.")
    expect(panel).to_contain_text("No broken internal links.")
    expect(panel).to_contain_text("No heading skips a level.")
    # Moving a section is a change too: the list of uncited sections follows the order.
    first = seed_article.sections.first().heading
    page.locator("#sections-0").get_by_role("button", name="Move down").click()
    expect(panel.locator("li", has_text="Sections cite sources")).not_to_contain_text(
        f"sections cite no reference: “{first}”"
    )
    seed_article.refresh_from_db()
    assert seed_article.intro != "Fixed."  # nothing was saved


def test_one_section_over_the_limit_is_a_form_error_that_keeps_the_input(
    editor_page, live_server, seed_article, monkeypatch
):
    monkeypatch.setattr(rendering, "MAX_SECTIONS", 6)  # the seed article has six
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    page.get_by_role("button", name="Add another Section").click()
    row = page.locator("#sections-6")
    row.get_by_label("Heading").fill("One Too Many")
    row.locator("textarea").fill("Words the editor must not lose.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "The article has 7 sections; an article may hold 6."
    )
    expect(page.locator("#sections-6 textarea")).to_have_value("Words the editor must not lose.")
    assert seed_article.sections.count() == 6


def test_on_a_phone_a_long_title_bar_runs_over_nothing(editor_page, live_server, seed_article):
    page = editor_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(change_url(live_server, seed_article))
    row = page.locator("#sections-1")
    delete = row.locator("h3 .delete").bounding_box()
    buttons = row.locator(".section-move").bounding_box()
    assert delete["y"] + delete["height"] <= buttons["y"]


def test_content_checks_follow_a_drag(editor_page, live_server, seed_article):
    first, second = seed_article.sections.values_list("heading", flat=True)[:2]
    page = editor_page
    page.goto(change_url(live_server, seed_article))
    uncited = page.locator(".content-checks li", has_text="Sections cite sources")
    expect(uncited).to_contain_text(f"“{first}”, “{second}”")
    page.locator("#sections-0").evaluate("row => row.scrollIntoView()")
    source = page.locator("#sections-1 h3").bounding_box()
    target = page.locator("#sections-0 h3").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + 2, steps=20)
    page.mouse.up()
    expect(uncited).to_contain_text(f"“{second}”, “{first}”")
    expect(page.locator(".content-checks")).to_contain_text("as typed, not saved yet")
