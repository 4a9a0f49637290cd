"""Two-factor sign-in in Chromium, as a new superuser meets it with the requirement on."""

import base64
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.two_factor_required]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PASSWORD = "a-long-browser-test-password"


def violations(page):
    return [f"{v['id']}: {v['help']}" for v in Axe().run(page).response["violations"]]


def enter_password(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_superuser_sets_up_an_app_and_then_signs_in_with_a_recovery_code(
    page, live_server, django_user_model
):
    django_user_model.objects.create_superuser("boss", "", PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    enter_password(page, live_server)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    qr_code = page.get_by_alt_text("QR code that adds mgsite to an authenticator app")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    assert violations(page) == []
    page.screenshot(path=SCREENSHOTS / "two-factor-enrol.png", full_page=True)

    # What a phone would do with the key typed in: the key shown, the time now.
    key = base64.b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is set up")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert violations(page) == []
    page.screenshot(path=SCREENSHOTS / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page.get_by_role("heading", name="Content")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    enter_password(page, live_server)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Content")).to_be_visible()
    # Each recovery code works once.
    page.get_by_role("button", name="Log out").click()
    enter_password(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "two-factor-wrong-code.png", full_page=True)
