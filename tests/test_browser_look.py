"""How the public pages look to a reader, in Chromium at 1280 and 390 px, light and dark.

Each page is kept as a full-page screenshot under var/screenshots/ (git ignores var/) to be
looked at, and checked with axe-core. Layout promises are asserted from the DOM: nothing
wider than a phone, the search field and its button on one row at the text's edge, the
contents beside the article and in view while it scrolls, the footer at the bottom of a
short page, and the icons and manifest the pages link to answering.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from articles import publishing
from articles.models import Person
from tests.test_browser_accessibility import violations

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
HEIGHT = 900


@pytest.fixture
def site(seed_article, make_article, make_image):
    """The seed article, and a newer one with a lead image, so the home page shows both a
    featured card with its picture and the grid."""
    supplement = seed_article.supplements.get()
    pictured = make_article(
        "Glycine and sleep: what the trials found",
        subtitle="An article with a lead image",
        lead_image=make_image(size=(1280, 854), alt_text="White capsules on a wooden table"),
        sections=3,
    )
    pictured.supplements.add(supplement)
    publishing.publish(pictured)
    return {
        "home": "/",
        "article": seed_article.get_absolute_url(),
        "supplement": supplement.get_absolute_url(),
        "search": "/search/?q=magnesium+sleep",
    }


def open_context(browser, width, scheme):
    """A browser context with uploads served from MEDIA_ROOT, as the reverse proxy serves
    them in production (the test server serves no media)."""
    context = browser.new_context(viewport={"width": width, "height": HEIGHT}, color_scheme=scheme)

    def media(route):
        name = route.request.url.split(settings.MEDIA_URL, 1)[1]
        route.fulfill(path=str(Path(settings.MEDIA_ROOT) / name))

    context.route(f"**{settings.MEDIA_URL}**", media)
    return context


def look_at(page, url, name):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return violations(page)


def page_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("form", WIDTHS)
def test_public_pages_screenshots_and_axe(browser, live_server, site, form, scheme):
    context = open_context(browser, WIDTHS[form], scheme)
    page = context.new_page()
    found = {}
    for name, path in site.items():
        if problems := look_at(page, f"{live_server.url}{path}", f"{name}-{form}-{scheme}"):
            found[name] = problems
        assert page_overflow(page) <= 0, f"{name} scrolls sideways"
    context.close()
    assert found == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("form", WIDTHS)
def test_person_page_screenshots_and_axe(browser, live_server, seed_article, form, scheme):
    person = Person.objects.create(
        name="Dr Ada Example", slug="ada-example", credentials="MD", bio="A sleep physician."
    )
    # A person's page is public once a published article names them.
    seed_article.authors.add(person)
    publishing.publish(seed_article)
    context = open_context(browser, WIDTHS[form], scheme)
    page = context.new_page()
    url = f"{live_server.url}/people/{person.slug}/"
    problems = look_at(page, url, f"person-{form}-{scheme}")
    overflow = page_overflow(page)
    context.close()
    assert problems == []
    assert overflow <= 0


def test_phone_search_form_is_one_row_at_the_text_edge(browser, live_server, site):
    context = open_context(browser, WIDTHS["phone"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    field = page.locator(".site-search input").bounding_box()
    button = page.locator(".site-search button").bounding_box()
    heading = page.locator("main h1").bounding_box()
    context.close()
    # Side by side: the button starts right of the field, level with it.
    assert button["x"] >= field["x"] + field["width"]
    assert abs(button["y"] - field["y"]) < 2 and abs(button["height"] - field["height"]) < 2
    # At the text's edge, both sides.
    assert abs(field["x"] - heading["x"]) < 1
    assert button["x"] + button["width"] <= WIDTHS["phone"] - heading["x"] + 1


def test_search_button_is_styled_not_the_browsers_grey(browser, live_server, site):
    context = open_context(browser, WIDTHS["desktop"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    background = page.locator(".site-search button").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    context.close()
    assert background == "rgb(31, 122, 90)"  # the accent, --accent


def test_contents_stay_beside_the_article_on_wide_screens(browser, live_server, make_article):
    article = make_article("Long read", sections=12)
    context = open_context(browser, WIDTHS["desktop"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    toc = page.locator(".toc")
    text = page.locator("#section-1")
    assert toc.bounding_box()["x"] > text.bounding_box()["x"] + text.bounding_box()["width"]
    page.locator("#section-12").scroll_into_view_if_needed()
    # Still in view at the top of the window, though the text has scrolled far past it.
    assert 0 <= toc.bounding_box()["y"] <= 20
    context.close()


def test_contents_stay_inline_on_phones(browser, live_server, make_article):
    article = make_article("Long read", sections=12)
    context = open_context(browser, WIDTHS["phone"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    position = page.locator(".toc").evaluate("element => getComputedStyle(element).position")
    context.close()
    assert position == "static"


def test_footer_sits_at_the_bottom_of_a_short_page(browser, live_server, db):
    context = open_context(browser, WIDTHS["desktop"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}/search/")
    footer = page.locator(".site-footer").bounding_box()
    context.close()
    assert abs(footer["y"] + footer["height"] - HEIGHT) < 1


def test_icons_and_manifest_the_pages_link_answer(browser, live_server, site):
    context = open_context(browser, WIDTHS["desktop"], "light")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    links = page.locator("link[rel~=icon], link[rel=apple-touch-icon], link[rel=manifest]")
    expect(links).to_have_count(4)
    hrefs = links.evaluate_all("links => links.map(link => link.href)")
    manifest = page.request.get(f"{live_server.url}/site.webmanifest").json()
    hrefs += [f"{live_server.url}{icon['src']}" for icon in manifest["icons"]]
    hrefs.append(f"{live_server.url}/favicon.ico")
    answers = {href: page.request.get(href).status for href in hrefs}
    context.close()
    assert set(answers.values()) == {200}, answers
