"""Content checks as the editor types: the change form's fields, rendered in memory through
the same pipeline as a save, checked with the same checks and words; nothing is written."""

from dataclasses import asdict

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import checks
from articles.models import Article, Reference
from tests.admin_forms import open_form


@pytest.fixture
def urls(seed_article):
    return (
        reverse("admin:articles_article_change", args=[seed_article.pk]),
        reverse("admin:articles_article_checks", args=[seed_article.pk]),
    )


def live(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return {check["label"]: check for check in response.json()["checks"]}


def test_an_unchanged_form_gets_the_checks_as_saved_word_for_word(admin_client, seed_article, urls):
    change, checks_url = urls
    data = open_form(admin_client, change)
    answer = admin_client.post(checks_url, data).json()["checks"]
    assert answer == [asdict(check) for check in checks.run_checks(seed_article)]


def test_typed_text_changes_the_checks_before_any_save(admin_client, seed_article, urls):
    Reference.objects.create(key="abbasi2012", authors="Abbasi B", title="Magnesium")
    change, checks_url = urls
    data = open_form(admin_client, change)
    data["summary"] = ""
    data["intro"] = "#### Too deep\n\nSee [nowhere](/articles/no-such-article/)."
    data["sections-0-body"] = "Now cited [@abbasi2012]."
    data.update(
        {
            "sections-TOTAL_FORMS": "7",
            "sections-6-heading": "Safety",
            "sections-6-body": "Back to [the top](#safety).",
        }
    )
    found = live(admin_client, checks_url, data)
    assert found["Summary"]["detail"] == "No summary: lists and search engines show none."
    assert found["Headings in order"]["detail"] == "Skipped levels: h1 → h4."
    assert found["Internal links work"]["detail"] == "Broken: /articles/no-such-article/"
    uncited = found["Sections cite sources"]["detail"]
    assert uncited.startswith("6 of 7 sections cite no reference")
    assert "“Safety”" in uncited and seed_article.sections.first().heading not in uncited
    seed_article.refresh_from_db()
    assert seed_article.summary  # nothing saved


def test_sections_are_checked_in_the_order_typed_without_deleted_ones(
    admin_client, seed_article, urls
):
    change, checks_url = urls
    headings = list(seed_article.sections.values_list("heading", flat=True))
    data = open_form(admin_client, change)
    data["sections-0-position"], data["sections-1-position"] = "2", "1"
    data["sections-5-DELETE"] = "on"
    detail = live(admin_client, checks_url, data)["Sections cite sources"]["detail"]
    assert detail.startswith("5 of 5 sections")
    assert detail.index(headings[1]) < detail.index(headings[0])
    assert headings[5] not in detail


def test_a_typed_change_voids_an_approval_in_the_review_check(
    admin_client, seed_article, urls, approve
):
    approve(seed_article, "Dr Rev")
    change, checks_url = urls
    data = open_form(admin_client, change)
    assert live(admin_client, checks_url, data)["Medical review"]["ok"]
    data["title"] += "  "  # the form strips it: no change
    assert live(admin_client, checks_url, data)["Medical review"]["ok"]
    data["subtitle"] = "Changed"
    review = live(admin_client, checks_url, data)["Medical review"]
    assert not review["ok"]
    assert "the draft has changed since: that approval no longer holds" in review["detail"]


def test_checking_writes_nothing(admin_client, seed_article, urls):
    change, checks_url = urls
    data = open_form(admin_client, change)
    data["intro"] = "Something else entirely."
    version = Article.objects.get(pk=seed_article.pk).version
    with CaptureQueriesContext(connection) as queries:
        live(admin_client, checks_url, data)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert Article.objects.get(pk=seed_article.pk).version == version


def test_too_much_text_is_a_message_not_a_check(admin_client, urls):
    change, checks_url = urls
    data = open_form(admin_client, change)
    data["intro"] = "x" * 20_001
    response = admin_client.post(checks_url, data)
    assert response.status_code == 413
    assert "saving says what to shorten" in response.json()["error"]


@pytest.mark.parametrize(
    "odd",
    [
        {"sections-TOTAL_FORMS": "abc"},
        {"sections-TOTAL_FORMS": "99999"},
        {"sections-0-position": "²"},
        {"sections-0-id": "not-an-id"},
        {},
    ],  # fmt: skip
)
def test_odd_input_is_checked_not_a_500(admin_client, urls, odd):
    change, checks_url = urls
    data = {**open_form(admin_client, change), **odd} if odd else {}
    assert admin_client.post(checks_url, data).status_code == 200


def test_only_those_who_may_change_the_article_get_checks(
    client, django_user_model, seed_article, urls
):
    _, checks_url = urls
    assert client.post(checks_url, {}).status_code == 302  # to the login page
    reader = django_user_model.objects.create_user(
        "rita", password="pw-long-enough-1", is_staff=True
    )
    client.force_login(reader)
    assert client.post(checks_url, {}).status_code == 403
    reader.groups.add(Group.objects.get(name="Editors"))
    assert client.get(checks_url).status_code == 405
    assert client.post(checks_url, {}).status_code == 200
    missing = reverse("admin:articles_article_checks", args=[999_999])
    assert client.post(missing, {}).status_code == 404
