"""Publishing: the only way a draft reaches readers, and the only way it leaves them.

`publish` freezes the article's draft into a new `LiveVersion`, live now or at a later time
(scheduled); `unpublish` adds a takedown. Saving a draft changes nothing readers see. The
page cache, search and old addresses follow the live versions (articles.signals).
"""

from django.utils import timezone

from .models import Article, LiveImageUse, LiveVersion, Person, SiteSettings, SlugRedirect
from .signals import changes, render_pending


class PublishingError(Exception):
    """Why an article cannot be published as it is, in editors' words."""


def slug_holder(slug, article):
    """Another article whose live or scheduled version uses `slug`, or None."""
    holders = LiveVersion.objects.current().filter(takedown=False) | LiveVersion.objects.scheduled()
    other = holders.filter(slug=slug).exclude(article=article.pk).select_related("article").first()
    return other.article if other is not None else None


def publish(article, *, by=None, at=None, unreviewed_reason="", seen=None):
    """Make the article's draft what readers get: now, or from `at` if that is later.

    With approval before publishing on (Site settings, the default), the draft must be
    exactly the text a medical reviewer approved; a superuser (or a script: `by` None) may
    publish without, giving `unreviewed_reason`, which is recorded. A newer publish replaces
    anything still scheduled. If the slug changed, the address readers knew keeps working
    as a 301 (from the moment the new version goes live, since until then it is still the
    live address). `seen`: the fingerprint of the draft the publisher was shown; if the
    draft changed since, nothing is published. Returns the new version.
    """
    # Its consequences once it is whole: the HTTP cache's purge names the people pages of
    # the authors, set after the version is saved.
    with changes():
        return _publish(article, by=by, at=at, unreviewed_reason=unreviewed_reason, seen=seen)


def _publish(article, *, by, at, unreviewed_reason, seen):
    now = timezone.now()
    at = max(at or now, now)
    # The draft exactly as saved: inside an admin save its rendering is otherwise still due.
    render_pending(article)
    if holder := slug_holder(article.slug, article):
        raise PublishingError(
            f"/articles/{article.slug}/ is the address of “{holder}” on the site. "
            "Give this article another slug, or unpublish that one first."
        )
    version = LiveVersion.from_draft(article)
    if seen is not None and seen != version.fingerprint:
        raise PublishingError(
            "The draft changed since you opened it: reload the page to see what you would publish."
        )
    # The approval of exactly what is about to go live (by the fingerprint of this version).
    approval = article.approvals.filter(fingerprint=version.fingerprint).first()
    unreviewed_reason = unreviewed_reason.strip()
    if approval is None and SiteSettings.load().review_required:
        if not unreviewed_reason:
            raise PublishingError(
                "This draft has no medical approval as it is now: submit it for review, or "
                "(superusers only) fill in “Publish without medical approval, because” under "
                "Publishing and publish again."
            )
        if by is not None and not by.is_superuser:
            raise PublishingError("Only a superuser may publish without medical approval.")
    if article.expires_at is not None and article.expires_at <= at:
        # Publishing something already past its expiry would publish nothing: the passed
        # expiry goes (the action says so).
        Article.objects.filter(pk=article.pk).update(expires_at=None)
        article.expires_at = None
    previous = LiveVersion.objects.current(now).filter(article=article.pk).first()
    LiveVersion.objects.scheduled().filter(article=article.pk).delete()
    version.expires_at = article.expires_at
    version.live_from = at
    version.published_by = by
    version.approval = approval
    version.unreviewed_reason = "" if approval else unreviewed_reason
    if article.first_published_at is None:
        version.first_published_at = at
        Article.objects.filter(pk=article.pk).update(first_published_at=at)
        article.first_published_at = at
    version.save()
    version.supplements.set(
        version.content["supplements"],
        through_defaults={"first_published_at": version.first_published_at},
    )
    version.related.set(version.content["related"])
    version.author_people.set(
        Person.objects.filter(slug__in=[person["slug"] for person in version.content["authors"]])
    )
    # The library images its HTML shows (the draft's, rendered just now): kept while it is
    # the record of what readers saw.
    LiveImageUse.objects.bulk_create(
        LiveImageUse(live_version=version, image_id=image_id)
        for image_id in article.image_uses.values_list("image", flat=True)
    )
    # The new slug is a live address again, whoever it redirected to.
    SlugRedirect.objects.filter(old_slug=version.slug).delete()
    if previous is not None and previous.slug != version.slug:
        SlugRedirect.objects.update_or_create(old_slug=previous.slug, defaults={"article": article})
    return version


def unpublish(article, *, by=None):
    """Take the article away from readers now, and cancel anything scheduled. Returns the
    takedown, or None if readers had nothing to lose."""
    now = timezone.now()
    cancelled, _ = LiveVersion.objects.scheduled().filter(article=article.pk).delete()
    current = LiveVersion.objects.current(now).filter(article=article.pk).first()
    if current is None or current.takedown:
        return None if not cancelled else current
    return LiveVersion.objects.create(
        article=article,
        slug=current.slug,
        title=current.title,
        fingerprint="",
        live_from=now,
        first_published_at=current.first_published_at,
        takedown=True,
        published_by=by,
    )
