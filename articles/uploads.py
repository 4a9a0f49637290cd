"""Images uploaded through the Markdown editor.

markdownx's own upload form trusts the browser's content type and the file's name (an SVG
with `onload=`, or `evil.html` sent as image/gif, is stored as is). This one opens the file
with Pillow, accepts only raster formats it recognises, and names the stored file itself.
"""

import re
import uuid

from django import forms
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# Markup inside an image file makes it a polyglot: harmless as an image, dangerous if any
# browser or proxy ever treats it as HTML or SVG. Real image data does not contain these.
MARKUP = re.compile(rb"<\s*(?:html|script|svg|body|iframe|object|embed|!doctype)\b", re.IGNORECASE)

# Pillow's format name -> the extension the stored file gets.
ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
UPLOAD_DIR = "uploads"


class ImageUploadForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data["image"]
        limit = settings.IMAGE_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The image is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        try:
            with Image.open(upload) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
            raise forms.ValidationError(
                "That file is not an image we can read. Upload a PNG, JPEG, GIF or WebP image."
            ) from None
        upload.seek(0)
        if MARKUP.search(upload.read()):
            raise forms.ValidationError(
                "That image also contains web page code (HTML or script), so it is refused. "
                "Export it again from an image editor."
            )
        if image_format not in ALLOWED_FORMATS:
            raise forms.ValidationError(
                f"{image_format} images are not accepted. Upload a PNG, JPEG, GIF or WebP image."
            )
        upload.seek(0)
        self.extension = ALLOWED_FORMATS[image_format]
        return upload

    def save(self):
        """Store the image under a random name; return its public URL."""
        name = f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{self.extension}"
        stored = default_storage.save(name, self.cleaned_data["image"])
        return default_storage.url(stored)
