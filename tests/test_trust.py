"""Medical review, the disclaimer and public update notes on the article page."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from reversion.models import Version

from articles import publishing
from articles.models import (
    Article,
    ArticleUpdate,
    LiveVersion,
    Reference,
    SitePage,
    SiteSettings,
)
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


# The trust block, key takeaways and the site's own pages ---------------------------------


def trust_block(html):
    start = html.index('<div class="trust">')
    return html[start : html.index("</div>", start)]


def test_trust_block_of_the_seed_says_what_it_has_and_no_more(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    block = trust_block(html)
    assert 'Written by <a href="/about/">mgsite</a>' in block
    assert "Medically reviewed" not in html
    text = page_text(block)
    assert "Last updated" in text and "No sources cited" in text and "3 min read" in text
    assert '<a href="/editorial-policy/">Editorial policy</a>' in block


def test_trust_block_counts_sources_and_reading_time(client, make_article):
    for key in ["a1", "b2"]:
        Reference.objects.create(key=key, authors="A", title=f"Study {key}")
    article = make_article(intro="One [@a1]. Two [@b2]. " + "word " * 450)
    text = page_text(trust_block(client.get(article.get_absolute_url()).content.decode()))
    assert "2 sources cited" in text and "3 min read" in text


def test_a_review_the_live_text_lost_is_not_claimed(client, make_article, approve):
    """Reviewed, then changed and published again without approval: readers get text no
    reviewer approved, so the page claims no review (the draft's old approval is void)."""
    article = make_article(published=False)
    approve(article, "Dr Ada Lovelace")
    publishing.publish(article)
    assert "Medically reviewed" in client.get(article.get_absolute_url()).content.decode()
    article.intro = "Changed after the review."
    article.save()
    publishing.publish(article, unreviewed_reason="typo fix")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Medically reviewed" not in html and "Lovelace" not in html


def test_key_takeaways_in_a_box_under_the_intro_as_plain_text(client, make_article):
    article = make_article(
        intro="The intro.",
        key_takeaways="First point.\n\n  Second <script>alert(1)</script> point. \n",
        sections=1,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    box = html[html.index('<aside class="takeaways"') : html.index("</aside>")]
    assert '<h2 id="takeaways-heading">Key takeaways</h2>' in box
    assert "<li>First point.</li>" in box
    assert "<li>Second &lt;script&gt;alert(1)&lt;/script&gt; point.</li>" in box
    assert html.index("The intro.") < html.index("takeaways") < html.index('id="section-1"')


def test_no_takeaways_no_box_and_no_new_fingerprint(client, seed_article):
    """Articles without takeaways keep the content (and so the approvals) they had."""
    assert "takeaways" not in seed_article.live_versions.get().content
    assert 'class="takeaways"' not in client.get(seed_article.get_absolute_url()).content.decode()


def change_form(admin_client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data.update(changes)
    return url, data


def test_too_many_or_too_long_takeaways_are_a_form_error(admin_client, make_article):
    article = make_article(sections=1)
    url, data = change_form(
        admin_client, article, key_takeaways="\n".join(f"Point {n}." for n in range(7))
    )
    html = admin_client.post(url, data).content.decode()
    assert "7 takeaways: keep to 6 at most" in html
    data["key_takeaways"] = "Short.\n" + "x" * 201
    html = admin_client.post(url, data).content.decode()
    assert "Takeaway 2 is longer than 200 characters" in html
    article.refresh_from_db()
    assert article.key_takeaways == ""


def test_takeaways_saved_revised_and_in_the_unsaved_preview(admin_client, make_article):
    article = make_article(sections=1)
    url, data = change_form(admin_client, article, key_takeaways="Typed, not saved.")
    admin_client.post(reverse("admin:articles_article_autosave", args=[article.pk]), data)
    preview = admin_client.get(reverse("admin:articles_article_live_preview", args=[article.pk]))
    assert "<li>Typed, not saved.</li>" in preview.content.decode()
    data["key_takeaways"] = "Saved point.\r\nAnother."
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.key_takeaways == "Saved point.\nAnother."
    latest = Version.objects.get_for_object(article).first()
    assert latest.field_dict["key_takeaways"] == "Saved point.\nAnother."
    publishing.publish(article)
    assert LiveVersion.objects.filter(article=article).latest("pk").takeaways == [
        "Saved point.",
        "Another.",
    ]


@pytest.mark.parametrize("slug", ["about", "editorial-policy", "corrections"])
def test_site_pages_are_public_and_linked_from_every_footer(client, seed_article, slug):
    response = client.get(f"/{slug}/")
    assert response.status_code == 200
    assert "Placeholder: the editors should" in response.content.decode()
    for url in ["/", seed_article.get_absolute_url(), f"/{slug}/"]:
        footer = client.get(url).content.decode().split('<footer class="site-footer">')[1]
        assert f'href="/{slug}/"' in footer


def test_footer_claims_nothing_the_seed_article_lacks(client, seed_article):
    footer = client.get(seed_article.get_absolute_url()).content.decode()
    footer = footer.split('<footer class="site-footer">')[1]
    assert "with its sources and its medical review" not in footer
    assert "the medical reviewer who checked it if one did" in footer


def test_editorial_policy_describes_what_the_cms_enforces(client, db):
    text = page_text(client.get("/editorial-policy/").content.decode())
    assert "any later change to it voids the approval" in text
    assert "Nobody may approve a draft they changed" in text
    assert "twelve months" in text


def test_site_page_edited_in_the_admin_sanitised_and_renewed(admin_client, client, db):
    page = SitePage.objects.get(slug="corrections")
    client.get("/corrections/")  # cached now
    url = reverse("admin:articles_sitepage_change", args=[page.pk])
    data = open_form(admin_client, url, form_id="sitepage_form")
    data["body"] = "Write to **the desk**. <script>alert(1)</script>"
    assert admin_client.post(url, data).status_code == 302
    html = client.get("/corrections/").content.decode()
    assert "Write to <strong>the desk</strong>." in html and "<script>alert" not in html
    assert admin_client.get(reverse("admin:articles_sitepage_add")).status_code == 403
    assert client.get("/no-such-page/").status_code == 404


def test_print_stylesheet_keeps_the_trust_block_and_takeaways():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    print_rules = css[css.index("@media print") :]
    hidden = print_rules[: print_rules.index("{ display: none; }")]
    assert "trust" not in hidden and "takeaways" not in hidden and "references" not in hidden


def test_editors_keep_the_site_pages_text(client, editor):
    client.force_login(editor)
    page = SitePage.objects.get(slug="about")
    url = reverse("admin:articles_sitepage_change", args=[page.pk])
    data = open_form(client, url, form_id="sitepage_form")
    data["body"] = "mgsite is run by two editors."
    assert client.post(url, data).status_code == 302
    page.refresh_from_db()
    assert page.body_html == "<p>mgsite is run by two editors.</p>"
    assert client.get(reverse("admin:articles_sitepage_add")).status_code == 403


def test_list_markers_typed_into_takeaways_are_dropped(client, make_article):
    """Editors type Markdown bullets out of habit; the box prints its own ("• - Dose")."""
    article = make_article(key_takeaways="- Dash line\n* Star line\n2. Numbered line\n-5 mg")
    assert article.key_takeaways == "Dash line\nStar line\nNumbered line\n-5 mg"
