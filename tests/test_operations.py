"""What operators see: /healthz, and cache trouble logged once per incident."""

import logging

import pytest
from django.core.cache import cache

from articles.models import SiteSettings
from mgsite.page_cache import pages


def test_healthz_says_both_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert {report["database"], report["cache"]} == {"ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_cache_when_it_is_down(client, db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert (response.json()["database"], response.json()["cache"]) == ("ok", "down")


@pytest.mark.django_db
def test_cache_trouble_is_logged_once_per_incident(client, seed_article, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(pages, "_trouble", set())
    with monkeypatch.context() as patched:
        patched.setattr(cache, "get", down)
        with caplog.at_level(logging.WARNING, logger="mgsite.page_cache"):
            for _ in range(3):
                assert client.get(seed_article.get_absolute_url()).status_code == 200
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="mgsite.page_cache"):
        client.get(seed_article.get_absolute_url())
    assert any("answers again" in record.getMessage() for record in caplog.records)


def test_saving_site_settings_while_the_cache_is_down_saves(admin_client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    for method in ("set", "delete", "get", "get_many"):
        monkeypatch.setattr(cache, method, down)
    url = "/admin/articles/sitesettings/1/change/"
    response = admin_client.post(url, {"disclaimer": "Ask a pharmacist.", "review_required": "on"})
    assert response.status_code == 302
    assert SiteSettings.load().disclaimer == "Ask a pharmacist."
