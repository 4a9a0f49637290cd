"""Top-level URLs: the public site, the admin, and the admin's Markdown editor endpoints."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from articles import editor_views
from articles.sitemaps import sitemap_xml
from articles.views import robots_txt
from mgsite import health, not_found, two_factor_views, web_manifest
from mgsite.page_cache.pages import cached_for_visitors

admin.site.site_header = "mgsite editorial"
admin.site.site_title = "mgsite admin"
admin.site.index_title = "Content"

urlpatterns = [
    # Before the admin's own URLs, whose last pattern catches every path under admin/.
    path("admin/two-factor/", include(two_factor_views)),
    path("admin/", admin.site.urls),
    # markdownx's own urls module is not included: its views answer anyone. These are the
    # same paths its widget calls, answered for staff only.
    path("markdownx/markdownify/", editor_views.markdownify, name="markdownx_markdownify"),
    path("markdownx/upload/", editor_views.upload_image, name="markdownx_upload"),
    # The "Insert image" dialog beside each Markdown field (static/js/insert-image.js).
    path("markdownx/images/", editor_views.image_library, name="image_library"),
    path("markdownx/images/insert/", editor_views.insert_image, name="insert_image"),
    path("sitemap.xml", cached_for_visitors(sitemap_xml), name="sitemap"),
    path("robots.txt", cached_for_visitors(robots_txt), name="robots"),
    path("healthz", health.healthz, name="healthz"),
    path("site.webmanifest", web_manifest.web_manifest, name="web_manifest"),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    # In production the reverse proxy serves uploads from MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
if settings.SITE_404_UNDER_DEBUG:
    urlpatterns.append(re_path(r"^(?P<path>.*)$", not_found.no_such_page))
