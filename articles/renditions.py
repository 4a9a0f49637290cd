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
from pilkit.processors import ResizeToFill, ResizeToFit

# Widths a step of 1.25 apart: whatever width the page gives an image, a browser finds a
# rendition at most 1.25 times wider than it needs.
WIDTHS = (320, 400, 500, 640, 800, 1000, 1280, 1600, 2000)
QUALITY = {"JPEG": 82, "WEBP": 80, "AVIF": 60, "PNG": None}
MIME = {"JPEG": "image/jpeg", "WEBP": "image/webp", "AVIF": "image/avif", "PNG": "image/png"}
# The article column (static/css/site.css: main is 44rem wide with 1.25rem padding).
SIZES = "(max-width: 44rem) calc(100vw - 2.5rem), 41.5rem"
# Cards on the lists (static/css/site.css .cards, .card.featured): main is at most 72rem
# with 1.25rem padding; the grid's columns are at least 19rem with 1.5rem gaps (one column
# on a phone, two from 42rem, three from 62.5rem); the newest article's image takes 1.2 of
# 2.2 shares beside its text from 48rem.
CARD_SIZES = (
    "(min-width: 72rem) 22.2rem, (min-width: 62.5rem) calc((100vw - 5.5rem) / 3), "
    "(min-width: 42rem) calc((100vw - 4rem) / 2), calc(100vw - 2.5rem)"
)
FEATURED_SIZES = (
    "(min-width: 72rem) 37rem, (min-width: 48rem) calc((100vw - 4.5rem) * 0.545), "
    "calc(100vw - 2.5rem)"
)
# Link previews (og:image) show 1.91:1; 1200 x 630 is what the large cards ask for.
SHARE_SIZE = (1200, 630)


class Rendition(ImageSpec):
    def __init__(self, source, width, image_format):
        super().__init__(source=source)
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        quality = QUALITY[image_format]
        self.options = {"quality": quality} if quality else {"optimize": True}


class ShareRendition(ImageSpec):
    """The lead image cut to SHARE_SIZE around its focal point."""

    def __init__(self, source, anchor, image_format):
        super().__init__(source=source)
        self.processors = [ResizeToFill(*SHARE_SIZE, anchor=anchor, upscale=False)]
        self.format = image_format
        quality = QUALITY[image_format]
        self.options = {"quality": quality} if quality else {"optimize": True}


def crop_anchor(width, height, focal):
    """pilkit's crop anchor (where the box sits, 0 to 1 each way) that centres the
    SHARE_SIZE box on `focal` (fractions across and down) as far as the edges allow."""
    scale = max(SHARE_SIZE[0] / width, SHARE_SIZE[1] / height)
    anchor = []
    for size, box, point in zip((width * scale, height * scale), SHARE_SIZE, focal, strict=True):
        spare = size - box
        if spare < 1:
            anchor.append(0.5)
            continue
        start = min(max(point * size - box / 2, 0), spare)
        anchor.append(start / spare)
    return tuple(anchor)


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


def make(file, width, height, focal=(0.5, 0.5)):
    """Make (or find) every rendition of `file` (a stored FieldFile, `width` x `height`);
    return them as data: {"width", "height", "sizes", "sources": [{"type", "srcset": [[url, w]]}]},
    the last source being the fallback for the <img> itself; and "share": [url, w, h], the
    image cut to SHARE_SIZE around `focal`, if it is at least that big."""
    sources = []
    for image_format in formats_for(file.name):
        srcset = []
        for w in widths_for(width):
            cached = ImageCacheFile(Rendition(file, w, image_format))
            cached.generate()
            srcset.append([cached.url, w])
        sources.append({"type": MIME[image_format], "srcset": srcset})
    data = {"width": width, "height": height, "sizes": SIZES, "sources": sources}
    if width >= SHARE_SIZE[0] and height >= SHARE_SIZE[1]:
        anchor = crop_anchor(width, height, focal)
        share = ImageCacheFile(ShareRendition(file, anchor, fallback_format(file.name)))
        share.generate()
        data["share"] = [share.url, *SHARE_SIZE]
    return data


def share_image(data):
    """The rendition link previews get (og:image): the SHARE_SIZE cut if there is one, else
    the fallback format (JPEG or PNG, which every site reads) at least 1200 pixels wide if
    there is one: (url, width, height)."""
    if "share" in data:
        return tuple(data["share"])
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
