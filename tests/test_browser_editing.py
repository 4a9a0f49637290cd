"""An editor's day in a real browser: Chromium through Playwright against live_server."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, open_fieldset

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def editor_page(page, live_server, django_user_model, seed_article):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    return log_in(page, live_server, "editor", PASSWORD)


def rendered_previews(page):
    """Markdown previews that markdownx has filled, outside Django's hidden template row."""
    return page.locator(".markdownx-preview:not(.empty-form .markdownx-preview):not(:empty)")


def test_add_section_with_live_preview_and_publish_related_article(
    editor_page, live_server, seed_article
):
    page = editor_page
    magnesium = seed_article
    page.goto(f"{live_server.url}/admin/articles/article/{magnesium.pk}/change/")

    # Intro, conclusion and six sections: eight editors, each with a working preview.
    expect(rendered_previews(page)).to_have_count(8)

    page.get_by_role("button", name="Add another Section").click()
    row = page.locator("#sections-6")
    row.get_by_label("Heading").press_sequentially("Taking It With Melatonin")
    row.locator("textarea").fill("Some readers take it **together** with melatonin.")

    # The new row's preview renders through the staff-only, sanitised endpoint.
    expect(row.locator(".markdownx-preview strong")).to_have_text("together")
    expect(rendered_previews(page)).to_have_count(9)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".publishing-state")).to_contain_text("Live, with changes")

    # Saved in the draft: its preview has the section, readers' page does not yet.
    page.get_by_role("link", name="Preview the draft").click()
    expect(page.locator(".preview-banner")).to_be_visible()
    new_heading = page.get_by_role("heading", level=2, name="Taking It With Melatonin")
    expect(new_heading).to_be_visible()
    anonymous = page.context.browser.new_context().new_page()
    anonymous.goto(f"{live_server.url}{magnesium.get_absolute_url()}")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(magnesium.title)
    expect(anonymous.get_by_role("heading", name="Taking It With Melatonin")).to_have_count(0)

    page.go_back()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("is live now")
    anonymous.reload()
    new_heading = anonymous.get_by_role("heading", level=2, name="Taking It With Melatonin")
    expect(new_heading).to_be_visible()
    expect(anonymous.locator("#taking-it-with-melatonin + p strong")).to_have_text("together")
    anonymous.context.close()

    # A new supplement article, related to the magnesium one and published.
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.get_by_label("Title:", exact=True).press_sequentially("Glycine for Sleep")
    open_fieldset(page, "Search engines and address")
    expect(page.get_by_label("Slug")).to_have_value("glycine-for-sleep")
    page.get_by_label("Summary").fill("What the amino acid glycine may do for sleep.")
    page.locator(".field-related .select2-search__field").press_sequentially("Magnesium")
    page.locator(".select2-results__option", has_text="Magnesium Glycinate for Sleep").click()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".messagelist")).to_contain_text("is live now")

    # Follow the related link from one article to the other and back.
    page.goto(f"{live_server.url}/articles/glycine-for-sleep/")
    related = page.get_by_role("complementary", name="Related supplement articles")
    related.get_by_role("link", name="Magnesium Glycinate for Sleep").click()
    expect(page).to_have_url(re.compile(r"/articles/magnesium-glycinate-for-sleep/$"))
    related = page.get_by_role("complementary", name="Related supplement articles")
    related.get_by_role("link", name="Glycine for Sleep").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glycine for Sleep")


DROP_FILE = """
async ([selector, name, type, makePng, text]) => {
  const editor = document.querySelector(selector);
  let blob = new Blob([text], {type});
  if (makePng) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 8;
    blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], name, {type}));
  editor.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}
"""


def test_image_upload_in_the_editor_and_a_refused_file(editor_page, live_server, seed_article):
    page = editor_page
    magnesium = seed_article
    page.goto(f"{live_server.url}/admin/articles/article/{magnesium.pk}/change/")
    intro = page.locator("#id_intro")
    original = intro.input_value()

    # A page pretending to be a GIF: refused, with the server's reason shown, text untouched.
    page.evaluate(DROP_FILE, ["#id_intro", "evil.gif", "image/gif", False, "<script>x</script>"])
    expect(page.locator(".field-intro .markdownx-upload-errors")).to_contain_text(
        "not an image we can read"
    )
    expect(intro).to_have_value(original)

    # A real PNG: stored under a random name and inserted as Markdown; the error goes away.
    page.evaluate(DROP_FILE, ["#id_intro", "photo.png", "image/png", True, ""])
    expect(intro).to_have_value(re.compile(r"!\[\]\(image:\d+\)"))
    expect(page.locator(".field-intro .markdownx-upload-errors")).to_have_count(0)
    expect(page.locator(".field-intro .markdownx-preview img")).to_have_count(1)
