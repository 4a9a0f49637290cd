"""Medical review, the disclaimer and public update notes on the article page."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from articles import publishing
from articles.models import Article, ArticleUpdate, SiteSettings
from tests.admin_forms import open_form


def page_text(html):
    """What a reader reads: the words of the page, tags gone, spaces collapsed."""
    return " ".join(strip_tags(html).split())


def test_review_line_on_the_page(client, make_article, approve):
    article = make_article(published=False)
    approve(article, "Dr Ada Lovelace", "MD", on=date(2026, 3, 1))
    publishing.publish(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Medically reviewed by Dr Ada Lovelace, MD on 1 March 2026" in page_text(html)
    reviewer = article.approvals.get().reviewer
    assert f'<a href="{reviewer.get_absolute_url()}">Dr Ada Lovelace, MD</a>' in html


def test_next_review_is_due_twelve_months_after_an_approval(make_article, approve):
    article = make_article()
    approve(article, "Dr A", on=date(2026, 1, 10))
    article.refresh_from_db()
    assert article.next_review_due == date(2027, 1, 10)


def test_unreviewed_article_shows_no_review_line(client, seed_article):
    assert "Medically reviewed" not in client.get(seed_article.get_absolute_url()).content.decode()


def test_review_filters_overdue_and_due_soon(admin_client, make_article, approve):
    today = timezone.localdate()
    approve(make_article("Overdue piece"), "R", on=today - timedelta(days=400))
    approve(make_article("Due soon piece"), "R", on=today - timedelta(days=350))
    approve(make_article("Fresh piece"), "R", on=today)
    url = reverse("admin:articles_article_changelist")
    overdue = admin_client.get(url, {"review": "overdue"}).content.decode()
    assert "Overdue piece" in overdue and "Due soon piece" not in overdue
    soon = admin_client.get(url, {"review": "due30"}).content.decode()
    assert "Due soon piece" in soon and "Fresh piece" not in soon and "Overdue piece" not in soon


def test_disclaimer_on_every_article_and_editable(admin_client, client, seed_article, make_article):
    other = make_article()
    for article in [seed_article, other]:
        assert "not medical advice" in client.get(article.get_absolute_url()).content.decode()

    url = reverse("admin:articles_sitesettings_change", args=[1])
    response = admin_client.post(url, {"disclaimer": "Ask **your doctor** first."})
    assert response.status_code == 302
    html = client.get(other.get_absolute_url()).content.decode()
    assert "Ask <strong>your doctor</strong> first." in html
    assert SiteSettings.objects.count() == 1


def test_site_settings_list_opens_the_one_row(admin_client):
    response = admin_client.get(reverse("admin:articles_sitesettings_changelist"))
    assert response.status_code == 302 and response["Location"].endswith("/1/change/")


def test_update_notes_listed_newest_first_once_published(client, make_article):
    article = make_article()
    ArticleUpdate.objects.create(article=article, date=date(2026, 1, 5), note="Added a dose table.")
    ArticleUpdate.objects.create(article=article, date=date(2026, 6, 1), note="New 2026 trial.")
    assert "Update history" not in client.get(article.get_absolute_url()).content.decode()
    publishing.publish(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Update history" in html
    assert html.index("New 2026 trial.") < html.index("Added a dose table.")


def test_next_review_before_last_is_a_form_error(admin_client, make_article, approve):
    article = make_article(sections=1)
    approve(article, "R", on=date(2026, 5, 1))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data["next_review_due"] = "2026-04-01"
    response = admin_client.post(url, data)
    assert "The next review must be after the last one." in response.content.decode()
    assert Article.objects.get(pk=article.pk).next_review_due == date(2027, 5, 1)
