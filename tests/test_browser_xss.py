"""XSS in a real browser: every payload through every Markdown field, on the public page and
in the admin's live preview. Nothing may run: no dialog, no handler, no script element."""

import pytest
from playwright.sync_api import expect

from articles import previews, publishing
from articles.models import Section, SiteSettings
from tests.browser import log_in
from tests.test_markdown import XSS_PAYLOADS

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-test-password"

FIND_EXECUTABLE = """
(selector) => {
  const bad = [];
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"];
  const tags = ["SCRIPT", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "STYLE", "FORM", "INPUT",
                "BASE", "META", "LINK", "BODY", "DETAILS"];
  for (const element of document.querySelectorAll(selector)) {
    if (tags.includes(element.tagName.toUpperCase())) bad.push(element.tagName);
    for (const attribute of element.attributes) {
      const value = attribute.value.replace(/[\\t\\n\\r]/g, "").trim().toLowerCase();
      if (attribute.name.startsWith("on")) bad.push(`${element.tagName}[${attribute.name}]`);
      if (urlAttributes.includes(attribute.name) && /^(javascript|data|vbscript):/.test(value)) {
        bad.push(`${element.tagName}[${attribute.name}=${value.slice(0, 30)}]`);
      }
    }
  }
  return bad;
}
"""


@pytest.fixture
def hostile_article(make_article):
    everything = "\n\n".join(XSS_PAYLOADS)
    article = make_article(
        "Hostile input", intro=everything, conclusion=everything, published=False
    )
    for position, payload in enumerate(XSS_PAYLOADS, start=1):
        Section.objects.create(
            article=article, position=position, heading=f"Payload {position}",
            anchor=f"payload-{position}", body=payload,
        )  # fmt: skip
    settings_row = SiteSettings.load()
    settings_row.disclaimer = everything
    settings_row.save()
    publishing.publish(article)
    return article


def watch(page):
    """Dialogs opened and CSP violations reported while the page is open."""
    seen = {"dialogs": [], "csp": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and seen["csp"].append(message.text)
        ),
    )
    return seen


@pytest.mark.parametrize("shown", ["live", "share preview"])
def test_nothing_runs_on_the_public_page(page, live_server, hostile_article, shown):
    assert len(XSS_PAYLOADS) >= 30
    seen = watch(page)
    if shown == "live":
        path = hostile_article.get_absolute_url()
    else:  # the draft, for anyone with the link
        path = previews.preview_url(hostile_article)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=2, name="Payload 30")).to_be_visible()
    page.mouse.move(200, 300)  # hover handlers, if any had survived
    page.wait_for_timeout(300)
    assert page.evaluate(FIND_EXECUTABLE, "main *") == []
    assert seen == {"dialogs": [], "csp": []}


def test_nothing_runs_in_the_admin_live_preview(
    page, live_server, django_user_model, hostile_article
):
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    seen = watch(page)
    log_in(page, live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{hostile_article.pk}/change/")
    previews = page.locator(".markdownx-preview:not(.empty-form .markdownx-preview):not(:empty)")
    # Intro, conclusion and every section's preview, rendered by the server's sanitiser.
    expect(previews).to_have_count(2 + len(XSS_PAYLOADS), timeout=20_000)
    page.mouse.move(300, 400)
    page.wait_for_timeout(300)
    assert page.evaluate(FIND_EXECUTABLE, ".markdownx-preview *") == []

    page.goto(f"{live_server.url}/admin/articles/sitesettings/1/change/")
    expect(page.locator(".markdownx-preview:not(:empty)")).to_have_count(1)
    assert page.evaluate(FIND_EXECUTABLE, ".markdownx-preview *") == []
    assert seen == {"dialogs": [], "csp": []}
