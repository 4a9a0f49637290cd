"""The site's mark, logo, favicons and manifest icons, drawn from one geometry.

The mark is a capsule on a rounded green square. The same shapes are written as SVG
(static/favicon.svg, static/img/logo.svg with the wordmark) and drawn with Pillow for the
PNG sizes browsers ask for, and for /favicon.ico (static/root/, served at the site root by
whitenoise). Pillow draws at four times the size and scales down, which anti-aliases the
edges; no SVG renderer is needed.

    python -m bench.icons        # or: make icons
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
PUBLIC = ROOT / "static" / "root"

GREEN = "#1f7a5a"  # the site's accent (static/css/site.css --accent)
WHITE = "#ffffff"
TINT = "#a7e3c7"  # the capsule's other half
# On a 64-unit square: the square's corner radius, the capsule's box (before it is turned
# 45 degrees about the centre) and where its two halves meet.
SIZE, RADIUS = 64, 14
CAPSULE = (12, 22, 52, 42)
MIDDLE = 32
TURN = -45  # degrees, SVG's sense (clockwise positive); Pillow turns the other way

PNGS = {
    "favicon-32.png": (32, True),
    "apple-touch-icon.png": (180, False),  # iOS rounds the corners itself: a full square
    "icon-192.png": (192, True),
    "icon-512.png": (512, True),
}
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]


def mark_svg(rounded=True):
    x0, y0, x1, y1 = CAPSULE
    r = (y1 - y0) / 2
    return (
        f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS if rounded else 0}" fill="{GREEN}"/>'
        f'<g transform="rotate({TURN} {SIZE / 2} {SIZE / 2})">'
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{r:g}" fill="{WHITE}"/>'
        f'<path d="M{MIDDLE} {y0}H{x0 + r:g}A{r:g} {r:g} 0 0 0 {x0 + r:g} {y1}H{MIDDLE}Z" '
        f'fill="{TINT}"/></g>'
    )


def favicon_svg():
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">{mark_svg()}</svg>\n'
    )


def logo_svg():
    """Mark and wordmark, 232 x 64 units. The wordmark is dark text, light in dark mode."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 232 64" width="232" height="64" '
        'role="img" aria-label="mgsite">'
        "<style>text{fill:#1d232a}"
        "@media (prefers-color-scheme:dark){text{fill:#e6e9ec}}</style>"
        f"{mark_svg()}"
        '<text x="78" y="45" font-family="system-ui,-apple-system,\'Segoe UI\',Roboto,sans-serif" '
        'font-size="38" font-weight="700" letter-spacing="-0.5">mgsite</text></svg>\n'
    )


def mark_png(size, rounded=True):
    scale = size * 4 / SIZE
    big = round(SIZE * scale)

    def box(x0, y0, x1, y1):
        return [round(v * scale) for v in (x0, y0, x1, y1)]

    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle(
        box(0, 0, SIZE, SIZE), radius=round((RADIUS if rounded else 0) * scale), fill=GREEN
    )
    capsule = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(capsule)
    x0, y0, x1, y1 = CAPSULE
    r = (y1 - y0) / 2
    draw.rounded_rectangle(box(*CAPSULE), radius=round(r * scale), fill=WHITE)
    draw.ellipse(box(x0, y0, x0 + 2 * r, y1), fill=TINT)
    draw.rectangle(box(x0 + r, y0, MIDDLE, y1), fill=TINT)
    capsule = capsule.rotate(-TURN, resample=Image.Resampling.BICUBIC)
    image.alpha_composite(capsule)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main():
    (STATIC / "img").mkdir(parents=True, exist_ok=True)
    PUBLIC.mkdir(exist_ok=True)
    (STATIC / "favicon.svg").write_text(favicon_svg())
    (STATIC / "img" / "logo.svg").write_text(logo_svg())
    for name, (size, rounded) in PNGS.items():
        image = mark_png(size, rounded)
        if not rounded:
            image = image.convert("RGB")
        image.save(STATIC / "img" / name, optimize=True)
    mark_png(48).save(PUBLIC / "favicon.ico", sizes=ICO_SIZES)
    made = [STATIC / "favicon.svg", *(STATIC / "img").iterdir(), *PUBLIC.iterdir()]
    for path in sorted(made):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
