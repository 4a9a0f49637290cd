"""Production settings come from the environment and pass Django's deploy checks."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    # The suite's own DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright) is not production's.
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "production-like-key-for-the-check-only-0123456789",
        ALLOWED_HOSTS="mgsite.example",
        MGSITE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    result = manage("check", MGSITE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


NOT_FOUND = """
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for url in ["/no-such-page/", "/articles/no-such-article/"]:
    response = client.get(url)
    html = response.content.decode()
    print(url, response.status_code, "mgsite" in html, "URLconf" in html)
"""


def test_make_run_shows_the_sites_own_404_page(tmp_path):
    """DEBUG (make run) shows readers' 404 page, not Django's list of URL patterns."""
    base = {
        "SECRET_KEY": "x" * 60,
        "MGSITE_VAR_DIR": str(tmp_path),
        "DEBUG": "true",
        # Its own throwaway database and cache, whatever the suite runs on.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    assert manage("migrate", "--noinput", **base).returncode == 0
    result = manage("shell", "-c", NOT_FOUND, **base)
    assert "/no-such-page/ 404 True False" in result.stdout, result.stdout + result.stderr
    assert "/articles/no-such-article/ 404 True False" in result.stdout
    technical = manage("shell", "-c", NOT_FOUND, **base, DEBUG_TECHNICAL_404="true")
    assert "/no-such-page/ 404 True True" in technical.stdout, technical.stderr


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({}, True),  # production: DEBUG off
        ({"DEBUG": "true"}, False),  # make run
        ({"REQUIRE_STAFF_2FA": "false"}, False),
        ({"DEBUG": "true", "REQUIRE_STAFF_2FA": "true"}, True),
    ],
)
def test_two_factor_is_required_unless_debug_or_turned_off(monkeypatch, environment, required):
    for name in ("DEBUG", "REQUIRE_STAFF_2FA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # The settings module as a fresh namespace: Django's own settings stay as they are.
    assert runpy.run_path(str(ROOT / "mgsite" / "settings.py"))["REQUIRE_STAFF_2FA"] is required
