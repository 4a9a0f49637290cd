"""Live versions published before cards showed lead images get their card image: read back
from the <picture> their frozen lead image HTML already holds (sources, size, alt), so what
readers see of the article itself does not change, nor its fingerprint."""

from html.parser import HTMLParser

from django.db import migrations

FALLBACK_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


class _Picture(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources, self.image = [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "source":
            self.sources.append(attributes)
        elif tag == "img" and self.image is None:
            self.image = attributes


def _srcset(value):
    pairs = (candidate.strip().rsplit(" ", 1) for candidate in value.split(","))
    return [[url, int(width.removesuffix("w"))] for url, width in pairs]


def card_image(lead_html):
    """The card image data (articles.models.CARD_IMAGE_KEYS) in `lead_html`, or None."""
    parser = _Picture()
    parser.feed(lead_html)
    image = parser.image
    if image is None or not image.get("srcset") or not image.get("width"):
        return None
    fallback = _srcset(image["srcset"])
    extension = fallback[0][0].rsplit(".", 1)[-1].lower()
    sources = [{"type": s["type"], "srcset": _srcset(s["srcset"])} for s in parser.sources]
    sources.append({"type": FALLBACK_TYPES.get(extension, "image/jpeg"), "srcset": fallback})
    return {
        "alt": image.get("alt", ""),  # the parser has already unescaped it
        "width": int(image["width"]),
        "height": int(image["height"]),
        "sources": sources,
    }


def add_card_images(apps, schema_editor):
    LiveVersion = apps.get_model("articles", "LiveVersion")
    for version in LiveVersion.objects.filter(content__has_key="lead_image").iterator():
        if "card_image" in version.content:
            continue
        card = card_image(version.content["lead_image"]["html"])
        if card is not None:
            version.content["card_image"] = card
            version.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_editors_images")]

    operations = [migrations.RunPython(add_card_images, migrations.RunPython.noop)]
