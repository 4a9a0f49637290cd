"""What search engines and link previews read of an article (a live version, or a draft's
preview built the same way): canonical URL and JSON-LD."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

SITE_NAME = "mgsite"
LOGO = "img/logo.svg"

# As django.utils.html.json_script does: nothing in the data can close the <script>.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _job(credentials):
    return {"jobTitle": credentials} if credentials else {}


def _person(request, name, credentials, slug):
    """A schema.org Person, with their page on the site when they have an address."""
    url = {"url": request.build_absolute_uri(reverse("articles:person", args=[slug]))}
    return {"@type": "Person", "name": name, **_job(credentials), **(url if slug else {})}


def publisher(request):
    """The site as a schema.org Organization: its About page and its logo."""
    return {
        "@type": "Organization",
        "name": SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:page", args=["about"])),
        "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(static(LOGO))},
    }


def canonical_url(request, article):
    return request.build_absolute_uri(article.get_absolute_url())


def share_image_url(request, article):
    """The lead image's absolute URL (link previews need one), or ""."""
    image = article.share_image
    return request.build_absolute_uri(image.url) if image is not None else ""


def json_ld(request, article):
    """schema.org MedicalWebPage: who wrote and reviewed it, when, and on what evidence."""
    url = canonical_url(request, article)
    site = publisher(request)
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        # Where the text names no author (the seed article), the publisher stands behind it.
        "author": [
            _person(request, person.name, person.credentials, getattr(person, "slug", ""))
            for person in article.authors
        ]
        or {key: value for key, value in site.items() if key != "logo"},
        "publisher": site,
        "about": [
            {"@type": "DietarySupplement", "name": supplement.name}
            for supplement in article.supplement_list
        ],
        "citation": [
            {
                "@type": "CreativeWork",
                "name": citation.reference.title,
                "author": citation.reference.authors,
                **(
                    {"datePublished": str(citation.reference.year)}
                    if citation.reference.year
                    else {}
                ),
                **(
                    {"url": url}
                    if (
                        url := citation.reference.doi_url
                        or citation.reference.pubmed_url
                        or citation.reference.url
                    )
                    else {}
                ),
            }
            for citation in article.citations
        ],
    }
    if (image := article.share_image) is not None:
        data["image"] = {
            "@type": "ImageObject",
            "url": share_image_url(request, article),
            "width": image.width,
            "height": image.height,
        }
    # Claimed only when the medical approval was of exactly this text (articles.review).
    if (approval := article.approval) is not None:
        reviewer = approval.reviewer
        data["reviewedBy"] = _person(request, reviewer.name, reviewer.credentials, reviewer.slug)
        data["lastReviewed"] = approval.approved_at.date()
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308  (escaped just above)
