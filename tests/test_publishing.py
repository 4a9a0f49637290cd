"""Publishing state belongs to the live article: actions do what they say, restores keep it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import previews
from articles.models import Article
from articles.revisions import article_versions
from tests.admin_forms import form_data, open_form

CHANGELIST = "admin:articles_article_changelist"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def go_live_fields(moment):
    """The admin's two boxes for the go-live time, as an editor fills them in."""
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def save_edit(client, article, **changes):
    data = open_form(client, change_url(article))
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def restore(client, article, version):
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(url, form_data(form.content.decode()), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def run_action(client, action, *articles):
    response = client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [article.pk for article in articles]},
        follow=True,
    )
    return response.content.decode()


def test_restoring_a_scheduled_revision_keeps_the_article_live(admin_client, client, make_article):
    article = make_article("Live piece", sections=1, intro="First words.")
    tomorrow = timezone.now() + timedelta(days=1)
    save_edit(
        admin_client, article, intro="Words written while scheduled.", **go_live_fields(tomorrow)
    )
    scheduled = article_versions(article.pk).first()
    article.refresh_from_db()
    assert article.state == "scheduled"
    save_edit(
        admin_client, article, intro="Words of the live article.", **go_live_fields(timezone.now())
    )
    article.refresh_from_db()
    assert article.state == "live"

    restore(admin_client, article, scheduled)

    article.refresh_from_db()
    assert article.state == "live"
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "Words written while scheduled." in page.content.decode()


def test_restoring_an_older_revision_keeps_revoked_preview_links_dead(
    admin_client, client, make_article
):
    article = make_article("Draft piece", published=False, sections=1, intro="Old words.")
    save_edit(admin_client, article, intro="Older revision.")
    older = article_versions(article.pk).first()
    old_link = previews.preview_url(article)
    admin_client.post(reverse("admin:articles_article_revoke_previews", args=[article.pk]))
    article.refresh_from_db()
    new_link = previews.preview_url(article)
    assert client.get(old_link).status_code == 404

    restore(admin_client, article, older)

    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_restore_renders_the_restored_markdown(admin_client, client, make_article):
    article = make_article(sections=1, intro="The **first** intro.")
    section = article.sections.get()
    save_edit(admin_client, article, **{"sections-0-body": "The **old** body."})
    older = article_versions(article.pk).first()
    save_edit(admin_client, article, intro="Plain.", **{"sections-0-body": "Plain body."})

    restore(admin_client, article, older)

    article.refresh_from_db()
    section.refresh_from_db()
    assert article.intro_html.strip() == "<p>The <strong>first</strong> intro.</p>"
    assert section.body_html.strip() == "<p>The <strong>old</strong> body.</p>"
    assert (
        "The <strong>old</strong> body." in client.get(article.get_absolute_url()).content.decode()
    )
    assert "first intro" in article.search_text


def test_a_restore_says_what_it_brought_back(admin_client, make_article):
    article = make_article(sections=2, intro="First intro.")
    save_edit(admin_client, article)
    older = article_versions(article.pk).first()
    save_edit(admin_client, article, intro="Second intro.", **{"sections-1-body": "Changed."})

    html = restore(admin_client, article, older)

    assert "Restored the revision of" in html
    assert "Intro" in html and "section “Section 2”" in html
    assert "section “Section 1”" not in html
    assert "Publishing state, go-live and expiry times and preview links are unchanged" in html


def test_publish_action_publishes_a_scheduled_article_now(admin_client, client, make_article):
    scheduled = make_article("Scheduled piece", published_at=timezone.now() + timedelta(days=3))
    assert scheduled.state == "scheduled"

    html = run_action(admin_client, "publish", scheduled)

    scheduled.refresh_from_db()
    assert scheduled.state == "live"
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    assert "Published 0" not in html
    assert "“Scheduled piece” is live now (it was scheduled for" in html


def test_publish_action_reports_each_article(admin_client, make_article):
    draft = make_article("A draft", published=False)
    live = make_article("A live one")
    expired = make_article(
        "An expired one",
        published_at=timezone.now() - timedelta(days=3),
        expires_at=timezone.now() - timedelta(days=1),
    )

    html = run_action(admin_client, "publish", draft, live, expired)

    assert "“A draft” is live now." in html
    assert "“A live one” skipped: it is already live." in html
    assert "“An expired one” is live now (its expiry time" in html
    for article in [draft, live, expired]:
        article.refresh_from_db()
        assert article.state == "live"


def test_unpublish_action_reports_each_article(admin_client, make_article):
    draft = make_article("A draft", published=False)
    scheduled = make_article("Scheduled", published_at=timezone.now() + timedelta(days=3))
    live = make_article("A live one")

    html = run_action(admin_client, "unpublish", draft, scheduled, live)

    assert "“A draft” skipped: it is already a draft." in html
    assert "“Scheduled” is a draft now (it was scheduled)." in html
    assert "“A live one” is a draft now (it was live)." in html
    chosen = Article.objects.filter(pk__in=[draft.pk, scheduled.pk, live.pk])
    assert set(chosen.values_list("status", flat=True)) == {"draft"}


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_an_action_that_changes_nothing_is_not_a_success(admin_client, make_article, action):
    article = make_article(published=action == "publish")
    html = run_action(admin_client, action, article)
    assert "skipped" in html and 'class="success"' not in html
