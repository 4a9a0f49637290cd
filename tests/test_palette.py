"""The stylesheet's colour pairs pass WCAG AA (4.5:1 for text) in both colour schemes,
whatever page uses them: checked on the custom properties themselves."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
# (text, background) as pages print them: body text, secondary text, links and the accent
# on the page and on boxes (cards, tags, the header band), and a button's label.
PAIRS = [
    (fg, bg) for fg in ("text", "muted", "link", "accent") for bg in ("bg", "surface", "raised")
] + [("on-accent", "accent"), ("focus", "bg")]


def palette(block):
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", block))


LIGHT = palette(CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))])
_dark_at = CSS.index("@media (prefers-color-scheme: dark)")
DARK = palette(CSS[_dark_at : CSS.index("}", _dark_at)])


def luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_both_schemes_define_every_colour():
    assert set(DARK) <= set(LIGHT)
    assert {"text", "muted", "bg", "surface", "raised", "link", "accent", "on-accent"} <= set(DARK)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_pass_aa(scheme):
    colours = LIGHT | (DARK if scheme == "dark" else {})
    low = {
        f"{fg} on {bg}": round(ratio, 2)
        for fg, bg in PAIRS
        if (ratio := contrast(colours[fg], colours[bg])) < 4.5
    }
    assert low == {}


def test_contrast_is_computed_as_wcag_says():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
