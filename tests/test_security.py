"""Security headers, login throttling and upload refusals."""

import io
import mimetypes

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

LOGIN = "/admin/login/"


def test_public_pages_send_a_strict_policy_and_headers(client, seed_article):
    response = client.get(seed_article.get_absolute_url(), secure=True)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_the_admin_gets_the_same_script_policy(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    assert "script-src 'self';" in admin_client.get(url)["Content-Security-Policy"] + ";"


def test_cookies_are_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def attempt(client, username, password, address="10.0.0.1", forwarded_for=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "", "the-right-long-password")


def test_a_user_name_is_locked_at_the_address_that_failed(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "boss", "wrong", address="10.0.0.7")
        assert response.status_code == 200  # the ordinary "wrong password" form
    assert attempt(client, "boss", "wrong", address="10.0.0.7").status_code == 429
    locked = attempt(client, "boss", "the-right-long-password", address="10.0.0.7")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # The real user, elsewhere, is not locked out by someone else's failures.
    assert (
        attempt(client, "boss", "the-right-long-password", address="10.0.0.99").status_code == 302
    )


def test_strangers_cannot_lock_an_editor_out(client, staff):
    for n in range(settings.AXES_FAILURE_LIMIT * 2):
        attempt(client, "boss", "wrong", address=f"10.0.1.{n + 1}")
        attempt(client, f"made-up-{n}", "wrong", address=f"10.0.2.{n + 1}")
    assert attempt(client, "boss", "the-right-long-password", address="10.0.3.1").status_code == 302


def test_behind_a_trusted_proxy_each_client_address_counts(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    # Strangers fail with made-up names, and with spoofed X-Forwarded-For entries of their
    # own to the left of what the proxy appended.
    for n in range(settings.AXES_FAILURE_LIMIT * 2):
        spoofed = f"192.0.2.{n}, 203.0.113.{n}"
        attempt(client, f"made-up-{n}", "wrong", address=proxy, forwarded_for=spoofed)
    good = attempt(
        client, "boss", "the-right-long-password", address=proxy, forwarded_for="198.51.100.7"
    )
    assert good.status_code == 302
    # One client failing again and again is locked, whatever it puts in front.
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess-{n}", "wrong", address=proxy, forwarded_for=f"192.0.2.{n}, 6.6.6.6")
    locked = attempt(
        client, "boss", "the-right-long-password", address=proxy, forwarded_for="6.6.6.6"
    )
    assert locked.status_code == 429


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client, staff):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"made-up-{n}", "wrong", address="10.9.9.8", forwarded_for=f"1.2.3.{n}")
    assert attempt(client, "boss", "the-right-long-password", address="10.9.9.8").status_code == 429


def test_an_address_is_locked_after_repeated_failures(client, staff):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"nobody{n}", "wrong", address="10.9.9.9")
    assert attempt(client, "boss", "the-right-long-password", address="10.9.9.9").status_code == 429
    # Another address is not affected.
    assert attempt(client, "boss", "the-right-long-password", address="10.1.1.1").status_code == 302


def test_a_superuser_unlocks_from_the_admin(client, admin_client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "boss", "wrong")
    assert attempt(client, "boss", "the-right-long-password").status_code == 429
    attempts = reverse("admin:axes_accessattempt_changelist")
    assert admin_client.get(attempts).status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin_client.post(
        attempts, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "boss", "the-right-long-password").status_code == 302


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just text", "not an image we can read"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "not an image we can read"),
    ],
)  # fmt: skip
def test_uploads_refused_with_a_clear_message(admin_client, settings, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = admin_client.post("/markdownx/upload/", {"image": upload})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not (settings.MEDIA_ROOT / "images").exists()


def test_stored_uploads_are_named_as_images_never_as_html(admin_client, settings):
    upload = SimpleUploadedFile("page.html", png_bytes(), content_type="text/html")
    assert admin_client.post("/markdownx/upload/", {"image": upload}).status_code == 200
    stored = next((settings.MEDIA_ROOT / "images").iterdir())
    assert mimetypes.guess_type(stored.name)[0] == "image/png"
