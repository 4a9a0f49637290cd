"""Revisions: every save kept, any two compared, any one restored; deleted articles recovered."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, LiveVersion, Section
from articles.revisions import article_versions
from tests.admin_forms import form_data, open_form


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_edit(client, article, **changes):
    data = open_form(client, change_url(article))
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.fixture
def edited_twice(admin_client, seed_article):
    """The seed article: its first revision, then two edits."""
    save_edit(admin_client, seed_article, title="Second title", **{"sections-0-body": "Edit one."})
    save_edit(admin_client, seed_article, title="Third title", **{"sections-0-body": "Edit two."})
    return seed_article


def test_every_save_is_a_revision_with_user_and_comment(admin_client, edited_twice):
    versions = list(article_versions(edited_twice.pk))
    assert len(versions) == 3
    assert {v.revision.user.username for v in versions[:2]} == {"admin"}
    assert "Changed" in versions[0].revision.get_comment()
    history = admin_client.get(reverse("admin:articles_article_history", args=[edited_twice.pk]))
    html = history.content.decode()
    assert html.count('name="from"') == 3 and "First revision" in html


def test_an_editor_can_note_why_in_the_revision(admin_client, seed_article):
    save_edit(
        admin_client, seed_article, subtitle="Sleep", revision_note="Shorter subtitle, per review"
    )
    comment = article_versions(seed_article.pk).first().revision.get_comment()
    assert comment.startswith("Shorter subtitle, per review (Changed Subtitle")
    history = reverse("admin:articles_article_history", args=[seed_article.pk])
    assert "Shorter subtitle, per review" in admin_client.get(history).content.decode()


def test_compare_shows_field_and_section_changes(admin_client, edited_twice):
    newest, middle, first = article_versions(edited_twice.pk)
    response = admin_client.get(
        reverse("admin:articles_article_compare", args=[edited_twice.pk]),
        {"from": first.pk, "to": newest.pk},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>Magnesium Glycinate for Sleep</del><ins>Third title</ins>" in html
    assert "Section “Relaxation and Stress Reduction:”: changed" in html
    assert "<ins>Edit two.</ins>" in html


def test_compare_lists_added_and_removed_sections(admin_client, seed_article):
    save_edit(admin_client, seed_article)
    data = open_form(admin_client, change_url(seed_article))
    data["sections-1-DELETE"] = "on"
    data.update(
        {
            "sections-TOTAL_FORMS": "7",
            "sections-6-position": "7",
            "sections-6-heading": "Safety",
            "sections-6-anchor": "safety",
            "sections-6-body": "New words.",
            "sections-6-article": str(seed_article.pk),
        }
    )
    assert admin_client.post(change_url(seed_article), data).status_code == 302
    newest, older, _first = article_versions(seed_article.pk)
    html = admin_client.get(
        reverse("admin:articles_article_compare", args=[seed_article.pk]),
        {"from": older.pk, "to": newest.pk},
    ).content.decode()
    assert "Section “Safety”: added" in html
    assert "Section “Regulation of GABA Receptors:”: removed" in html


def test_restore_the_first_revision_brings_back_its_text(admin_client, client, edited_twice):
    first = article_versions(edited_twice.pk).last()
    revision_url = reverse("admin:articles_article_revision", args=[edited_twice.pk, first.pk])
    form = admin_client.get(revision_url)
    assert form.status_code == 200
    assert admin_client.post(revision_url, form_data(form.content.decode())).status_code == 302

    page = client.get(edited_twice.get_absolute_url()).content.decode()
    assert "<h1>Magnesium Glycinate for Sleep</h1>" in page
    assert "Edit two." not in page and "exert calming effects" in page
    # Restoring added a revision; the two edits are still there to go back to.
    versions = list(article_versions(edited_twice.pk))
    assert len(versions) == 4 and "Reverted" in versions[0].revision.get_comment()


def test_restoring_brings_back_a_deleted_section(admin_client, seed_article):
    save_edit(admin_client, seed_article)
    before = article_versions(seed_article.pk).first()
    data = open_form(admin_client, change_url(seed_article))
    data["sections-2-DELETE"] = "on"
    admin_client.post(change_url(seed_article), data)
    assert seed_article.sections.count() == 5

    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, before.pk])
    form = form_data(admin_client.get(revision_url).content.decode())
    assert admin_client.post(revision_url, form).status_code == 302
    assert seed_article.sections.filter(heading="Muscle Relaxation:").exists()


def test_restoring_a_revision_whose_slug_is_now_taken_is_a_message(admin_client, make_article):
    article = make_article(slug="original", sections=1)
    save_edit(admin_client, article)
    old = article_versions(article.pk).first()
    save_edit(admin_client, article, slug="renamed", _publish="Save and publish")
    make_article(slug="original")  # someone else takes the old slug

    revision_url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    response = admin_client.get(revision_url, follow=True)
    assert response.status_code == 200
    assert "cannot be restored as it is" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "renamed"


def test_unknown_revision_is_404(admin_client, seed_article):
    url = reverse("admin:articles_article_revision", args=[seed_article.pk, 999999])
    assert admin_client.get(url).status_code == 404
    compare = reverse("admin:articles_article_compare", args=[seed_article.pk])
    assert admin_client.get(compare, {"from": "x", "to": "999999"}).status_code == 404


def test_delete_and_recover_with_sections_and_relations(admin_client, seed_article, make_article):
    glycine = make_article("Glycine")
    seed_article.related.add(glycine)
    save_edit(admin_client, seed_article)
    pk = seed_article.pk
    delete_url = reverse("admin:articles_article_delete", args=[pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert not Section.objects.filter(article_id=pk).exists()

    trash = admin_client.get(reverse("admin:articles_article_recoverlist")).content.decode()
    assert "Magnesium Glycinate for Sleep" in trash
    deleted = Version.objects.get_deleted(Article).get(object_id=str(pk))
    recover_url = reverse("admin:articles_article_recover", args=[deleted.pk])
    form = form_data(admin_client.get(recover_url).content.decode())
    response = admin_client.post(recover_url, form, follow=True)
    assert "is recovered with its sections" in response.content.decode()

    recovered = Article.objects.get(pk=pk)
    assert recovered.sections.count() == 6
    assert list(recovered.related.all()) == [glycine]


def test_only_superusers_purge_the_trash(admin_client, client, editor, make_article):
    article = make_article(sections=1)
    save_edit(admin_client, article)
    admin_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    purge_url = reverse("admin:articles_article_purge", args=[deleted.pk])

    client.force_login(editor)
    assert client.post(purge_url).status_code == 403
    assert (
        "Delete for good"
        not in client.get(reverse("admin:articles_article_recoverlist")).content.decode()
    )

    assert admin_client.post(purge_url).status_code == 302
    assert not Version.objects.get_for_object_reference(Article, article.pk).exists()
    assert not Version.objects.get_deleted(Article).filter(object_id=str(article.pk)).exists()


def test_publish_and_unpublish_are_recorded_with_who_did_them(
    admin_client, admin_user, make_article
):
    """Revisions are the draft's history; publishing leaves the draft alone and is kept as
    live versions (what readers got, from when, published by whom) and in the audit log."""
    article = make_article(published=False)
    changelist = reverse("admin:articles_article_changelist")
    admin_client.post(changelist, {"action": "publish", "_selected_action": [article.pk]})
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [article.pk]})
    versions = LiveVersion.objects.filter(article=article)  # newest first
    assert [(v.takedown, v.published_by) for v in versions] == [
        (True, admin_user),
        (False, admin_user),
    ]
    logged = LogEntry.objects.filter(object_id=str(article.pk)).order_by("-pk")[:2]
    assert [(entry.get_change_message(), entry.user) for entry in logged] == [
        ("Unpublished.", admin_user),
        ("Published.", admin_user),
    ]


def test_audit_log_lists_who_did_what(admin_client, seed_article, make_article):
    save_edit(admin_client, seed_article, title="Audited title")
    article = make_article()
    admin_client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    html = admin_client.get(reverse("admin:admin_logentry_changelist")).content.decode()
    assert "Audited title" in html and article.title in html
    assert re.search(r"Deletion", html)


def as_a_browser_sends_it(data):
    """Browsers send every textarea with CRLF line ends, changed or not."""
    return {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in data.items()
    }


def test_history_names_only_what_changed(admin_client, seed_article):
    save_edit(admin_client, seed_article)  # the first revision, as saved by the admin
    data = as_a_browser_sends_it(open_form(admin_client, change_url(seed_article)))
    data["title"] = "A new title"
    data["sections-2-body"] = "A new body for the third section."
    assert admin_client.post(change_url(seed_article), data).status_code == 302

    comment = article_versions(seed_article.pk).first().revision.get_comment()
    assert comment == "Changed Title. Changed Body for section “Muscle Relaxation:”."


def test_a_note_is_not_a_change_of_the_article(admin_client, seed_article):
    save_edit(admin_client, seed_article, revision_note="Checked the sources")
    comment = article_versions(seed_article.pk).first().revision.get_comment()
    assert comment == "Checked the sources (No fields changed.)"
