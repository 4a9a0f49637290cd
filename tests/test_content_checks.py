"""The change form's checklist: each item on a crafted article, and the seed's honest state."""

from datetime import date

import pytest
from django.urls import reverse

from articles.checks import run_checks
from articles.models import Reference, Section


def checks_by_label(article):
    return {check.label: check for check in run_checks(article)}


@pytest.fixture
def flawed(make_article, approve):
    article = make_article(
        summary="",
        intro="![](/media/uploads/a.png) and [a dead link](/articles/no-such-article/)",
    )
    body = "#### Too deep\n\nSee [below](#nowhere)."
    Section.objects.create(article=article, heading="Dose", anchor="dose", position=1, body=body)
    approve(article, "Dr R", on=date(2020, 1, 1))  # long overdue
    return article


@pytest.fixture
def sound(make_article, approve):
    Reference.objects.create(key="good1", authors="A", title="T")
    target = make_article(slug="target")
    article = make_article(
        summary="A short, clear summary.",
        intro=f"![Capsules](/media/b.png) See [the other]({target.get_absolute_url()}).",
    )
    body = "### Detail\n\nA claim [@good1]. Back to [dose](#dose)."
    Section.objects.create(article=article, heading="Dose", anchor="dose", position=1, body=body)
    approve(article, "Dr R")
    return article


def test_flawed_article_fails_each_check(flawed):
    checks = checks_by_label(flawed)
    assert not checks["Sections cite sources"].ok
    assert "1 of 1 sections cite no reference: “Dose”." in checks["Sections cite sources"].detail
    assert not checks["Summary"].ok and "No summary" in checks["Summary"].detail
    assert not checks["Headings in order"].ok and "h2 → h4" in checks["Headings in order"].detail
    assert not checks["Images have alt text"].ok
    assert not checks["Medical review"].ok and "overdue" in checks["Medical review"].detail
    broken = checks["Internal links work"]
    assert not broken.ok
    assert "/articles/no-such-article/" in broken.detail and "#nowhere" in broken.detail


def test_sound_article_passes_each_check(sound):
    checks = checks_by_label(sound)
    assert all(check.ok for check in checks.values()), [c for c in checks.values() if not c.ok]


def test_overlong_summary_is_flagged(make_article):
    check = checks_by_label(make_article(summary="x" * 200))["Summary"]
    assert not check.ok and "200 characters" in check.detail


def test_length_and_reading_time(make_article):
    article = make_article(title="Two words", intro=" ".join(["word"] * 398))
    assert checks_by_label(article)["Length"].detail == "400 words, about 2 min to read."


def test_seed_article_honestly_cites_nothing(admin_client, seed_article):
    html = admin_client.get(
        reverse("admin:articles_article_change", args=[seed_article.pk])
    ).content.decode()
    assert "Content checks" in html
    assert "6 of 6 sections cite no reference" in html
    assert "Not medically reviewed yet." in html
