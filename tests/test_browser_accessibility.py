"""Accessibility and page quality in Chromium: axe-core, keyboard, print, screenshots."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles import publishing
from articles.models import Person, Reference
from tests.browser import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def site(seed_article, make_supplement, make_article, make_image):
    person = Person.objects.create(
        name="Jane Smith",
        slug="jane-smith",
        credentials="RD",
        bio="Writes about minerals.",
        links="https://orcid.org/0000-0002-1825-0097",
        photo=make_image(size=(400, 500), alt_text="Jane Smith"),
    )
    written = make_article(
        "Zinc and sleep", key_takeaways="One point.\nAnother point.", published=False
    )
    written.authors.add(person)
    publishing.publish(written)
    return {
        "home": "/",
        "article": seed_article.get_absolute_url(),
        "article-with-author": written.get_absolute_url(),
        "person": person.get_absolute_url(),
        "about": "/about/",
        "supplement": seed_article.supplements.get().get_absolute_url(),
        "supplements": "/supplements/",
        "search": "/search/?q=magnesium+sleep",
        "404": "/articles/no-such-article/",
    }


def violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_public_pages_have_no_axe_violations(browser, live_server, site, scheme, viewport):
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    page = context.new_page()
    found = {}
    for name, path in site.items():
        page.goto(f"{live_server.url}{path}")
        if problems := violations(page):
            found[name] = problems
    context.close()
    assert found == {}


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [(DESKTOP, "light"), (PHONE, "light"), (DESKTOP, "dark")],
    ids=["desktop", "phone", "desktop-dark"],
)
def test_admin_change_form_has_no_axe_violations(
    page, live_server, django_user_model, seed_article, viewport, scheme
):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    django_user_model.objects.create_superuser("editor", "", PASSWORD)
    log_in(page, live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/")
    expect(page.locator(".markdownx-preview:not(:empty)").first).to_be_visible()
    assert violations(page) == []


def test_keyboard_reaches_skip_link_and_contents(page, live_server, seed_article):
    page.goto(f"{live_server.url}{seed_article.get_absolute_url()}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    # From the main content, Tab reaches the table of contents' first link.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.toc') !== null"):
            break
    expect(page.locator(".toc a").first).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#relaxation-and-stress-reduction")


def test_one_h1_no_skipped_levels_and_landmarks(page, live_server, seed_article):
    page.goto(f"{live_server.url}{seed_article.get_absolute_url()}")
    levels = page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1]))"
    )
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    for role in ["banner", "main", "contentinfo", "navigation", "search"]:
        expect(page.get_by_role(role).first).to_be_attached()


def test_print_shows_the_article_and_references_without_navigation(page, live_server, make_article):
    Reference.objects.create(key="p1", authors="Printer A", title="A printed source")
    article = make_article(
        "Printable",
        intro="A claim [@p1].",
        key_takeaways="A point to take away.",
        sections=2,
        published=False,
    )
    article.related.add(make_article("Another"))
    publishing.publish(article)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.emulate_media(media="print")
    for hidden in [".site-header", ".site-footer", ".toc", ".related"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", name="References")).to_be_visible()
    expect(page.get_by_text("A printed source")).to_be_visible()
    # Who wrote it, when, on how many sources: on paper too.
    expect(page.locator(".trust")).to_be_visible()
    expect(page.locator(".trust")).to_contain_text("1 source cited")
    expect(page.get_by_text("A point to take away.")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "article-print.pdf"))


def test_screenshots_of_the_article_page(browser, live_server, seed_article):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(f"{live_server.url}{seed_article.get_absolute_url()}")
        path = SCREENSHOTS / f"article-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        context.close()
        assert path.stat().st_size > 10_000
