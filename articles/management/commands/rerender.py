"""Render every article's Markdown again through the current pipeline (articles.rendering).

Run it after upgrading mgsite when the pipeline changed: stored HTML is made when content is
saved, so older articles keep the HTML of the pipeline they were saved with until then.
`make run` runs it on every start. It prints how many articles' HTML changed.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import search_index
from articles.models import Article, SiteSettings
from mgsite.page_cache import generations


class Command(BaseCommand):
    help = "Render all articles' Markdown again and say how many changed."

    def handle(self, *args, **options):
        total = changed = 0
        for pk in Article.objects.order_by("pk").values_list("pk", flat=True).iterator():
            with transaction.atomic():
                article = Article.objects.get(pk=pk)
                total += 1
                if article.rerender():
                    changed += 1
                    search_index.update(article)
        if changed:
            generations.content_changed()
        settings_row = SiteSettings.objects.filter(pk=1).first()
        if settings_row is not None:
            before = settings_row.disclaimer_html
            settings_row.save()  # renders the disclaimer
            if settings_row.disclaimer_html != before:
                self.stdout.write("The disclaimer's HTML changed.")
        self.stdout.write(f"Rendered {total} article(s) again: {changed} changed.")
