"""Publishing is its own step: actions do what they say, restores change only the draft."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import previews, publishing
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
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
    }


PUBLISH = {"_publish": "Save and publish"}


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


def test_restoring_a_revision_saved_while_scheduled_changes_only_the_draft(
    admin_client, client, make_article
):
    article = make_article("Live piece", sections=1, intro="First words.")
    tomorrow = timezone.now() + timedelta(days=1)
    save_edit(
        admin_client,
        article,
        intro="Words written while scheduled.",
        **go_live_fields(tomorrow),
        **PUBLISH,
    )
    scheduled = article_versions(article.pk).first()
    article.refresh_from_db()
    assert article.publishing().scheduled.live_from > timezone.now()
    assert "First words." in client.get(article.get_absolute_url()).content.decode()
    save_edit(admin_client, article, intro="Words of the live article.", **PUBLISH)
    article.refresh_from_db()
    assert article.state == "live" and article.publishing().scheduled is None

    restore(admin_client, article, scheduled)

    article.refresh_from_db()
    standing = article.publishing()
    assert standing.state == "changed" and standing.scheduled is None
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Words of the live article." in page and "Words written while scheduled." not in page
    draft = admin_client.get(article.get_absolute_url() + "?draft").content.decode()
    assert "Words written while scheduled." in draft
    publishing.publish(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Words written while scheduled." in page


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
    save_edit(
        admin_client, article, intro="Plain.", **{"sections-0-body": "Plain body."}, **PUBLISH
    )

    restore(admin_client, article, older)

    article.refresh_from_db()
    section.refresh_from_db()
    assert article.intro_html.strip() == "<p>The <strong>first</strong> intro.</p>"
    assert section.body_html.strip() == "<p>The <strong>old</strong> body.</p>"
    assert "first intro" in article.search_text
    draft = admin_client.get(article.get_absolute_url() + "?draft").content.decode()
    assert "The <strong>old</strong> body." in draft
    assert "Plain body." in client.get(article.get_absolute_url()).content.decode()
    publishing.publish(article)
    assert (
        "The <strong>old</strong> body." in client.get(article.get_absolute_url()).content.decode()
    )


def test_a_restore_says_what_it_brought_back(admin_client, make_article):
    article = make_article(sections=2, intro="First intro.")
    save_edit(admin_client, article)
    older = article_versions(article.pk).first()
    save_edit(admin_client, article, intro="Second intro.", **{"sections-1-body": "Changed."})

    html = restore(admin_client, article, older)

    assert "Restored the revision of" in html
    assert "Intro" in html and "section “Section 2”" in html
    assert "section “Section 1”" not in html
    assert "Readers still get what was last published until you publish again" in html
    assert "the expiry time and preview links are unchanged" in html


def test_publish_action_publishes_a_scheduled_article_now(admin_client, client, make_article):
    scheduled = make_article("Scheduled piece", published_at=timezone.now() + timedelta(days=3))
    assert scheduled.state == "scheduled"

    html = run_action(admin_client, "publish", scheduled)

    scheduled.refresh_from_db()
    assert scheduled.state == "live"
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    assert "Published 0" not in html
    assert "“Scheduled piece” is live now (it was scheduled for" in html


def test_publish_action_reports_each_article(admin_client, client, make_article):
    draft = make_article("A draft", published=False)
    live = make_article("A live one")
    changed = make_article("A changed one", intro="Old words.")
    changed.intro = "New words."
    changed.save()

    html = run_action(admin_client, "publish", draft, live, changed)

    assert "“A draft” is live now." in html
    assert "“A live one” skipped: readers already get this draft." in html
    assert "“A changed one” is live now (its changes replace the version readers had)." in html
    for article in [draft, live, changed]:
        article.refresh_from_db()
        assert article.state == "live", article
        assert client.get(article.get_absolute_url()).status_code == 200
    assert "New words." in client.get(changed.get_absolute_url()).content.decode()


def test_publish_action_makes_an_expired_article_live(admin_client, client, make_article):
    expired = make_article(
        "An expired one",
        published_at=timezone.now() - timedelta(days=3),
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert expired.state == "expired"

    html = run_action(admin_client, "publish", expired)

    assert "“An expired one” is live now (it had expired; its expiry time is removed)." in html
    expired.refresh_from_db()
    assert expired.state == "live"
    assert client.get(expired.get_absolute_url()).status_code == 200


def test_unpublish_action_reports_each_article(admin_client, client, make_article):
    draft = make_article("A draft", published=False)
    scheduled = make_article("Scheduled", published_at=timezone.now() + timedelta(days=3))
    live = make_article("A live one")

    html = run_action(admin_client, "unpublish", draft, scheduled, live)

    assert "“A draft” skipped: readers do not see it." in html
    assert "“Scheduled” is no longer published (it was scheduled); its draft is kept." in html
    assert "“A live one” is no longer published (it was live); its draft is kept." in html
    for article in [draft, scheduled, live]:
        article.refresh_from_db()
        assert article.state == "draft"
        assert client.get(article.get_absolute_url()).status_code == 404
    assert Article.objects.filter(pk__in=[draft.pk, scheduled.pk, live.pk]).count() == 3


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_an_action_that_changes_nothing_is_not_a_success(admin_client, make_article, action):
    article = make_article(published=action == "publish")
    html = run_action(admin_client, action, article)
    assert "skipped" in html and 'class="success"' not in html
