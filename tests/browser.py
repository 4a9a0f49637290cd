"""What the browser tests share: signing in to the admin as a person would."""

from playwright.sync_api import expect


def log_in(page, live_server, username, password):
    """Sign in through the admin's login form; returns the page, on the admin's index."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Content")).to_be_visible()
    return page


def open_fieldset(page, name):
    """Unfold one of the change form's collapsed fieldsets (Publishing, Old addresses...)."""
    page.locator("summary", has=page.get_by_role("heading", name=name, exact=True)).click()
