"""sitemap.xml: published articles, supplements and people with published articles, the
About / Editorial policy / Corrections pages, and the lists."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.urls import reverse

from mgsite.page_cache.edge import add_keys

from . import surrogate_keys
from .models import LiveVersion, Person, SitePage, Supplement


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return LiveVersion.objects.visible().order_by("article")

    def lastmod(self, version):
        return version.live_from


class SupplementSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Supplement.objects.filter(live_versions__in=LiveVersion.objects.visible()).distinct()


class PersonSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Person.objects.public().order_by("slug")


class SitePageSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return SitePage.objects.order_by("slug")

    def lastmod(self, page):
        return page.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["articles:home", "articles:supplements"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "articles": ArticleSitemap,
    "supplements": SupplementSitemap,
    "people": PersonSitemap,
    "site-pages": SitePageSitemap,
    "pages": PageSitemap,
}


def sitemap_xml(request):
    """Django's sitemap view, with its keys for an HTTP cache in front."""
    add_keys(request, surrogate_keys.for_sitemap())
    return sitemap(request, sitemaps=SITEMAPS)
