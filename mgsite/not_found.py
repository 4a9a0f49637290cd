"""The site's own 404 page under DEBUG (`make run`) too.

With DEBUG on, Django answers a 404 with its technical page, which lists every URL pattern
and looks nothing like the site: editors trying the site on a laptop should meet the page
readers meet. DEBUG_TECHNICAL_404=true brings Django's page back for debugging URLs.
"""

from django.http import Http404
from django.views.defaults import page_not_found


class SiteNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def no_such_page(request, path):
    """The last URL pattern under DEBUG: unknown addresses reach the middleware above."""
    raise Http404("No page at this address.")
