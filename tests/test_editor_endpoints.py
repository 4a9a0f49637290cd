"""markdownx's preview and upload endpoints: staff only, sanitised, images only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles.models import Image

PREVIEW = "/markdownx/markdownify/"
UPLOAD = "/markdownx/upload/"


def image_file(fmt="PNG", name="photo.png", size=(4, 4)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "red").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_anonymous_visitors_are_sent_to_login(client, db, url):
    response = client.post(url, {"content": "x"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_logged_in_non_staff_are_refused(client, django_user_model, url):
    user = django_user_model.objects.create_user("reader", password="a-long-test-password")
    client.force_login(user)
    response = client.post(url, {"content": "x"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_staff_without_article_permissions_are_refused(client, django_user_model, url):
    staff = django_user_model.objects.create_user("bare", password="x-long-password", is_staff=True)
    client.force_login(staff)
    assert client.post(url, {"content": "x"}).status_code == 403


def test_preview_is_the_sanitised_renderer(admin_client):
    response = admin_client.post(
        PREVIEW, {"content": "**hi** <script>alert(1)</script><img src=x onerror=alert(1)>"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>hi</strong>" in html
    assert "script" not in html and "onerror" not in html


def test_preview_answers_post_only(admin_client):
    assert admin_client.get(PREVIEW).status_code == 405


def test_upload_stores_image_under_random_name(admin_client, settings):
    response = admin_client.post(UPLOAD, {"image": image_file(name="evil.html")})
    assert response.status_code == 200
    image = Image.objects.get()
    assert response.json()["image_code"] == f"![](image:{image.pk})"
    assert image.file.name.startswith("images/") and image.file.name.endswith(".png")
    assert "evil" not in image.file.name
    stored = list((settings.MEDIA_ROOT / "images").iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".png"


def test_upload_extension_follows_the_real_format(admin_client):
    admin_client.post(UPLOAD, {"image": image_file("JPEG", name="photo.gif")})
    assert Image.objects.get().file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "evil.gif"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "a.svg"),
        (b"<svg", "broken.svg"),
        (b"%PDF-1.4 not an image", "doc.png"),
    ],
)
def test_upload_refuses_non_images_with_a_clear_message(admin_client, settings, content, name):
    upload = SimpleUploadedFile(name, content, content_type="image/gif")
    response = admin_client.post(UPLOAD, {"image": upload})
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["error"]
    assert not (settings.MEDIA_ROOT / "images").exists()
    assert not Image.objects.exists()


def test_upload_refuses_oversized_images(admin_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 10
    response = admin_client.post(UPLOAD, {"image": image_file()})
    assert response.status_code == 400
    assert "the limit is 10" in response.json()["error"]


def test_upload_refuses_other_image_formats(admin_client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (2, 2)).save(buffer, "BMP")
    upload = SimpleUploadedFile("a.bmp", buffer.getvalue(), content_type="image/bmp")
    response = admin_client.post(UPLOAD, {"image": upload})
    assert response.status_code == 400
    assert "BMP images are not accepted" in response.json()["error"]


def test_upload_without_a_file_is_a_clear_error(admin_client):
    response = admin_client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "required" in response.json()["error"]
