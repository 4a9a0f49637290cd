"""The one place a content change sets off its consequences: rendering, search, caches.

A change to an article's draft (the article, its sections, update notes, relations, a
reference it cites or a library image it shows) renders the draft again
(`Article.rerender`, once per article however many of its rows changed) and moves its
version forward (the edit forms' conflict check).
Readers see none of it: only a change to what they see (a live version published or
taken down, a supplement, an old address, the site settings) indexes it for search and
starts one new content generation of the page cache (mgsite.page_cache), in the same
transaction as the change. A live version saved or deleted also marks where its article's
versions stand (`LiveVersionQuerySet.restack`), which is how visible() finds them.

Each such change also purges, once committed, exactly the pages it changes from an HTTP
cache in front (articles.surrogate_keys names them; mgsite.page_cache.purge sends them).

Inside `changes()` these wait until the block ends, so a save of an article with fifty
sections renders it once and starts one generation; the admin wraps every save, action and
restore in it, and scripts that write many rows should too. Outside it they happen at once.

Signals rather than save() methods: django-reversion restores revisions with raw saves
that skip save() but still send the signals, bulk deletes send post_delete per row, and
relation changes only send m2m_changed.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from mgsite.page_cache import generations, purge

from . import renditions, search_index, surrogate_keys
from .models import (
    Article,
    ArticleUpdate,
    Image,
    LiveVersion,
    Person,
    Reference,
    Section,
    SitePage,
    SiteSettings,
    SlugRedirect,
    Supplement,
)


@dataclass
class _Changes:
    render: set = field(default_factory=set)  # article ids whose draft to render again
    edited: set = field(default_factory=set)  # article ids whose version moves forward
    removed: set = field(default_factory=set)  # article ids deleted
    pages: bool = False  # anything a public page shows changed
    moments: set = field(default_factory=set)  # (article id, time) a new live version starts/ends
    purge: set = field(default_factory=set)  # surrogate keys of pages changed otherwise

    def apply(self):
        # One step per block, however many rows changed; in the database, so a stale copy
        # of the article cannot undo it. Edit forms compare it (articles.forms).
        edited = self.edited - self.removed
        if edited:
            Article.objects.filter(pk__in=edited).update(version=F("version") + 1)
        for article in Article.objects.filter(pk__in=self.render - self.removed):
            article.rerender()
        if self.pages:
            generations.content_changed()
        if (self.moments or self.purge) and purge.enabled():
            moments, keys = set(self.moments), set(self.purge)
            transaction.on_commit(lambda: _purge_edge(moments, keys))


logger = logging.getLogger(__name__)


def _purge_edge(moments, keys):
    # After the commit: the change stands whatever happens here (purge never raises; the
    # keys are worked out from what is now committed).
    try:
        purge.purge(keys | surrogate_keys.for_new_versions(moments, timezone.now()))
    except Exception:
        logger.exception("could not work out what to purge from the HTTP cache")


_pending = ContextVar("articles_changes", default=None)


@contextmanager
def changes():
    """Hold back the consequences of content changes until the block ends; then apply each
    once. Nested blocks join the outermost one. Nothing is applied if the block fails."""
    if _pending.get() is not None:
        yield
        return
    pending = _Changes()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    pending.apply()


def render_pending(article):
    """Render `article` now, exactly as saved (publishing and review need its true
    fingerprint, whatever changed around it), and not again when the block ends."""
    pending = _pending.get()
    if pending is not None:
        pending.render.discard(article.pk)
    article.refresh_from_db()
    article.rerender()


def _record(**what):
    pending = _pending.get()
    target = pending if pending is not None else _Changes()
    for name, value in what.items():
        if isinstance(value, set):
            getattr(target, name).update(value)
        else:
            setattr(target, name, value)
    if pending is None:
        target.apply()


# Receivers ----------------------------------------------------------------------------------


@receiver(post_save, sender=Article, dispatch_uid="articles.article_saved")
def _article_saved(sender, instance, **kwargs):
    _record(render={instance.pk}, edited={instance.pk})


@receiver(post_delete, sender=Article, dispatch_uid="articles.article_deleted")
def _article_deleted(sender, instance, **kwargs):
    _record(removed={instance.pk})


@receiver(post_save, sender=Section, dispatch_uid="articles.section_saved")
@receiver(post_delete, sender=Section, dispatch_uid="articles.section_deleted")
def _section_changed(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Article) or getattr(origin, "model", None) is Article:
        return  # deleted with its article: nothing left to render
    # A section is part of its article: a script saving one moves the article's version too.
    _record(render={instance.article_id}, edited={instance.article_id})


@receiver(post_save, sender=Reference, dispatch_uid="articles.reference_saved")
def _reference_saved(sender, instance, **kwargs):
    # Drafts that cite it (or a marker now naming it) show its new details when published.
    citing = Article.objects.filter(citations__reference=instance).values_list("pk", flat=True)
    _record(render=set(citing))


# What a save purges is worked out before it (from the row as it was) and recorded after
# it: outside changes() a purge is sent as soon as it is recorded, and a page fetched
# between a purge and the save it was for would be kept stale.
_PURGE_AFTER_SAVE = "_purge_after_save"


def _purge_after_save(instance, keys):
    setattr(instance, _PURGE_AFTER_SAVE, keys)


def _record_purge_after_save(instance):
    if keys := instance.__dict__.pop(_PURGE_AFTER_SAVE, None):
        _record(purge=keys)


@receiver(pre_save, sender=Image, dispatch_uid="articles.image_saving")
def _image_saving(sender, instance, **kwargs):
    if not purge.enabled() or instance.pk is None:
        return
    people = set(instance.portrait_of.values_list("pk", flat=True))
    if people:
        before = Image.objects.filter(pk=instance.pk).first()
        _purge_after_save(instance, surrogate_keys.for_portrait(before, instance, people))


@receiver(post_save, sender=Image, dispatch_uid="articles.image_saved")
def _image_saved(sender, instance, **kwargs):
    # Drafts that show it get its new file, alt text or caption; live pages keep what they
    # froze until those drafts are published again (the library lists them).
    showing = Article.objects.filter(image_uses__image=instance).values_list("pk", flat=True)
    # A person's page shows their portrait as it is now.
    if instance.portrait_of.exists():
        _record(pages=True)
    _record_purge_after_save(instance)
    _record(render=set(showing))


@receiver(post_delete, sender=Image, dispatch_uid="articles.image_deleted")
def _image_deleted(sender, instance, **kwargs):
    # Only unused images can be deleted (ImageUse and LiveImageUse protect the rest); their
    # files go once the deletion is committed, so a rollback loses nothing.
    file, width = instance.file, instance.width
    transaction.on_commit(lambda: renditions.delete(file, width))


@receiver(post_save, sender=ArticleUpdate, dispatch_uid="articles.update_saved")
@receiver(post_delete, sender=ArticleUpdate, dispatch_uid="articles.update_deleted")
def _update_note_changed(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Article) or getattr(origin, "model", None) is Article:
        return
    _record(render={instance.article_id})


def _relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):  # m2m_changed also sends pre_add, pre_remove, ...
        return
    if isinstance(instance, Article):
        # Related articles are symmetrical: both ends' drafts changed.
        _record(
            render={instance.pk, *(pk_set or ())}
            if sender is Article.related.through
            else {instance.pk}
        )
    else:  # a supplement's articles changed, seen from the supplement
        _record(render=set(pk_set or ()))


for relation in [Article.related.through, Article.supplements.through, Article.authors.through]:
    m2m_changed.connect(_relations_changed, sender=relation, dispatch_uid=f"draft.m2m.{relation}")


@receiver(pre_delete, sender=Supplement, dispatch_uid="articles.supplement_deleting")
def _supplement_deleting(sender, instance, **kwargs):
    # Its rows in the articles' relation go without m2m_changed: their drafts change.
    _record(render=set(instance.articles.values_list("pk", flat=True)))


@receiver(pre_save, sender=Person, dispatch_uid="articles.person_saving")
def _person_saving(sender, instance, **kwargs):
    if purge.enabled():
        before = Person.objects.filter(pk=instance.pk).first() if instance.pk else None
        _purge_after_save(instance, surrogate_keys.for_person(before, instance))


@receiver(pre_delete, sender=Person, dispatch_uid="articles.person_deleting")
def _person_deleting(sender, instance, **kwargs):
    if purge.enabled():
        _record(purge=surrogate_keys.for_person_removal(instance.pk))


@receiver(post_save, sender=Person, dispatch_uid="articles.person_saved")
@receiver(post_delete, sender=Person, dispatch_uid="articles.person_deleted")
def _person_changed(sender, instance, **kwargs):
    # Bylines are part of drafts (live versions froze theirs); their page, and the review
    # line of the pages whose approval is theirs, print them as they are now.
    written = set(instance.articles_written.values_list("pk", flat=True)) if instance.pk else set()
    _record_purge_after_save(instance)
    _record(render=written, pages=True)


@receiver(post_save, sender=LiveVersion, dispatch_uid="articles.live_saved")
def _live_version_saved(sender, instance, **kwargs):
    LiveVersion.objects.restack(instance.article_id)
    if not instance.takedown:
        search_index.update(instance)
    moments = {(instance.article_id, instance.live_from)}
    if instance.expires_at is not None:
        moments.add((instance.article_id, instance.expires_at))
    _record(pages=True, moments=moments if purge.enabled() else set())


@receiver(pre_delete, sender=LiveVersion, dispatch_uid="articles.live_deleting")
def _live_version_deleting(sender, instance, **kwargs):
    if purge.enabled():
        _record(purge=surrogate_keys.for_removal(instance))


@receiver(post_delete, sender=LiveVersion, dispatch_uid="articles.live_deleted")
def _live_version_deleted(sender, instance, **kwargs):
    # A scheduled version cancelled: the one before it is the article's newest again.
    LiveVersion.objects.restack(instance.article_id)
    search_index.remove(instance.pk)
    _record(pages=True)


@receiver(post_save, sender=SiteSettings, dispatch_uid="articles.settings_saved")
@receiver(post_delete, sender=SiteSettings, dispatch_uid="articles.settings_deleted")
def _settings_changed(sender, instance, **kwargs):
    _record(pages=True)


@receiver(pre_save, sender=SiteSettings, dispatch_uid="articles.settings_saving")
def _settings_saving(sender, instance, raw=False, **kwargs):
    # Pages print the disclaimer only (approval before publishing is for editors).
    if not purge.enabled():
        return
    before = SiteSettings.objects.filter(pk=instance.pk).values_list("disclaimer_html", flat=True)
    if (before.first() or "") != instance.disclaimer_html:
        _record(purge={surrogate_keys.SETTINGS})


@receiver(pre_delete, sender=SiteSettings, dispatch_uid="articles.settings_deleting")
def _settings_deleting(sender, instance, **kwargs):
    _record(purge={surrogate_keys.SETTINGS})


@receiver(pre_save, sender=Supplement, dispatch_uid="articles.supplement_saving")
def _supplement_saving(sender, instance, **kwargs):
    if purge.enabled():
        before = Supplement.objects.filter(pk=instance.pk).first() if instance.pk else None
        _record(purge=surrogate_keys.for_supplement(before, instance))


@receiver(post_delete, sender=Supplement, dispatch_uid="articles.supplement_deleted")
def _supplement_deleted(sender, instance, **kwargs):
    _record(purge=surrogate_keys.for_supplement_removal(instance.pk))


@receiver(pre_save, sender=SitePage, dispatch_uid="articles.site_page_saving")
def _site_page_saving(sender, instance, raw=False, **kwargs):
    if not purge.enabled():
        return
    before = SitePage.objects.filter(pk=instance.pk).first() if instance.pk else None
    # The day it will say it was last updated: today (auto_now), unless loaded as it was.
    if not raw:
        day = timezone.localdate()
    else:
        day = timezone.localdate(instance.updated_at) if instance.updated_at else None
    _purge_after_save(instance, surrogate_keys.for_site_page(before, instance, day))


@receiver(post_save, sender=SitePage, dispatch_uid="articles.site_page_saved")
def _site_page_saved(sender, instance, **kwargs):
    _record_purge_after_save(instance)


@receiver(pre_delete, sender=SitePage, dispatch_uid="articles.site_page_deleting")
def _site_page_deleting(sender, instance, **kwargs):
    _record(purge=surrogate_keys.for_site_page_removal(instance.pk))


def _pages_changed(sender, **kwargs):
    _record(pages=True)


for model in [Supplement, SlugRedirect, SitePage]:
    post_save.connect(_pages_changed, sender=model, dispatch_uid=f"pages.save.{model.__name__}")
    post_delete.connect(_pages_changed, sender=model, dispatch_uid=f"pages.del.{model.__name__}")
