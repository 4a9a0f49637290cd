"""The image library: alt text, references in Markdown, renditions, use, deletion, purge,
and images as content (a live page keeps the image as it was published)."""

import io
import json
import re
from datetime import timedelta

import pytest
from django import forms
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from articles import publishing, rendering
from articles.forms import validate_citations
from articles.models import Article, Image, LiveVersion
from articles.signals import changes
from articles.uploads import safe_file

from .admin_forms import open_form
from .conftest import image_bytes

UPLOAD = "/markdownx/upload/"


def article_with(make_article, *images, published=True, **fields):
    intro = "\n\n".join(f"![]({image.reference})" for image in images)
    return make_article(intro=intro, published=published, **fields)


def live_html(article):
    return LiveVersion.objects.current().get(article=article).intro_html


def test_the_drop_zone_makes_a_library_image(admin_client):
    upload = SimpleUploadedFile("photo.png", image_bytes((640, 480), "PNG"))
    response = admin_client.post(UPLOAD, {"image": upload})
    assert response.status_code == 200
    image = Image.objects.get()
    assert response.json()["image_code"] == f"![](image:{image.pk})"
    assert (image.width, image.height) == (640, 480)
    assert image.file.name.startswith("images/") and image.file.name.endswith(".png")
    assert not image.described  # the editor is asked for alt text before saving (below)


def test_alt_text_is_required_unless_decorative(admin_client):
    add = reverse("admin:articles_image_add")
    photo = image_bytes((100, 50))

    def post(**fields):
        upload = SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")
        return admin_client.post(add, {"file": upload, **fields})

    response = post(alt_text="  ")
    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it" in response.content.decode()
    assert not Image.objects.exists()
    assert post(decorative="on").status_code == 302
    assert post(alt_text="A glass of water").status_code == 302
    assert sorted(Image.objects.values_list("alt_text", "decorative")) == [
        ("", True),
        ("A glass of water", False),
    ]


def test_the_library_form_refuses_bombs_with_the_upload_message(admin_client):
    buffer = io.BytesIO()
    PILImage.new("1", (12000, 12000)).save(buffer, "PNG")
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    response = admin_client.post(
        reverse("admin:articles_image_add"), {"file": upload, "alt_text": "Big"}
    )
    assert response.status_code == 200
    assert "12,000 x 12,000 pixels (144 megapixels)" in response.content.decode()
    assert not Image.objects.exists()


def test_an_article_cannot_use_an_undescribed_or_unknown_image(make_image):
    undescribed = make_image(alt_text="")
    with pytest.raises(forms.ValidationError, match=f"Describe image:{undescribed.pk} first"):
        validate_citations(f"![]({undescribed.reference})")
    with pytest.raises(forms.ValidationError, match="No image image:999999 in the library"):
        validate_citations("![x](image:999999)")
    described = make_image()
    assert validate_citations(f"![]({described.reference})")


def test_renditions_are_made_at_upload_in_webp_and_the_fallback(make_image):
    image = make_image(size=(2400, 1600))
    webp, jpeg = image.renditions["sources"]
    assert (webp["type"], jpeg["type"]) == ("image/webp", "image/jpeg")
    widths = [width for _, width in webp["srcset"]]
    assert widths == [320, 400, 500, 640, 800, 1000, 1280, 1600, 2000]
    for url, _ in webp["srcset"] + jpeg["srcset"]:
        assert default_storage.exists(url.removeprefix("/media/"))
    small = make_image(size=(450, 300))
    assert [w for _, w in small.renditions["sources"][0]["srcset"]] == [320, 400, 450]


def test_a_figure_with_picture_srcset_sizes_and_intrinsic_size(make_image, make_article):
    image = make_image(caption="Magnesium glycinate", credit="Photo: Jo", licence="CC BY 4.0")
    second = make_image(alt_text="Second <b>photo</b>")
    article = make_article(
        intro=f"![ignored]({image.reference})",
        sections=0,
        conclusion=f"Text before.\n\n![]({second.reference})\n\nAnd inline ![]({image.reference}).",
    )
    intro = live_html(article)
    assert intro.startswith('<figure class="image"><picture><source type="image/webp" srcset="')
    assert 'sizes="(max-width: 44rem) calc(100vw - 2.5rem), 41.5rem"' in intro
    assert 'width="2400" height="1600" alt="Capsules on a table" decoding="async">' in intro
    assert 'loading="lazy"' not in intro  # the first image of the intro: first screen
    assert (
        '<figcaption>Magnesium glycinate <small class="image-credit">Photo: Jo · CC BY 4.0'
        "</small></figcaption></figure>"
    ) in intro
    conclusion = LiveVersion.objects.current().get(article=article).conclusion_html
    assert conclusion.count('loading="lazy"') == 2
    assert 'alt="Second &lt;b&gt;photo&lt;/b&gt;"' in conclusion
    # An image inside a sentence is a <picture> in the paragraph, not a figure.
    assert re.search(r"<p>And inline <picture>.*</picture>\.</p>", conclusion)
    assert conclusion.count("<figure") == 1


def test_decorative_images_have_empty_alt(make_image, make_article):
    image = make_image(alt_text="", decorative=True)
    assert 'alt="" decoding="async"' in live_html(article_with(make_article, image))


def test_references_to_images_not_in_the_library_stay_as_typed():
    html = rendering.render_markdown("![x](image:5)")
    assert html == "<p>![x](image:5)</p>"
    assert "<img" not in rendering.render_markdown("![x](image:5)")


def test_placeholders_typed_by_an_editor_do_not_make_images(make_image):
    image = make_image()
    figures = {image.pk: image.figure()}
    html = rendering.render_document(["\ue0040\ue005 and &#xE004;0&#xE005;"], figures=figures)
    assert "<picture" not in html.html[0]


def test_an_image_in_use_cannot_be_deleted(admin_client, make_image, make_article):
    image = make_image()
    article_with(make_article, image)
    response = admin_client.post(
        reverse("admin:articles_image_delete", args=[image.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "would require deleting the following protected related objects" in page
    assert Image.objects.filter(pk=image.pk).exists()
    changelist = reverse("admin:articles_image_changelist")
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"}
    )
    assert response.status_code == 200
    assert Image.objects.filter(pk=image.pk).exists()


def test_used_on_lists_drafts_and_published_versions(admin_client, make_image, make_article):
    image = make_image()
    article = article_with(make_article, image, title="Sleep and magnesium")
    page = admin_client.get(reverse("admin:articles_image_change", args=[image.pk]))
    text = page.content.decode()
    assert "Sleep and magnesium</a>" in text
    assert "Published versions (kept as readers saw them): Sleep and magnesium." in text
    # Once no draft uses it, the published version still holds it.
    Article.objects.filter(pk=article.pk).update(intro="No image.")
    article.refresh_from_db()
    with changes():
        article.save()
    assert not image.article_uses.exists() and image.live_uses.exists()
    assert not Image.objects.unused().filter(pk=image.pk).exists()


def test_a_live_page_keeps_the_image_as_published(admin_client, client, make_image, make_article):
    image = make_image(alt_text="Old words")
    article = article_with(make_article, image)
    response = admin_client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"alt_text": "New words", "caption": "", "credit": "", "licence": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Readers still get what was published; the draft has the new words.
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Old words"' in page and "New words" not in page
    article.refresh_from_db()
    assert 'alt="New words"' in article.intro_html
    assert article.state == "changed"
    # The library lists the article to publish again.
    change = admin_client.get(reverse("admin:articles_image_change", args=[image.pk]))
    republish = change.content.decode().split("Publish again to show this version")[1]
    assert article.title in republish[:2000]
    publishing.publish(article)
    assert 'alt="New words"' in client.get(article.get_absolute_url()).content.decode()


def test_a_new_file_gets_new_renditions_and_live_pages_keep_the_old(make_image, make_article):
    image = make_image()
    article = article_with(make_article, image)
    old_html = live_html(article)
    old_urls = re.findall(r"/media/[^ \"]+", old_html)
    with changes():
        image.file = SimpleUploadedFile("new.jpg", image_bytes((1200, 800), colour="navy"))
        image.save()
    image.refresh_from_db()
    assert image.width == 1200
    article.refresh_from_db()
    assert article.state == "changed"
    assert live_html(article) == old_html
    for url in old_urls:  # what the live page shows is still there
        assert default_storage.exists(url.removeprefix("/media/"))


def test_unused_week_old_uploads_are_listed_and_purged(
    admin_client, make_image, make_article, django_capture_on_commit_callbacks
):
    stale = make_image(alt_text="Alpha bottle")
    recent = make_image(alt_text="Bravo glass")
    used = make_image(alt_text="Charlie jar")
    article_with(make_article, used)
    week_ago = timezone.now() - timedelta(days=8)
    Image.objects.filter(pk__in=[stale.pk, used.pk]).update(uploaded_at=week_ago)
    assert list(Image.objects.stale()) == [stale]
    changelist = reverse("admin:articles_image_changelist")
    listed = admin_client.get(changelist, {"use": "stale"}).content.decode()
    assert "Alpha bottle" in listed
    assert "Bravo glass" not in listed and "Charlie jar" not in listed
    stale_files = [stale.file.name] + [
        url.removeprefix("/media/") for url, _ in stale.renditions["sources"][0]["srcset"]
    ]
    assert all(default_storage.exists(name) for name in stale_files)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {"action": "purge_stale", "_selected_action": [stale.pk, recent.pk, used.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "Purged 1 unused image(s) and their files." in text
    assert "Kept 2: in use, or uploaded less than a week ago." in text
    assert set(Image.objects.values_list("pk", flat=True)) == {recent.pk, used.pk}
    assert not any(default_storage.exists(name) for name in stale_files)


def test_the_library_searches_alt_text_caption_and_credit(admin_client, make_image):
    make_image(alt_text="A bottle of capsules", credit="Photo: Ana")
    make_image(alt_text="A glass of water")
    changelist = reverse("admin:articles_image_changelist")
    found = admin_client.get(changelist, {"q": "Ana"}).content.decode()
    assert "A bottle of capsules" in found and "A glass of water" not in found
    assert "<img src=" in found  # thumbnails


def test_everything_goes_through_the_storage_api(
    settings, admin_client, client, make_article, django_capture_on_commit_callbacks
):
    """Uploads, renditions, pages and purges on InMemoryStorage: no code opens a path."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    upload = SimpleUploadedFile("photo.jpg", image_bytes((900, 600)))
    assert admin_client.post(UPLOAD, {"image": upload}).status_code == 200
    image = Image.objects.get()
    assert isinstance(image.file.storage._wrapped, InMemoryStorage)
    Image.objects.filter(pk=image.pk).update(alt_text="In memory")
    image.refresh_from_db()
    article = article_with(make_article, image)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="In memory"' in page and "<picture>" in page
    for url, _ in image.renditions["sources"][0]["srcset"]:
        assert default_storage.exists(url.removeprefix("/media/"))
    # Purged (unused by any draft, its published version deleted with its article).
    names = [image.file.name] + [
        url.removeprefix("/media/") for url, _ in image.renditions["sources"][0]["srcset"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
        image.delete()
    assert not any(default_storage.exists(name) for name in names)
    assert not settings.MEDIA_ROOT.exists()  # nothing was ever written to disk


def test_the_editor_preview_shows_library_images(admin_client, make_image):
    image = make_image()
    response = admin_client.post("/markdownx/markdownify/", {"content": f"![]({image.reference})"})
    assert '<figure class="image"><picture>' in response.content.decode()


def test_the_lead_image_is_shown_first_and_shared(client, make_image, make_article):
    lead = make_image(size=(2400, 1600), alt_text="Capsules", caption="Our lead")
    article = make_article(lead_image=lead, intro="Intro text.")
    page = client.get(article.get_absolute_url()).content.decode()
    top = page.split('<div class="prose lead-image">')[1]
    assert top.startswith('<figure class="image"><picture>')
    assert 'fetchpriority="high"' in top.split("</figure>")[0]
    assert 'loading="lazy"' not in top.split("</figure>")[0]
    og = re.search(r'<meta property="og:image" content="([^"]+)">', page)[1]
    assert og.startswith("http://testserver/media/renditions/") and og.endswith(".jpg")
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="630">' in page
    assert '<meta property="og:image:alt" content="Capsules">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert data["image"] == {"@type": "ImageObject", "url": og, "width": 1200, "height": 630}
    assert lead.article_uses.filter(article=article).exists()
    assert lead.live_uses.exists()


def test_without_a_lead_image_the_card_is_a_summary(client, make_article):
    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "og:image" not in page and '"image"' not in page
    assert '<meta name="twitter:card" content="summary">' in page


def test_articles_without_images_keep_their_fingerprint(make_article):
    """No lead image adds no key to the content: live articles and their approvals from
    before the library stay as they were."""
    article = make_article()
    assert "lead_image" not in LiveVersion.objects.get(article=article).content


INSERT = "/markdownx/images/insert/"
LIBRARY = "/markdownx/images/"


def test_insert_asks_for_alt_text_before_storing(admin_client):
    def post(**fields):
        upload = SimpleUploadedFile("p.png", image_bytes((64, 48), "PNG"))
        return admin_client.post(INSERT, {"image": upload, **fields})

    response = post(alt_text=" ")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Describe the image for readers")
    assert not Image.objects.exists()
    response = post(alt_text="A [red] square")
    image = Image.objects.get()
    assert response.json() == {"id": image.pk, "image_code": f"![A red square](image:{image.pk})"}
    assert image.alt_text == "A [red] square" and image.described
    assert post(decorative="on").json()["image_code"].startswith("![](image:")


def test_insert_refuses_bad_files_with_the_upload_message(admin_client):
    upload = SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml")
    response = admin_client.post(INSERT, {"image": upload, "alt_text": "x"})
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["error"]


def test_insert_describes_a_dropped_image_and_keeps_a_described_one(admin_client, make_image):
    dropped = make_image(alt_text="")
    assert admin_client.post(INSERT, {"id": dropped.pk}).status_code == 400
    response = admin_client.post(INSERT, {"id": dropped.pk, "alt_text": "A jar"})
    assert response.json()["image_code"] == f"![A jar](image:{dropped.pk})"
    dropped.refresh_from_db()
    assert dropped.alt_text == "A jar"
    # A described image keeps the library's words: changing them is the library's job.
    response = admin_client.post(INSERT, {"id": dropped.pk, "alt_text": "Something else"})
    assert response.json()["image_code"] == f"![A jar](image:{dropped.pk})"
    assert admin_client.post(INSERT, {"id": "x"}).status_code == 400
    assert admin_client.post(INSERT, {"id": 999999, "alt_text": "x"}).status_code == 404


def test_the_library_lists_and_searches_for_the_dialog(admin_client, client, make_image):
    make_image(alt_text="A bottle of capsules")
    make_image(alt_text="A glass of water", caption="Hydration")
    everything = admin_client.get(LIBRARY).json()["images"]
    assert [image["alt"] for image in everything] == ["A glass of water", "A bottle of capsules"]
    assert everything[0]["thumb"].startswith("/media/renditions/")
    found = admin_client.get(LIBRARY, {"q": "hydration"}).json()["images"]
    assert [image["alt"] for image in found] == ["A glass of water"]
    assert client.get(LIBRARY).status_code == 302  # visitors are sent to log in


def test_editors_keep_the_library(client, editor, make_image):
    image = make_image(alt_text="Shared photo")
    client.force_login(editor)
    listed = client.get(reverse("admin:articles_image_changelist"))
    assert listed.status_code == 200 and "Shared photo" in listed.content.decode()
    response = client.post(
        reverse("admin:articles_image_change", args=[image.pk]),
        {"alt_text": "Described by an editor", "caption": "", "credit": "", "licence": ""},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Described by an editor"


def test_the_article_form_refuses_undescribed_images_with_a_message(
    admin_client, seed_article, make_image
):
    change_url = reverse("admin:articles_article_change", args=[seed_article.pk])
    undescribed = make_image(alt_text="")
    data = open_form(admin_client, change_url)
    data["lead_image"] = undescribed.pk
    data["sections-0-body"] = f"Text.\n\n![]({undescribed.reference})"
    response = admin_client.post(change_url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Describe this image first" in page  # the lead image
    assert f"Describe image:{undescribed.pk} first" in page  # the section's Markdown
    seed_article.refresh_from_db()
    assert seed_article.lead_image is None
    # Described, the same form saves, and the draft shows it.
    Image.objects.filter(pk=undescribed.pk).update(alt_text="Now described")
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    seed_article.refresh_from_db()
    assert seed_article.lead_image_id == undescribed.pk
    assert 'alt="Now described"' in seed_article.sections.get(position=1).body_html


def test_the_share_image_is_cut_around_the_focal_point(make_article):
    # A red band across the top eighth of a blue photo.
    photo = PILImage.new("RGB", (2400, 1600), "blue")
    photo.paste((255, 0, 0), (0, 0, 2400, 200))
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")
    upload = SimpleUploadedFile("band.png", buffer.getvalue())
    image = Image.objects.create(file=safe_file(upload), alt_text="A band", focal_y=0.0)

    def top_pixel():
        url, width, height = image.renditions["share"]
        assert (width, height) == (1200, 630)
        with default_storage.open(url.removeprefix("/media/")) as stored:
            cut = PILImage.open(stored)
            assert cut.size == (1200, 630)
            return cut.convert("RGB").getpixel((600, 10))

    assert top_pixel() == (255, 0, 0)  # the top is kept
    srcset = image.renditions["sources"]
    image.focal_y = 1.0
    image.save()
    assert top_pixel() == (0, 0, 255)  # the bottom is kept: the band is cut off
    assert image.renditions["sources"] == srcset  # the column renditions do not change
    small = Image.objects.create(
        file=safe_file(SimpleUploadedFile("s.jpg", image_bytes((800, 600)))), alt_text="Small"
    )
    assert "share" not in small.renditions  # never enlarged: the widest rendition is shared
    article = make_article(lead_image=small)
    share = LiveVersion.objects.get(article=article).content["lead_image"]["share"]
    assert (share["width"], share["height"]) == (800, 600)


def test_avif_renditions_when_asked_for(settings, make_image, make_article):
    settings.IMAGE_AVIF = True
    image = make_image(size=(480, 320))
    assert [source["type"] for source in image.renditions["sources"]] == [
        "image/avif",
        "image/webp",
        "image/jpeg",
    ]
    url = image.renditions["sources"][0]["srcset"][0][0]
    with default_storage.open(url.removeprefix("/media/")) as stored:
        assert PILImage.open(stored).format == "AVIF"
    html = live_html(article_with(make_article, image))
    assert html.index('type="image/avif"') < html.index('type="image/webp"')
