"""Renamed articles keep every old address working, as one 301, with no loops.

An address becomes old when a publish changes the live slug; renaming the draft alone
changes nothing readers get."""

from django.urls import reverse

from articles import publishing
from articles.models import Article, SlugRedirect
from tests.admin_forms import open_form


def rename(article, slug):
    """Rename the draft and publish it."""
    article.slug = slug
    article.save()
    publishing.publish(article)


def client_get_title(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["article"].title


def test_renaming_a_draft_keeps_the_live_address_until_published(client, make_article):
    article = make_article(slug="live-name")
    article.slug = "draft-name"
    article.save()
    assert client.get("/articles/live-name/").status_code == 200
    assert client.get("/articles/draft-name/").status_code == 404
    assert not SlugRedirect.objects.exists()
    publishing.publish(article)
    assert client.get("/articles/live-name/")["Location"] == "/articles/draft-name/"
    assert client.get("/articles/draft-name/").status_code == 200


def test_two_renames_redirect_both_old_addresses_to_the_current_one(client, make_article):
    article = make_article(slug="magnesium-sleep")
    rename(article, "magnesium-for-sleep")
    rename(article, "magnesium-glycinate-sleep")
    for old in ["magnesium-sleep", "magnesium-for-sleep"]:
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/magnesium-glycinate-sleep/"
    assert client.get("/articles/magnesium-glycinate-sleep/").status_code == 200


def test_renaming_back_makes_no_loop(client, make_article):
    article = make_article(slug="a-name")
    rename(article, "b-name")
    rename(article, "a-name")
    assert client.get("/articles/a-name/").status_code == 200
    assert client.get("/articles/b-name/")["Location"] == "/articles/a-name/"
    assert not SlugRedirect.objects.filter(old_slug="a-name").exists()


def test_old_address_of_a_hidden_article_is_404_for_visitors(client, make_article):
    article = make_article(slug="first")
    rename(article, "second")
    publishing.unpublish(article)
    assert client.get("/articles/first/").status_code == 404
    assert client.get("/articles/second/").status_code == 404


def test_new_article_may_not_take_a_live_articles_old_address(admin_client, make_article):
    moved = make_article("Moved article", slug="old-address", sections=1)
    rename(moved, "new-address")
    add_url = reverse("admin:articles_article_add")
    data = open_form(admin_client, add_url)
    data.update({"title": "Newcomer", "slug": "old-address", "_publish": "Save and publish"})

    refused = admin_client.post(add_url, data)
    assert refused.status_code == 200
    assert "is an old address of “Moved article”" in refused.content.decode()
    assert not Article.objects.filter(title="Newcomer").exists()

    data["take_over_address"] = "on"
    assert admin_client.post(add_url, data).status_code == 302
    assert Article.objects.get(slug="old-address").title == "Newcomer"
    assert not SlugRedirect.objects.filter(old_slug="old-address").exists()
    assert Article.objects.get(slug="old-address").publishing().state == "live"
    assert client_get_title(admin_client, "/articles/old-address/") == "Newcomer"


def test_slug_clash_is_a_form_error(admin_client, make_article):
    make_article("Live holder", slug="taken")
    make_article(slug="taken-by-a-draft", published=False)
    other = make_article(slug="free", sections=1)
    url = reverse("admin:articles_article_change", args=[other.pk])
    data = open_form(admin_client, url)
    data["slug"] = "taken"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "/articles/taken/ is the address of “Live holder” on the site." in (
        response.content.decode()
    )
    data["slug"] = "taken-by-a-draft"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Article with this Slug already exists." in response.content.decode()
    other.refresh_from_db()
    assert other.slug == "free"
