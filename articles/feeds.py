"""RSS and Atom feeds of the newest published articles."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from mgsite.page_cache.edge import add_keys

from . import surrogate_keys
from .models import LiveVersion


class LatestArticlesFeed(Feed):
    title = "mgsite: evidence-based supplement articles"
    author_name = "mgsite"  # Atom requires an author; entries name theirs
    link = reverse_lazy("articles:home")
    description = "The newest articles, each with its sources and medical review."

    def get_object(self, request, *args, **kwargs):
        # The feed's "object" is the request, so that `items` can name the feed's keys for
        # an HTTP cache in front (mgsite.page_cache.edge) from the rows it reads anyway.
        return request

    def items(self, request):
        versions = list(
            LiveVersion.objects.visible()
            .order_by("-first_published_at", "-pk")
            .prefetch_related("supplements")[:20]
        )
        add_keys(request, surrogate_keys.for_feed(versions))
        return versions

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # Feed readers take RSS <description> and Atom <summary type="html"> as HTML: plain
        # text goes in escaped, so "A < B & C" reads as written.
        return escape(article.summary or article.subtitle)

    def item_pubdate(self, article):
        return article.first_published_at

    def item_updateddate(self, article):
        return article.live_from

    def item_author_name(self, article):
        return article.byline or "mgsite"

    def item_categories(self, article):
        return [supplement.name for supplement in article.supplements.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
