"""The Editors group: content yes, users and purging no; visitors only what is published."""

from django.urls import reverse

from tests.admin_forms import open_form


def test_editors_cannot_manage_users(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_editors_edit_articles_and_supplements(client, editor, seed_article):
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = open_form(client, url)
    data["subtitle"] = "Edited by an editor"
    assert client.post(url, data).status_code == 302
    assert client.get(reverse("admin:articles_supplement_add")).status_code == 200


def test_editors_can_upload_images_and_preview_markdown(client, editor):
    client.force_login(editor)
    assert client.post("/markdownx/markdownify/", {"content": "*x*"}).status_code == 200


def test_editors_see_the_trash_and_history(client, editor, seed_article):
    client.force_login(editor)
    assert client.get(reverse("admin:articles_article_recoverlist")).status_code == 200
    history = reverse("admin:articles_article_history", args=[seed_article.pk])
    assert client.get(history).status_code == 200


def test_staff_without_the_group_see_no_articles(client, django_user_model):
    staff = django_user_model.objects.create_user("bare", password="x-long-password", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
