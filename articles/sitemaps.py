"""sitemap.xml: published articles, supplements with published articles, and the lists."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Supplement


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class SupplementSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Supplement.objects.filter(articles__in=Article.objects.published()).distinct()


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["articles:home", "articles:supplements"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"articles": ArticleSitemap, "supplements": SupplementSitemap, "pages": PageSitemap}
