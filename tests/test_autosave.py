"""Nothing lost: the editor's unsaved form is kept in their own slot, with no consequence
for anyone else, and the live preview renders it through the page's own code."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from reversion.models import Version

from articles import publishing
from articles.models import Article, Autosave, LiveVersion
from mgsite.page_cache.models import Generation
from tests.admin_forms import open_form


def urls(article):
    return {
        name: reverse(f"admin:articles_article_{name}", args=[article.pk])
        for name in ["change", "autosave", "autosave_discard", "live_preview"]
    }


def edited_form(client, article, **changes):
    data = open_form(client, urls(article)["change"])
    data.update(changes)
    return data


def article_element(html):
    return re.search(r"<article class=\"article\">.*</article>", html, re.S).group(0)


def test_autosave_keeps_the_form_and_changes_nothing_else(admin_client, seed_article, client):
    client.get(seed_article.get_absolute_url())  # a generation, and the page cached under it
    generation = Generation.objects.get().token
    data = edited_form(admin_client, seed_article, title="Unsaved Title", intro="Unsaved *intro*.")
    revisions, version = Version.objects.count(), seed_article.version  # after the first visit
    response = admin_client.post(urls(seed_article)["autosave"], data)
    assert response.status_code == 200 and response.json()["saved_at"]
    slot = Autosave.objects.get(article=seed_article)
    assert slot.data["title"] == ["Unsaved Title"] and "csrfmiddlewaretoken" not in slot.data
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"
    assert seed_article.version == version and Version.objects.count() == revisions
    assert Generation.objects.get().token == generation
    assert LiveVersion.objects.filter(article=seed_article).count() == 1
    assert "Unsaved Title" not in client.get(seed_article.get_absolute_url()).content.decode()
    # It comes back to its editor.
    answer = admin_client.get(urls(seed_article)["autosave"]).json()
    assert answer["data"]["intro"] == ["Unsaved *intro*."]


def test_each_editor_has_a_slot_of_their_own(admin_client, client, editor, seed_article):
    admin_client.post(urls(seed_article)["autosave"], edited_form(admin_client, seed_article))
    client.force_login(editor)
    assert client.get(urls(seed_article)["autosave"]).status_code == 404
    client.post(urls(seed_article)["autosave"], {"title": "Edith's"})
    assert Autosave.objects.filter(article=seed_article).count() == 2


def test_saving_the_form_empties_the_slot_and_discard_does_too(admin_client, seed_article):
    data = edited_form(admin_client, seed_article, subtitle="Kept, then saved")
    admin_client.post(urls(seed_article)["autosave"], data)
    assert admin_client.post(urls(seed_article)["change"], data).status_code == 302
    assert not Autosave.objects.exists()
    admin_client.post(urls(seed_article)["autosave"], data)
    assert admin_client.get(urls(seed_article)["autosave_discard"]).status_code == 405
    assert admin_client.post(urls(seed_article)["autosave_discard"]).json() == {"discarded": True}
    assert not Autosave.objects.exists()


def test_the_change_form_offers_the_kept_text_back(admin_client, seed_article):
    admin_client.post(urls(seed_article)["autosave"], edited_form(admin_client, seed_article))
    page = admin_client.get(urls(seed_article)["change"]).content.decode()
    assert "unsaved changes" in page and "data-autosave-restore" in page


def test_who_may_not_change_articles_gets_no_slot(client, django_user_model, seed_article):
    viewer = django_user_model.objects.create_user("vera", password="x" * 20, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    for name in ["autosave", "autosave_discard", "live_preview"]:
        assert client.post(urls(seed_article)[name]).status_code == 403, name
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "²", "999999", "1%00"])
def test_malformed_or_unknown_ids_are_404(admin_client, bad):
    for name in ["autosave", "autosave/discard", "live-preview"]:
        url = f"/admin/articles/article/{bad}/{name}/"
        assert admin_client.post(url).status_code == 404, url


def test_too_much_text_is_refused_with_a_reason(admin_client, seed_article):
    response = admin_client.post(urls(seed_article)["autosave"], {"intro": "x" * 500_000})
    assert response.status_code == 413 and "cannot be kept" in response.json()["error"]
    Autosave.objects.create(
        user=response.wsgi_request.user, article=seed_article,
        data={"intro": ["x" * 30_000]}, saved_at=seed_article.updated_at,
    )  # fmt: skip
    preview = admin_client.get(urls(seed_article)["live_preview"])
    assert preview.status_code == 413 and "longer than the limits allow" in preview.content.decode()


def test_a_forged_row_count_is_harmless(admin_client, seed_article):
    data = {"title": "T", "sections-TOTAL_FORMS": "99999999999", "updates-TOTAL_FORMS": "x"}
    admin_client.post(urls(seed_article)["autosave"], data)
    assert admin_client.get(urls(seed_article)["live_preview"]).status_code == 200


def test_live_preview_is_the_page_publishing_would_make(admin_client, client, seed_article):
    """The preview of the unsaved form and the page after saving and publishing the same
    form are the same HTML: one template, one pipeline."""
    data = edited_form(
        admin_client, seed_article,
        title="Magnesium, Previewed", intro="A **bold** new intro.",
        **{"sections-0-body": "Changed section text, *emphasised*."},
    )  # fmt: skip
    admin_client.post(urls(seed_article)["autosave"], data)
    preview = admin_client.get(urls(seed_article)["live_preview"])
    html = preview.content.decode()
    assert "Preview of your unsaved changes" in html
    assert "<strong>bold</strong>" in html and "<em>emphasised</em>" in html
    assert admin_client.post(urls(seed_article)["change"], data).status_code == 302
    article = Article.objects.get(pk=seed_article.pk)
    publishing.publish(article, unreviewed_reason="test")
    public = client.get(article.get_absolute_url()).content.decode()
    assert article_element(html) == article_element(public)


def test_only_the_live_preview_may_be_framed_and_only_by_the_site(admin_client, seed_article):
    preview = admin_client.get(urls(seed_article)["live_preview"])
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "no-store" in preview["Cache-Control"]
    for url in [urls(seed_article)["change"], seed_article.get_absolute_url(), "/"]:
        response = admin_client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_live_preview_shows_the_typed_images_and_lead_image(admin_client, seed_article, make_image):
    lead, inline = make_image(alt_text="A lead photo"), make_image(alt_text="An inline photo")
    data = edited_form(
        admin_client, seed_article, lead_image=str(lead.pk), intro=f"![](image:{inline.pk})"
    )
    admin_client.post(urls(seed_article)["autosave"], data)
    html = admin_client.get(urls(seed_article)["live_preview"]).content.decode()
    assert 'alt="A lead photo"' in html and 'alt="An inline photo"' in html
