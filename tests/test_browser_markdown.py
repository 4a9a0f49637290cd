"""Rich Markdown in Chromium on a phone: wide tables and code scroll in their own box."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WIDE_TABLE = (
    "| " + " | ".join(f"Column {n}" for n in range(20)) + " |\n"
    "|" + "---|" * 20 + "\n"
    "| " + " | ".join(f"{n * 100} mg" for n in range(20)) + " |\n"
)
LONG_CODE = "```text\n" + "magnesium-glycinate-" * 40 + "\n```\n"
DEEP_LIST = "".join("  " * n + f"- level {n} of a long outline\n" for n in range(12))


def test_wide_tables_code_and_deep_lists_do_not_widen_a_phone_page(
    browser, live_server, make_article
):
    article = make_article(
        "Doses side by side",
        intro=f"{WIDE_TABLE}\n{LONG_CODE}\n{DEEP_LIST}\n- [x] read the label\n\nA note.[^1]\n\n"
        "[^1]: Its text.",
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert page.locator(".table-scroll table").count() == 1
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.querySelector('.table-scroll').scrollWidth]"
    )
    page_width, table_width = widths
    assert page_width <= 390, f"the page is {page_width}px wide on a 390px phone"
    assert table_width > 390  # the table itself is wide: its box scrolls
    # The scrolling box is reachable by keyboard and the page passes axe.
    page.locator(".table-scroll").focus()
    assert page.evaluate("() => document.activeElement.classList.contains('table-scroll')")
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations] == []
    context.close()
