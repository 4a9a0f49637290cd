"""Share-preview links: signed, expiring, and revocable for an article at once.

A link carries the article's id and its current preview key, signed with a timestamp
(django.core.signing). It stops working when it is older than PREVIEW_LINK_MAX_AGE, when
its signature does not match, or when the article's key is renewed (revoke).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "articles.preview"


def max_age():
    return timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE)


def make_token(article):
    return signing.dumps({"article": article.pk, "key": article.preview_key}, salt=SALT)


def preview_url(article):
    return reverse("articles:preview", kwargs={"token": make_token(article)})


def article_for_token(token, queryset):
    """The article a valid, unexpired, unrevoked token names, from `queryset`; else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.BadSignature:  # also covers expired links
        return None
    if not isinstance(data, dict):
        return None
    return queryset.filter(pk=data.get("article"), preview_key=str(data.get("key"))).first()
