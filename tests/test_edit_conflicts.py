"""Two editors on one article: the later save is refused and nobody's words are lost."""

import pytest
from django.urls import reverse

from articles.models import Article, Section
from tests.admin_forms import form_data, open_form


@pytest.fixture
def second_admin(client, django_user_model):
    other = django_user_model.objects.create_superuser("bea", "", "a-long-test-password-2")
    client.force_login(other)
    return client


def test_second_save_is_refused_and_first_text_survives(admin_client, second_admin, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    first = open_form(admin_client, url)
    second = open_form(second_admin, url)

    first["sections-0-body"] = "Alice's new first section."
    assert admin_client.post(url, first).status_code == 302

    second["sections-0-body"] = "Bea's competing first section."
    second["title"] = "Bea's title"
    response = second_admin.post(url, second)

    assert response.status_code == 200
    html = response.content.decode()
    assert "admin saved this article on" in html
    assert "Nothing you typed has been saved or lost" in html
    # Bea's typing is still in the form ...
    assert "Bea&#x27;s competing first section." in html and "Bea&#x27;s title" in html
    # ... and she sees what Alice changed.
    assert "What admin changed since you opened this form" in html
    assert "<ins>Alice&#x27;s" in html
    section = seed_article.sections.get(pk=form_data(html)["sections-0-id"])
    assert section.body == "Alice's new first section."
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"


def test_after_merging_the_second_editor_can_save(admin_client, second_admin, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    first, second = open_form(admin_client, url), open_form(second_admin, url)
    first["subtitle"] = "Alice's subtitle"
    admin_client.post(url, first)

    second["title"] = "Bea's title"
    refused = second_admin.post(url, second)
    merged = form_data(refused.content.decode())
    merged["subtitle"] = "Alice's subtitle"
    merged["replace_theirs"] = "on"  # the editor's explicit choice, after merging
    assert second_admin.post(url, merged).status_code == 302

    seed_article.refresh_from_db()
    assert (seed_article.title, seed_article.subtitle) == ("Bea's title", "Alice's subtitle")


def test_an_editors_own_consecutive_saves_do_not_conflict(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    for title in ["One", "Two", "Three"]:
        data = open_form(admin_client, url)
        data["title"] = title
        assert admin_client.post(url, data).status_code == 302
    seed_article.refresh_from_db()
    assert seed_article.title == "Three"


def test_a_publish_in_between_is_no_conflict_and_a_stale_save_does_not_undo_it(
    admin_client, second_admin, make_article
):
    draft = make_article(published=False, sections=1)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    stale = open_form(second_admin, url)
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    # Publishing changed what readers get, not the draft the form was opened on.
    stale["subtitle"] = "Bea's subtitle"
    assert second_admin.post(url, stale).status_code == 302
    draft.refresh_from_db()
    assert draft.subtitle == "Bea's subtitle"
    assert draft.publishing().state == "changed"  # still live; Bea's change waits for a publish


def _refused_once(admin_client, second_admin, article):
    """Alice saves a new subtitle; Bea, who opened the form before, is refused."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = open_form(admin_client, url), open_form(second_admin, url)
    first["subtitle"] = "Alice's subtitle"
    assert admin_client.post(url, first).status_code == 302
    second["title"] = "Bea's title"
    refused = second_admin.post(url, second)
    assert refused.status_code == 200
    return url, form_data(refused.content.decode())


def test_saving_a_refused_form_again_unchanged_is_refused_again(
    admin_client, second_admin, seed_article
):
    url, refused = _refused_once(admin_client, second_admin, seed_article)

    again = second_admin.post(url, refused)

    assert again.status_code == 200
    assert "Replace their changes" in again.content.decode()
    seed_article.refresh_from_db()
    assert (seed_article.title, seed_article.subtitle) == (
        "Magnesium Glycinate for Sleep",
        "Alice's subtitle",
    )


def test_replace_their_changes_is_an_explicit_choice(admin_client, second_admin, seed_article):
    url, refused = _refused_once(admin_client, second_admin, seed_article)
    assert "replace_theirs" not in refused  # never ticked for the editor

    refused["replace_theirs"] = "on"
    assert second_admin.post(url, refused).status_code == 302

    seed_article.refresh_from_db()
    assert seed_article.title == "Bea's title"
    assert seed_article.subtitle != "Alice's subtitle"  # Bea chose to replace it


def test_replacing_is_refused_if_they_saved_again_since(admin_client, second_admin, seed_article):
    url, refused = _refused_once(admin_client, second_admin, seed_article)
    third = open_form(admin_client, url)
    third["subtitle"] = "Alice's second thought"
    assert admin_client.post(url, third).status_code == 302

    refused["replace_theirs"] = "on"
    assert second_admin.post(url, refused).status_code == 200
    seed_article.refresh_from_db()
    assert seed_article.subtitle == "Alice's second thought"


def test_an_edit_from_a_script_is_a_conflict(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    stale = open_form(admin_client, url)
    section = seed_article.sections.first()
    section.body = "Fixed by a data migration."
    section.save()  # no revision: not through the admin

    stale["title"] = "An editor's title"
    response = admin_client.post(url, stale)

    assert response.status_code == 200
    assert "changed outside the admin" in response.content.decode()
    assert Section.objects.get(pk=section.pk).body == "Fixed by a data migration."


def test_an_article_saved_by_the_shell_is_a_conflict(admin_client, seed_article):
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    stale = open_form(admin_client, url)
    Article.objects.get(pk=seed_article.pk).save()  # even a save that changes nothing visible

    assert admin_client.post(url, stale).status_code == 200


def test_a_stale_copy_saved_by_a_script_cannot_set_the_version_back(seed_article):
    one, two = Article.objects.get(pk=seed_article.pk), Article.objects.get(pk=seed_article.pk)
    one.save()
    moved = Article.objects.get(pk=seed_article.pk).version
    two.save()
    assert Article.objects.get(pk=seed_article.pk).version > moved
