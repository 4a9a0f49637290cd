"""Two editors in two browsers: each sees the other editing; a lock holds and can be broken."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def quick_heartbeat(settings):
    """A heartbeat a second, gone after three: the page reads the interval from the server."""
    settings.PRESENCE_HEARTBEAT_SECONDS = 1
    settings.PRESENCE_WINDOW_SECONDS = 3


@pytest.fixture
def people(django_user_model):
    def user(name, full_name, *groups, superuser=False):
        first, last = full_name.split()
        account = django_user_model.objects.create_user(
            name,
            f"{name}@example.org",
            f"{name}-long-password",
            is_staff=True,
            is_superuser=superuser,
            first_name=first,
            last_name=last,
        )
        account.groups.add(*Group.objects.filter(name__in=groups))
        return account

    return {
        "edith": user("edith", "Edith Wharton", "Editors"),
        "ed": user("ed", "Ed Ricketts", "Editors"),
        "ada": user("ada", "Ada Lovelace", superuser=True),
    }


def open_article(new_page, live_server, name, article, **context):
    page = log_in(new_page(**context), live_server, name, f"{name}-long-password")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    return page


def test_a_second_editor_sees_the_first_and_the_notice_goes_when_they_leave(
    new_page, live_server, quick_heartbeat, people, seed_article
):
    edith = open_article(new_page, live_server, "edith", seed_article)
    ed = open_article(new_page, live_server, "ed", seed_article)

    notice = ed.get_by_role("status").filter(has_text="Edith Wharton is also editing")
    expect(notice).to_have_text(
        re.compile(r"Edith Wharton is also editing this article \(since \d\d:\d\d\)\.")
    )
    # Edith's page learns of Ed from its heartbeat, without being reloaded.
    expect(edith.get_by_text("Ed Ricketts is also editing this article (since")).to_be_visible(
        timeout=5_000
    )

    edith.goto(f"{live_server.url}/admin/")  # she leaves: no heartbeat from her any more
    expect(ed.get_by_text("Edith Wharton is also editing")).to_have_count(0, timeout=10_000)


def test_a_hidden_tab_sends_no_heartbeat_until_it_is_shown_again(
    new_page, live_server, quick_heartbeat, people, seed_article
):
    ed = open_article(new_page, live_server, "ed", seed_article)
    beats = []
    ed.on("request", lambda request: "/presence/" in request.url and beats.append(request))
    ed.wait_for_timeout(2_500)
    assert beats, "a visible tab beats every second"

    visibility = "Object.defineProperty(document, 'hidden', {value: %s, configurable: true});"
    ed.evaluate(visibility % "true" + "document.dispatchEvent(new Event('visibilitychange'))")
    beats.clear()
    ed.wait_for_timeout(3_000)
    assert beats == []

    ed.evaluate(visibility % "false" + "document.dispatchEvent(new Event('visibilitychange'))")
    ed.wait_for_timeout(500)
    assert len(beats) == 1  # at once, not a full interval later


def test_the_lock_holds_against_a_second_editor_and_an_administrator_breaks_it(
    new_page, live_server, quick_heartbeat, people, seed_article
):
    edith = open_article(new_page, live_server, "edith", seed_article)
    ed = open_article(new_page, live_server, "ed", seed_article)
    expect(ed.get_by_role("button", name="Break the lock")).to_have_count(0)

    edith.get_by_role("button", name="Lock this article").click()
    expect(edith.get_by_text("You locked this article at")).to_be_visible()
    expect(edith.get_by_role("button", name="Unlock")).to_be_focused()  # the keyboard stays
    # Ed's open form learns of the lock from its heartbeat.
    expect(ed.get_by_text("Locked by Edith Wharton since")).to_be_visible(timeout=5_000)
    expect(ed.get_by_role("button", name="Lock this article")).to_be_hidden()
    expect(ed.get_by_role("button", name="Break the lock")).to_have_count(0)  # not his to break

    ed.locator("#id_title").fill("Ed's title")
    ed.locator("#id_sections-0-body").fill("Ed rewrote the first section.")
    ed.get_by_role("button", name="Save and continue editing").click()
    expect(ed.locator(".errornote")).to_be_visible()
    expect(ed.locator(".errorlist").first).to_contain_text("Not saved. Locked by Edith Wharton")
    expect(ed.locator(".errorlist").first).to_contain_text("Nothing you typed has been saved")
    expect(ed.locator("#id_title")).to_have_value("Ed's title")
    expect(ed.locator("#id_sections-0-body")).to_have_value("Ed rewrote the first section.")
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"

    ada = open_article(new_page, live_server, "ada", seed_article)
    expect(ada.get_by_text("Locked by Edith Wharton since")).to_be_visible()
    ada.get_by_role("button", name="Break the lock").focus()
    ada.keyboard.press("Enter")
    expect(ada.get_by_text("The lock Edith Wharton held is broken")).to_be_visible()
    expect(
        edith.get_by_text("Your lock on this article was broken by Ada Lovelace at")
    ).to_be_visible(timeout=5_000)
    expect(edith.get_by_role("button", name="Lock this article")).to_be_visible()
    entry = LogEntry.objects.get(change_message__contains="broken")
    assert entry.get_change_message() == "Lock held by Edith Wharton broken by Ada Lovelace."
    assert entry.user == people["ada"] and entry.object_id == str(seed_article.pk)

    # Ed's words were kept: now his save goes through.
    expect(ed.locator(".presence-lock")).to_be_empty(timeout=5_000)
    ed.get_by_role("button", name="Save and continue editing").click()
    expect(ed.locator(".messagelist")).to_contain_text("was changed successfully")
    seed_article.refresh_from_db()
    assert seed_article.title == "Ed's title"


def violations(page, **context):
    results = Axe().run(page, **context)
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def test_the_change_form_with_presence_and_lock_notices_has_no_axe_violations(
    new_page, live_server, quick_heartbeat, people, seed_article
):
    edith = open_article(new_page, live_server, "edith", seed_article)
    edith.get_by_role("button", name="Lock this article").click()
    expect(edith.get_by_text("You locked this article at")).to_be_visible()
    for scheme in ["light", "dark"]:
        ed = open_article(
            new_page, live_server, "ed", seed_article, viewport=DESKTOP, color_scheme=scheme
        )
        expect(ed.get_by_text("Edith Wharton is also editing this article")).to_be_visible()
        expect(ed.locator(".presence-lock")).to_contain_text("Locked by Edith Wharton since")
        expect(ed.locator(".markdownx-preview:not(:empty)").first).to_be_visible()
        if scheme == "light":
            assert violations(ed) == []
        else:
            # The notices and lock buttons; the rest of the form in dark is not this test's.
            ours = {"include": [["#article-presence"], [".object-tools"]]}
            assert violations(ed, context=ours) == []
        ed.context.close()
