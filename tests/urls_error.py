"""URLs for the 500-page test: the site's own, plus one view that fails."""

from django.urls import path

from mgsite.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
