"""Surrogate keys: what each public page shows, so an HTTP cache in front (Varnish,
deploy/varnish/) can be told exactly which pages a change makes stale.

A view names the keys of its page (`mgsite.page_cache.edge.add_keys`); the page cache sends
them in the `xkey` header. A change names the keys of the pages whose bytes it changes
(`for_transition`, `for_supplement`, ...); articles.signals purges them once the change is
committed. Scheduled go-lives and expiries change pages with no request: `changes_between`
lists them ahead, so each page's s-maxage ends at the first that touches it, and
`purge_changes_between` purges them when the page cache notices one has come.

The keys:
- `article-<article pk>`: the article's own page, and the feeds and sitemap entries for it
  (they print its last-updated time, which every publish moves).
- `card-<article pk>`: its title, subtitle, summary, address and supplements, wherever
  another page lists or links it: home, supplement pages, people pages, related boxes.
- `picture-<article pk>`: its lead image as a card shows it (home, supplement pages).
- `articles`: pages listing every article (home and its pages, the feeds, the sitemap),
  whose membership changes when an article appears or disappears.
- `every-article`: pages that print something of every live article that a publish may
  change (the sitemap's last-modified days): one key, not thousands.
- `supplements`: which supplements have articles, how many, and their names and addresses
  (home's supplement list, the supplement list, the sitemap).
- `supplement-<pk>`: the supplement's name and address, wherever a page prints them.
- `about-<supplement pk>`: the supplement's own pages (its description, its article list).
- `related-<supplement pk>`: article pages whose related box draws on that supplement.
- `chosen-<article pk>`: the article's page, whose related box shows articles whose editors
  chose it.
- `person-<pk>`: the person's name, credentials and address wherever a page prints them as
  they are now: their own page, and the review line (and JSON-LD) of the article pages
  whose approval is theirs. Bylines are not here: a live version freezes its authors'
  names, credentials and addresses (content["authors"]), so an author's edit changes no
  article page until the article is published again.
- `person-page-<pk>`: the person's own page alone: their bio, links and portrait, and its
  list of the articles readers get with their name on them, as author or reviewer.
- `people`: which people have a page, and its address (the sitemap).
- `site-page-<pk>`: an About, Editorial policy or Corrections page (its title, text and
  last-updated time; every page's footer links them by their fixed addresses only).
- `site-pages`: the site pages' addresses and last-updated days (the sitemap).
- `settings`: pages that print the site settings (the disclaimer on article pages).

Where this purges pages whose bytes did not change (all of it is rare): an article coming
back with its old first-publish date purges the related boxes and list pages it ranks
too low to reach; a change to an article's summary or supplements purges the related
boxes that link it; a page of a list is purged with the whole list; renaming a supplement
purges the sitemap, which prints only its address; an article moving between supplements
purges the sitemap, which changes only when a supplement gains its first article or loses
its last; likewise a change of whom an article names (its authors, or the reviewer whose
approval it carries) purges the sitemap, which changes only when someone gains their first
article or loses their last.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from mgsite.page_cache import purge

from .models import LiveVersion, Person

ARTICLES = "articles"
EVERY_ARTICLE = "every-article"
SUPPLEMENTS = "supplements"
PEOPLE = "people"
SITE_PAGES = "site-pages"
SETTINGS = "settings"

_INSTANT = timedelta(microseconds=1)  # the finest step the database keeps


def article(pk):
    return f"article-{pk}"


def card(pk):
    return f"card-{pk}"


def picture(pk):
    return f"picture-{pk}"


def supplement(pk):
    return f"supplement-{pk}"


def about(pk):
    return f"about-{pk}"


def related(pk):
    return f"related-{pk}"


def chosen(pk):
    return f"chosen-{pk}"


def person(pk):
    return f"person-{pk}"


def person_page(pk):
    return f"person-page-{pk}"


def site_page(pk):
    return f"site-page-{pk}"


# What pages show -------------------------------------------------------------------------


def _supplements_of(version):
    return version.content.get("supplements", [])


def _chosen_by(version):
    return version.content.get("related", [])


def _named(version):
    """{person pk: (wrote, reviewed)}: the people whose pages list `version`, and as what
    (its authors, and the reviewer whose approval it carries)."""
    wrote = {person.pk for person in version.author_people.all()}
    reviewer = version.approval.reviewer_id if version.approval_id is not None else None
    people = wrote | ({reviewer} if reviewer is not None else set())
    return {pk: (pk in wrote, pk == reviewer) for pk in people}


def for_cards(versions, pictures=False):
    """Pages listing `versions` as cards (their supplements prefetched); `pictures`: with
    their lead images."""
    keys = set()
    for version in versions:
        keys.add(card(version.article_id))
        if pictures:
            keys.add(picture(version.article_id))
        keys.update(supplement(item.pk) for item in version.supplements.all())
    return keys


def for_person_page(pk, versions):
    """A person's page listing `versions` (without pictures)."""
    return {person(pk), person_page(pk)} | for_cards(versions)


def for_article_page(version, related_articles):
    keys = {article(version.article_id), chosen(version.article_id), SETTINGS}
    keys.update(supplement(pk) for pk in _supplements_of(version))
    keys.update(related(pk) for pk in _supplements_of(version))
    # The editors' choices, whether live now or not: one coming back appears here.
    keys.update(card(pk) for pk in _chosen_by(version))
    keys.update(card(other.article_id) for other in related_articles)
    if version.approval_id is not None:
        keys.add(person(version.approval.reviewer_id))
    return keys


def for_sitemap():
    return {EVERY_ARTICLE, SUPPLEMENTS, PEOPLE, SITE_PAGES}


def for_feed(versions):
    """Feeds: an entry per article, with its last-updated time and supplements."""
    keys = {ARTICLES}
    for version in versions:
        keys.add(article(version.article_id))
        keys.update(supplement(item.pk) for item in version.supplements.all())
    return keys


# What changes touch ----------------------------------------------------------------------


def _card_fields(version):
    return (
        version.title,
        version.subtitle,
        version.summary,
        version.slug,
        _supplements_of(version),
    )


def for_transition(before, after):
    """Keys of the pages whose bytes change when readers of one article get `after` instead
    of `before` (live versions, or None for nothing)."""
    if before is None and after is None:
        return set()
    if before is not None and after is not None:
        if before.pk == after.pk:
            return set()
        keys = {article(after.article_id)}
        if timezone.localdate(before.live_from) != timezone.localdate(after.live_from):
            keys.add(EVERY_ARTICLE)  # the sitemap prints the day it was last updated
        if _card_fields(before) != _card_fields(after):
            keys.add(card(after.article_id))
        moved = set(_supplements_of(before)) ^ set(_supplements_of(after))
        keys.update(about(pk) for pk in moved)
        keys.update(related(pk) for pk in moved)
        if moved:
            keys.add(SUPPLEMENTS)
        keys.update(chosen(pk) for pk in set(_chosen_by(before)) ^ set(_chosen_by(after)))
        if before.card_image != after.card_image:
            keys.add(picture(after.article_id))
        # The pages of the people it names, where whom it names or as what changed (each
        # prints every title of theirs with "Written by" or "Medically reviewed by").
        named_before, named_after = _named(before), _named(after)
        people = named_before.keys() | named_after.keys()
        keys.update(person_page(pk) for pk in people if named_before.get(pk) != named_after.get(pk))
        if named_before.keys() != named_after.keys():
            keys.add(PEOPLE)
        return keys
    # It appears or disappears: every list it is (or was) in.
    version = after if after is not None else before
    keys = {article(version.article_id), card(version.article_id), ARTICLES, EVERY_ARTICLE}
    keys.update(about(pk) for pk in _supplements_of(version))
    keys.update(related(pk) for pk in _supplements_of(version))
    if _supplements_of(version):
        keys.add(SUPPLEMENTS)
    keys.update(chosen(pk) for pk in _chosen_by(version))
    named = _named(version)
    keys.update(person_page(pk) for pk in named)
    if named:
        keys.add(PEOPLE)
    return keys


def for_removal(version):
    """A live version deleted (its article deleted): its pages, if readers had it."""
    if not LiveVersion.objects.visible().filter(pk=version.pk).exists():
        return set()
    return for_transition(version, None)


def for_supplement(old, new):
    """A supplement saved (`old`: its row before, or None when it is new)."""
    if old is None:
        return set()  # no published article is about it yet
    if (old.name, old.slug) != (new.name, new.slug):
        return {supplement(new.pk), about(new.pk), SUPPLEMENTS}
    if old.description != new.description:
        return {about(new.pk)}
    return set()


def for_supplement_removal(pk):
    return {supplement(pk), about(pk), related(pk), SUPPLEMENTS}


def _has_page(pk):
    return Person.objects.public().filter(pk=pk).exists()


def for_person(old, new):
    """A person saved (`old`: their row before, or None when they are new: no live version
    names them yet, so no page shows them)."""
    if old is None:
        return set()
    keys = set()
    if (old.name, old.credentials, old.slug) != (new.name, new.credentials, new.slug):
        keys.add(person(new.pk))
    if (old.bio, old.link_list, old.photo_id) != (new.bio, new.link_list, new.photo_id):
        keys.add(person_page(new.pk))
    if old.slug != new.slug and _has_page(new.pk):
        keys.add(PEOPLE)
    return keys


def for_person_removal(pk):
    """A person deleted: their page, if they had one. (A reviewer cannot be deleted, and
    bylines are frozen: no article page changes.)"""
    return {person(pk), person_page(pk), PEOPLE} if _has_page(pk) else set()


def _portrait(image):
    """What a person's page prints of their portrait (rendering.picture_html): the alt
    text and the file's renditions, made from the file and its focal point."""
    return ("" if image.decorative else image.alt_text.strip(), image.file.name, image.focal_point)


def for_portrait(old, new, people):
    """An image saved (`old`: its row before) that is the portrait of `people` (pks): their
    pages, if what they print of it changed (not its caption, credit or licence)."""
    if old is None or _portrait(old) == _portrait(new):
        return set()
    return {person_page(pk) for pk in people}


def for_site_page(old, new, day):
    """A site page saved (`old`: its row before, or None when new), last updated on `day`."""
    if old is None:
        return {SITE_PAGES}  # a new address in the sitemap; the page itself was not found
    # The page prints its last-updated time to the second, which every save moves; the
    # sitemap only its address and day.
    keys = {site_page(new.pk)}
    if old.slug != new.slug or old.updated_at is None or timezone.localdate(old.updated_at) != day:
        keys.add(SITE_PAGES)
    return keys


def for_site_page_removal(pk):
    return {site_page(pk), SITE_PAGES}


# Scheduled changes -----------------------------------------------------------------------


def _shown(versions, moment):
    """What readers get of one article at `moment`, as LiveVersionQuerySet.visible() says."""
    started = [version for version in versions if version.live_from <= moment]
    if not started:
        return None
    newest = max(started, key=lambda version: (version.live_from, version.pk))
    if newest.takedown or (newest.expires_at is not None and newest.expires_at <= moment):
        return None
    return newest


def _versions_by_article(article_ids):
    versions = {}
    rows = (
        LiveVersion.objects.filter(article__in=article_ids)
        .defer("search_text")
        .select_related("approval")  # the reviewer's pk, for their page (`_named`)
        .prefetch_related(Prefetch("author_people", queryset=Person.objects.only("pk")))
    )
    for version in rows:
        versions.setdefault(version.article_id, []).append(version)
    return versions


def changes_between(start, end):
    """[(moment, keys)]: each moment in (start, end] at which what readers get of some
    article changes (a go-live or an expiry), with the keys of the pages that change then.
    Three queries: the articles, their versions, and the people those name."""
    timed = Q(live_from__gt=start, live_from__lte=end) | Q(
        expires_at__gt=start, expires_at__lte=end
    )
    article_ids = set(LiveVersion.objects.filter(timed).values_list("article", flat=True))
    changes = []
    for versions in _versions_by_article(article_ids).values():
        moments = {version.live_from for version in versions} | {
            version.expires_at for version in versions if version.expires_at is not None
        }
        for moment in sorted(moment for moment in moments if start < moment <= end):
            keys = for_transition(_shown(versions, moment - _INSTANT), _shown(versions, moment))
            if keys:
                changes.append((moment, keys))
    return sorted(changes, key=lambda change: change[0])


def for_new_versions(moments, now):
    """Keys to purge once new live versions are committed: `moments` are (article pk, time)
    at which each starts or ends. The pages that changed now; and the pages a scheduled
    change within the HTTP cache's horizon will touch, so that they are fetched again and
    learn when it comes (their s-maxage ends then)."""
    horizon = now + timedelta(seconds=settings.PAGE_CACHE_EDGE_SECONDS)
    moments = [(article_id, moment) for article_id, moment in moments if moment <= horizon]
    by_article = _versions_by_article({article_id for article_id, _ in moments})
    keys = set()
    for article_id, moment in moments:
        versions = by_article.get(article_id, [])
        before = _shown(versions, moment - _INSTANT)
        keys |= for_transition(before, _shown(versions, max(moment, now)))
    return keys


def purge_changes_between(start, end):
    """The page cache's hook (PAGE_CACHE_SCHEDULED_CHANGE_CAME): purge the pages that the
    go-lives and expiries in (start, end] changed."""
    if not purge.backends():
        return
    keys = set()
    for _, changed in changes_between(start, end):
        keys |= changed
    purge.purge(keys)
