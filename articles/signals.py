"""Receivers: old addresses kept on slug changes; cached pages renewed on content changes.

Signals rather than save() methods: django-reversion restores revisions with raw saves that
skip save() but still send the signals, and relation changes only send m2m_changed.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import page_cache
from .models import (
    Article,
    ArticleUpdate,
    Reference,
    Section,
    SiteSettings,
    SlugRedirect,
    Supplement,
)

# Everything a public page prints comes from these (citations are renewed by rerender()).
CONTENT_MODELS = [
    Article,
    Section,
    Supplement,
    Reference,
    ArticleUpdate,
    SiteSettings,
    SlugRedirect,
]


def _content_changed(sender, **kwargs):
    page_cache.content_changed()


for model in CONTENT_MODELS:
    post_save.connect(_content_changed, sender=model, dispatch_uid=f"pages.save.{model.__name__}")
    post_delete.connect(_content_changed, sender=model, dispatch_uid=f"pages.del.{model.__name__}")
for relation in [Article.related.through, Article.supplements.through]:
    m2m_changed.connect(_content_changed, sender=relation, dispatch_uid=f"pages.m2m.{relation}")


@receiver(pre_save, sender=Article, dispatch_uid="articles.record_slug_change")
def record_slug_change(sender, instance, **kwargs):
    # The slug the article now has is a live address again, whoever it redirected to.
    SlugRedirect.objects.filter(old_slug=instance.slug).delete()
    if instance.pk is None:
        return
    old_slug = Article.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug and old_slug != instance.slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": instance})
