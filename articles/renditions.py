"""Renditions: each library image at a few widths, as WebP (AVIF too if IMAGE_AVIF is on)
and a JPEG or PNG fallback, made once when the file is stored.

django-imagekit makes them: an `ImageSpec` per width and format (pilkit's ResizeToFit,
never upscaling), written through Django's storage API under names hashed from the source
file and the spec. A replaced file therefore gets new rendition names, and the ones a live
page froze stay where they are. Nothing here opens a path: the media can live on an object
store (django-storages) by configuration alone.

`make(file)` returns plain data (URLs, widths, heights, types) that the image row keeps and
the renderer prints; no page request ever makes or looks for a rendition.
"""

from django.conf import settings
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from pilkit.processors import ResizeToFit

# Widths a step of 1.25 apart: whatever width the page gives an image, a browser finds a
# rendition at most 1.25 times wider than it needs.
WIDTHS = (320, 400, 500, 640, 800, 1000, 1280, 1600, 2000)
QUALITY = {"JPEG": 82, "WEBP": 80, "AVIF": 60, "PNG": None}
MIME = {"JPEG": "image/jpeg", "WEBP": "image/webp", "AVIF": "image/avif", "PNG": "image/png"}
# The article column (static/css/site.css: main is 44rem wide with 1.25rem padding).
SIZES = "(max-width: 44rem) calc(100vw - 2.5rem), 41.5rem"


class Rendition(ImageSpec):
    def __init__(self, source, width, image_format):
        super().__init__(source=source)
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        quality = QUALITY[image_format]
        self.options = {"quality": quality} if quality else {"optimize": True}


def widths_for(width):
    """The rendition widths for an image `width` pixels wide: never wider than it."""
    if width >= WIDTHS[-1]:
        return list(WIDTHS)
    return [*(w for w in WIDTHS if w < width), width]


def fallback_format(file_name):
    """JPEG for photos; PNG where the source may be transparent or flat (PNG, GIF)."""
    return "JPEG" if file_name.lower().endswith((".jpg", ".jpeg")) else "PNG"


def formats_for(file_name):
    """Modern formats first (a browser takes the first <source> it supports)."""
    modern = ["AVIF", "WEBP"] if settings.IMAGE_AVIF else ["WEBP"]
    return [*modern, fallback_format(file_name)]


def make(file, width, height):
    """Make (or find) every rendition of `file` (a stored FieldFile, `width` x `height`);
    return them as data: {"width", "height", "sizes", "sources": [{"type", "srcset": [[url, w]]}]},
    the last source being the fallback for the <img> itself."""
    sources = []
    for image_format in formats_for(file.name):
        srcset = []
        for w in widths_for(width):
            cached = ImageCacheFile(Rendition(file, w, image_format))
            cached.generate()
            srcset.append([cached.url, w])
        sources.append({"type": MIME[image_format], "srcset": srcset})
    return {"width": width, "height": height, "sizes": SIZES, "sources": sources}


def share_image(data):
    """The rendition link previews get (og:image): the fallback format (JPEG or PNG, which
    every site reads) at least 1200 pixels wide if there is one: (url, width, height)."""
    candidates = data["sources"][-1]["srcset"]
    url, width = next(((u, w) for u, w in candidates if w >= 1200), candidates[-1])
    return url, width, round(width * data["height"] / data["width"])


def delete(file, width):
    """Delete `file` and every rendition it may have (whichever formats were made)."""
    storage = file.storage
    for image_format in ("AVIF", "WEBP", fallback_format(file.name)):
        for w in widths_for(width):
            name = ImageCacheFile(Rendition(file, w, image_format)).name
            if storage.exists(name):
                storage.delete(name)
    if storage.exists(file.name):
        storage.delete(file.name)
