"""With DEBUG off, static files have hashed, compressed names and whitenoise serves them."""

import re

from django.core.management import call_command
from django.test import Client


def test_collected_static_is_hashed_compressed_and_served(settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert list((tmp_path / "static" / "css").glob("site.*.css.gz"))

    # A new client builds new middleware, so whitenoise sees the collected files.
    client = Client()
    html = client.get("/").content.decode()
    css_url = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    response = client.get(css_url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
