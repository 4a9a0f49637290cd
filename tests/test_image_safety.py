"""Every uploaded image is decoded and encoded again: what readers get is pixels only.

Each test uploads through the editor's endpoint and reads back the file that was stored.
"""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageCms, PngImagePlugin

from articles.models import Image

UPLOAD = "/markdownx/upload/"
HTML = b"<img src=x onerror=alert(1)>"
PNG_END = b"IEND\xaeB`\x82"


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(client, content, name="photo.png"):
    response = client.post(
        UPLOAD, {"image": SimpleUploadedFile(name, content, content_type="image/png")}
    )
    return response


def stored_bytes(response):
    """The stored file's bytes, through the storage API."""
    assert response.status_code == 200, response.content
    with Image.objects.get(pk=response.json()["id"]).file.open() as stored:
        return stored.read()


def test_png_text_chunks_do_not_survive(admin_client):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    info.add_text("Author", "zipped " + HTML.decode(), zip=True)
    info.add_itxt("Description", "<script>alert(1)</script>")
    content = encoded(PILImage.new("RGB", (8, 8), "red"), "PNG", pnginfo=info)
    assert HTML in content  # the upload really carries it

    stored = stored_bytes(upload(admin_client, content))
    assert b"onerror" not in stored and b"script" not in stored
    for chunk in (b"tEXt", b"zTXt", b"iTXt"):
        assert chunk not in stored
    assert PILImage.open(io.BytesIO(stored)).getpixel((0, 0)) == (255, 0, 0)


@pytest.mark.parametrize(
    "tail",
    [b"<html><script>alert(1)</script></html>", b"<!DOCTYPE html><body onload=alert(1)>", HTML],
)
def test_bytes_after_the_png_end_do_not_survive(admin_client, tail):
    content = encoded(PILImage.new("RGB", (8, 8), "blue"), "PNG") + tail
    stored = stored_bytes(upload(admin_client, content))
    assert stored.endswith(PNG_END)
    assert tail not in stored


def test_html_inside_the_png_end_chunk_does_not_survive(admin_client):
    content = encoded(PILImage.new("RGB", (8, 8), "blue"), "PNG").replace(b"IEND", b"IEND" + HTML)
    stored = stored_bytes(upload(admin_client, content))
    assert stored.endswith(PNG_END) and HTML not in stored


def test_gif_with_trailing_html_is_stored_without_it(admin_client):
    content = encoded(PILImage.new("P", (8, 8), 3), "GIF", comment=b"<svg onload=alert(1)>") + HTML
    stored = stored_bytes(upload(admin_client, content, "photo.gif"))
    assert stored.endswith(b";")  # the GIF trailer is the last byte
    assert b"onerror" not in stored and b"svg" not in stored
    assert PILImage.open(io.BytesIO(stored)).format == "GIF"


def camera_jpeg(size=(40, 20), orientation=1):
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # latitude
    gps[3], gps[4] = "W", (0.0, 7.0, 39.9)  # longitude
    image = PILImage.new("RGB", size, "white")
    image.paste((0, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half black
    return encoded(image, "JPEG", exif=exif)


def test_exif_and_the_gps_position_do_not_survive(admin_client):
    content = camera_jpeg()
    assert PILImage.open(io.BytesIO(content)).getexif().get_ifd(0x8825)  # GPS is there

    stored = stored_bytes(upload(admin_client, content, "photo.jpg"))
    image = PILImage.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in stored and b"PhoneMaker" not in stored


def test_orientation_is_applied_before_exif_is_dropped(admin_client):
    # Orientation 6: the camera was turned; the picture is shown rotated 90 degrees clockwise.
    stored = stored_bytes(upload(admin_client, camera_jpeg(orientation=6), "photo.jpg"))
    image = PILImage.open(io.BytesIO(stored))
    assert image.size == (20, 40)
    # The left half (black) is now the top half.
    assert image.convert("L").getpixel((10, 5)) < 50
    assert image.convert("L").getpixel((10, 35)) > 200


def test_the_colour_profile_is_kept(admin_client):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for fmt, name in (("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")):
        content = encoded(PILImage.new("RGB", (8, 8), "green"), fmt, icc_profile=profile)
        stored = stored_bytes(upload(admin_client, content, name))
        assert PILImage.open(io.BytesIO(stored)).info.get("icc_profile") == profile, fmt


def test_transparency_is_kept(admin_client):
    content = encoded(PILImage.new("RGBA", (8, 8), (0, 0, 255, 0)), "PNG")
    stored = stored_bytes(upload(admin_client, content))
    assert PILImage.open(io.BytesIO(stored)).getpixel((0, 0))[3] == 0


def test_a_12000_pixel_square_is_refused_with_a_message(admin_client, settings):
    # 144 megapixels of one colour: a small file, some 144 MB once decoded.
    content = encoded(PILImage.new("1", (12000, 12000)), "PNG")
    assert len(content) < settings.IMAGE_UPLOAD_MAX_BYTES
    response = upload(admin_client, content)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The image is 12,000 x 12,000 pixels (144 megapixels); the limit is 50 megapixels. "
        "Make it smaller in an image editor first."
    )
    assert not Image.objects.exists() and not default_storage.exists("images")


def png_header_only(width, height):
    """A PNG whose header claims width x height: the shape of a decompression bomb."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + (chunk(b"IEND", b""))
    )


def test_a_bomb_beyond_pillows_own_limit_is_refused_with_a_message(admin_client):
    response = upload(admin_client, png_header_only(30000, 30000))
    assert response.status_code == 400
    assert "far too many pixels; the limit is 50 megapixels" in response.json()["error"]


def test_the_pixel_limit_is_a_setting(admin_client, settings):
    settings.IMAGE_MAX_PIXELS = 100
    response = upload(admin_client, encoded(PILImage.new("RGB", (11, 10)), "PNG"))
    assert response.status_code == 400
    assert "11 x 10 pixels" in response.json()["error"]
    settings.IMAGE_MAX_PIXELS = 110
    assert upload(admin_client, encoded(PILImage.new("RGB", (11, 10)), "PNG")).status_code == 200


def test_truncated_image_data_is_refused_with_a_message(admin_client):
    content = encoded(PILImage.effect_noise((64, 64), 50).convert("RGB"), "PNG")
    response = upload(admin_client, content[: len(content) // 2])
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["error"]


def test_animated_gifs_are_refused_with_a_message(admin_client):
    frames = [PILImage.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    content = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    response = upload(admin_client, content, "moving.gif")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Animated images are not accepted: upload a still image (one frame)."
    )


def test_a_still_gif_keeps_its_transparency(admin_client):
    image = PILImage.new("P", (8, 8), 5)
    content = encoded(image, "GIF", transparency=5)
    stored = PILImage.open(io.BytesIO(stored_bytes(upload(admin_client, content, "a.gif"))))
    # Pillow may renumber the palette: what counts is that the pixel is still see-through.
    assert stored.convert("RGBA").getpixel((0, 0))[3] == 0
