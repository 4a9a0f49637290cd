"""Keep old article addresses working when a slug changes.

A signal rather than Article.save(): django-reversion restores a revision with a raw save
that skips save() but still sends pre_save, and a restored slug must leave a redirect too.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Article, SlugRedirect


@receiver(pre_save, sender=Article, dispatch_uid="articles.record_slug_change")
def record_slug_change(sender, instance, **kwargs):
    # The slug the article now has is a live address again, whoever it redirected to.
    SlugRedirect.objects.filter(old_slug=instance.slug).delete()
    if instance.pk is None:
        return
    old_slug = Article.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug and old_slug != instance.slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": instance})
