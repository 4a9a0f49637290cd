"""/site.webmanifest: the name, colours and icons a browser uses when the site is saved to a
home screen. A view, not a static file, so the icon addresses are the hashed ones the
static storage serves with a long cache lifetime."""

import json

from django.http import HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

# The header band's colour (static/css/site.css --surface) and the page background.
THEME_COLOR = "#f0f4f2"
BACKGROUND_COLOR = "#fdfdfc"


@cache_control(public=True, max_age=86400)
def web_manifest(request):
    manifest = {
        "name": "mgsite: evidence-based supplement articles",
        "short_name": "mgsite",
        "start_url": "/",
        "display": "browser",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(manifest, indent=2), content_type="application/manifest+json")
