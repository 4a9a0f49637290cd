"""Images uploaded through the Markdown editor: every file is decoded and made again.

markdownx's own upload form trusts the browser's content type and the file's name (an SVG
with `onload=`, or `evil.html` sent as image/gif, is stored as is). This one opens the file
with Pillow, accepts only raster formats it recognises, refuses more pixels than
IMAGE_MAX_PIXELS (a small file can decode to gigabytes) and animated images, then stores
not the file it was sent but a new one that Pillow encodes from the decoded pixels:

- orientation from the camera's EXIF is applied to the pixels first, so the picture stands
  the right way up once the EXIF is gone;
- the colour profile (ICC) is kept, so colours do not shift;
- everything else does not survive: EXIF (camera, GPS position), XMP, PNG text chunks,
  GIF comments, and any bytes after the image's end (where polyglots hide HTML).

Every upload becomes a library `Image` (the stored name is random, with the extension of
the detected format), whether it came through the editor's drop zone, its "Insert image"
dialog or the library's own form. Only Django's storage API is used, so the media can live
on an object store.
"""

import io
import warnings

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from . import models

# Pillow's format name -> (the format it is stored in, its extension). MPO is how Pillow
# reads many phone cameras' JPEGs (a JPEG with a second, preview, picture): the first
# picture is kept, as a JPEG.
ALLOWED_FORMATS = {
    "PNG": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),
    "GIF": ("GIF", "gif"),
    "WEBP": ("WEBP", "webp"),
}
# How the stored file is encoded: a high JPEG/WebP quality, since renditions are made from it.
SAVE_OPTIONS = {
    "JPEG": {"quality": 92},
    "WEBP": {"quality": 92},
    "PNG": {},
    "GIF": {},
}
NOT_AN_IMAGE = "That file is not an image we can read. Upload a PNG, JPEG, GIF or WebP image."


def too_many_pixels(width, height, limit):
    return forms.ValidationError(
        f"The image is {width:,} x {height:,} pixels ({width * height / 1e6:.0f} megapixels); "
        f"the limit is {limit / 1e6:.0f} megapixels. Make it smaller in an image editor first."
    )


def reencode(upload, *, max_pixels):
    """Decode `upload` and encode its pixels again; return (bytes, extension, width, height).

    Raises ValidationError with a message for the editor for anything it will not store."""
    try:
        with warnings.catch_warnings():
            # Between Pillow's own warning and error limits it only warns; the explicit limit
            # below refuses such images with a message instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
    except Image.DecompressionBombError:
        raise forms.ValidationError(
            f"The image has far too many pixels; the limit is {max_pixels / 1e6:.0f} megapixels."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise forms.ValidationError(NOT_AN_IMAGE) from None
    with image:
        if image.format not in ALLOWED_FORMATS:
            raise forms.ValidationError(
                f"{image.format} images are not accepted. Upload a PNG, JPEG, GIF or WebP image."
            )
        width, height = image.size
        if width * height > max_pixels:
            raise too_many_pixels(width, height, max_pixels)
        if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
            raise forms.ValidationError(
                "Animated images are not accepted: upload a still image (one frame)."
            )
        stored_format, extension = ALLOWED_FORMATS[image.format]
        try:
            image.load()
            icc_profile = image.info.get("icc_profile")
            transparency = image.info.get("transparency")
            upright = ImageOps.exif_transpose(image)
            # A new image holding the pixels and palette only: whatever Pillow read beside
            # them (EXIF, XMP, text chunks, comments) is not carried into the new file.
            clean = upright.copy()
            clean.info = {}
            options = dict(SAVE_OPTIONS[stored_format])
            if icc_profile:
                options["icc_profile"] = icc_profile
            if transparency is not None and stored_format in {"PNG", "GIF"}:
                options["transparency"] = transparency
            output = io.BytesIO()
            clean.save(output, stored_format, **options)
        except (OSError, ValueError, SyntaxError):
            # Truncated or corrupt image data shows only when the pixels are decoded.
            raise forms.ValidationError(NOT_AN_IMAGE) from None
        return output.getvalue(), extension, clean.width, clean.height


def safe_file(upload):
    """The upload as a re-encoded file ready to store (a ContentFile named `upload.EXT`),
    or ValidationError with a message for the editor."""
    limit = settings.IMAGE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"The image is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
        )
    content, extension, _, _ = reencode(upload, max_pixels=settings.IMAGE_MAX_PIXELS)
    return ContentFile(content, name=f"upload.{extension}")


class ImageUploadForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        return safe_file(self.cleaned_data["image"])

    def save(self, user=None, description=("", False)):
        """Store the re-encoded image as a new library image (renditions made), with its
        (alt text, decorative) if known; return it."""
        alt_text, decorative = description
        image = models.Image(
            file=self.cleaned_data["image"],
            uploaded_by=user,
            alt_text=alt_text,
            decorative=decorative,
        )
        image.save()
        return image
