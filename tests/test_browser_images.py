"""Images in a real browser: the "Insert image" dialog by keyboard, a dropped file asked
for its alt text, and a phone fetching a rendition its screen needs with no layout shift."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Image
from tests.browser import log_in
from tests.conftest import image_bytes
from tests.test_browser_accessibility import violations
from tests.test_browser_editing import DROP_FILE

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def editor_page(page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    log_in(page, live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
    return page


def test_insert_an_upload_by_keyboard_with_its_alt_text(editor_page, tmp_path, make_image):
    page = editor_page
    make_image(alt_text="A glass of water", size=(320, 200))
    photo = tmp_path / "photo.png"
    photo.write_bytes(image_bytes((300, 200), "PNG"))
    button = page.get_by_role("button", name="Insert image into Intro")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Insert image")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Upload a file")).to_be_focused()
    expect(dialog.get_by_role("button", name="A glass of water")).to_be_visible()
    assert violations(page) == []  # axe-core, with the dialog and its library open
    dialog.get_by_label("Upload a file").set_input_files(photo)

    # No alt text: nothing is uploaded, and the dialog says what is missing.
    dialog.get_by_role("button", name="Insert").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_contain_text("Write the alt text")
    assert Image.objects.count() == 1

    dialog.get_by_label("Alt text").fill("A teal rectangle")
    dialog.get_by_label("Alt text").press("Enter")  # submits the dialog's form
    expect(dialog).to_be_hidden()
    image = Image.objects.get(alt_text="A teal rectangle")
    intro = page.locator("#id_intro")
    expect(intro).to_have_value(re.compile(rf"!\[A teal rectangle\]\(image:{image.pk}\)"))
    expect(intro).to_be_focused()  # back where the editor was writing
    expect(page.locator(".field-intro .markdownx-preview figure img")).to_have_attribute(
        "alt", "A teal rectangle"
    )


def test_pick_from_the_library_by_keyboard_and_escape_closes(editor_page, make_image):
    page = editor_page
    image = make_image(alt_text="Capsules in a jar", size=(640, 480))
    make_image(alt_text="A glass of water", size=(640, 480))
    page.get_by_role("button", name="Insert image into Conclusion").click()
    dialog = page.get_by_role("dialog", name="Insert image")
    dialog.get_by_label("Or pick from the library (search)").fill("jar")
    choice = dialog.get_by_role("button", name="Capsules in a jar")
    expect(choice).to_be_visible()
    expect(dialog.get_by_role("button", name="A glass of water")).to_have_count(0)
    choice.focus()
    page.keyboard.press("Space")
    expect(choice).to_have_attribute("aria-pressed", "true")
    expect(dialog.get_by_label("Alt text")).to_have_value("Capsules in a jar")
    dialog.get_by_role("button", name="Insert").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#id_conclusion")).to_have_value(
        re.compile(rf"!\[Capsules in a jar\]\(image:{image.pk}\)\n")
    )

    page.get_by_role("button", name="Insert image into Conclusion").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_dropped_file_is_described_before_the_article_saves(editor_page):
    page = editor_page
    page.evaluate(DROP_FILE, ["#id_intro", "photo.png", "image/png", True, ""])
    dialog = page.get_by_role("dialog", name="Describe the image you dropped")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Alt text")).to_be_focused()
    page.keyboard.type("An eight pixel square")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    image = Image.objects.get()
    assert image.alt_text == "An eight pixel square"
    expect(page.locator("#id_intro")).to_have_value(
        re.compile(rf"!\[An eight pixel square\]\(image:{image.pk}\)")
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


LAYOUT_SHIFT = """
() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) total += entry.value;
    }
  }).observe({type: "layout-shift", buffered: true});
  // Let late images and fonts land before reading the sum.
  setTimeout(() => resolve(total), 1500);
})
"""


def test_a_phone_gets_a_rendition_its_screen_needs_and_nothing_shifts(
    browser, live_server, make_image, make_article
):
    image = make_image(size=(2400, 1600), alt_text="Capsules on a table")
    article = make_article(intro=f"Before the image.\n\n![]({image.reference})\n\nAfter it.")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    fetched = []
    page.on(
        "requestfinished",
        lambda request: fetched.append(request.url) if "/media/" in request.url else None,
    )
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    img = page.locator("figure.image img")
    expect(img).to_be_visible()
    page.wait_for_function("document.querySelector('figure.image img').complete")
    css_width, chosen = img.evaluate("(img) => [img.getBoundingClientRect().width, img.currentSrc]")
    widths = {url: width for url, width in _srcset_widths(image)}
    chosen_path = "/" + chosen.split("/", 3)[3]
    assert chosen_path in widths, chosen
    assert widths[chosen_path] <= 1.25 * css_width * 2, (widths[chosen_path], css_width)
    assert widths[chosen_path] >= css_width * 2  # sharp on the phone's screen too
    assert chosen.endswith(".webp")  # Chromium takes the WebP <source>
    # Only the one rendition was fetched, never the original upload.
    assert [url for url in fetched if "/media/" in url] == [chosen]
    assert page.evaluate(LAYOUT_SHIFT) == 0
    context.close()


def _srcset_widths(image):
    for source in image.renditions["sources"]:
        yield from ((url, width) for url, width in source["srcset"])
