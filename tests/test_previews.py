"""Previews: staff see unpublished articles; a shared link lets a reviewer in, for a while."""

import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles import previews, publishing


@pytest.fixture
def draft(make_article):
    return make_article("Unreleased melatonin piece", published=False, sections=2)


def test_staff_see_a_draft_with_banner_and_noindex(admin_client, draft):
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of the draft" in html and "Readers see nothing: it is not published." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_visitors_get_404_for_a_draft(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_published_pages_have_no_banner_or_noindex(admin_client, seed_article):
    html = admin_client.get(seed_article.get_absolute_url()).content.decode()
    assert "preview-banner" not in html and "noindex" not in html


def test_share_preview_button_makes_a_working_link(admin_client, client, draft):
    response = admin_client.post(
        reverse("admin:articles_article_share_preview", args=[draft.pk]), follow=True
    )
    link = re.search(r"http://testserver(/preview/[^\"'<]+/)", response.content.decode()).group(1)
    reviewer = client.get(link)
    assert reviewer.status_code == 200
    html = reviewer.content.decode()
    assert "Unreleased melatonin piece" in html and "Readers see nothing" in html
    assert reviewer["X-Robots-Tag"] == "noindex, nofollow"


def test_expired_link_is_404(client, draft, settings):
    link = previews.preview_url(draft)
    settings.PREVIEW_LINK_MAX_AGE = -1
    assert client.get(link).status_code == 404


def test_revoked_links_are_404(admin_client, client, draft):
    link = previews.preview_url(draft)
    assert client.get(link).status_code == 200
    admin_client.post(reverse("admin:articles_article_revoke_previews", args=[draft.pk]))
    assert client.get(link).status_code == 404
    draft.refresh_from_db()
    assert client.get(previews.preview_url(draft)).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_tampered_links_are_404(client, draft, tamper):
    token = previews.make_token(draft)
    assert client.get(reverse("articles:preview", args=[tamper(token)])).status_code == 404


def test_a_link_signed_for_another_article_is_404(client, draft, make_article):
    other = make_article(published=False)
    forged = signing.dumps({"article": other.pk, "key": draft.preview_key}, salt=previews.SALT)
    assert client.get(reverse("articles:preview", args=[forged])).status_code == 404


def test_share_and_revoke_need_change_permission(client, django_user_model, draft):
    viewer = django_user_model.objects.create_user(
        "viewer", password="x-long-password", is_staff=True
    )
    client.force_login(viewer)
    url = reverse("admin:articles_article_share_preview", args=[draft.pk])
    assert client.post(url).status_code == 403


def _without_preview_marks(html):
    """The page minus what only a preview has: the banner and the robots meta."""
    html = re.sub(r'\n<p class="preview-banner".*?</p>\n', "", html, flags=re.S)
    return html.replace('\n  <meta name="robots" content="noindex, nofollow">', "")


def test_a_preview_is_the_page_readers_get_once_published(
    client, admin_client, seed_article, make_article, monkeypatch
):
    seed_article.related.add(make_article("A related piece"))
    before = client.get(seed_article.get_absolute_url()).content.decode()
    assert "A related piece" in client.get(previews.preview_url(seed_article)).content.decode()
    assert "A related piece" not in before  # a draft change: readers do not get it yet
    version = publishing.publish(seed_article)
    live = client.get(seed_article.get_absolute_url()).content.decode()

    # A preview shows the draft as if published now: look at it at the moment it was.
    monkeypatch.setattr(timezone, "now", lambda: version.live_from)
    shared = client.get(previews.preview_url(seed_article))

    assert "preview-banner" in shared.content.decode()
    assert _without_preview_marks(shared.content.decode()) == live


def test_staff_preview_of_a_draft_has_canonical_json_ld_and_disclaimer(admin_client, draft):
    html = admin_client.get(draft.get_absolute_url()).content.decode()
    canonical = f'<link rel="canonical" href="http://testserver{draft.get_absolute_url()}">'
    assert canonical in html
    assert '"@type": "MedicalWebPage"' in html
    assert 'class="disclaimer"' in html
