"""A request too large to read gets a page that says so, not Django's bare 400.

Django refuses to read a POST of more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes or with more
than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, and the CSRF check, the first to read it, turns
that into "Bad Request (400)". Read here first, such a request gets a page (413) saying that
nothing was saved, why, and what to do. The limits follow the article limits
(mgsite.settings), and the article form checks them in the browser before sending
(static/js/article-form.js), which keeps the input on the page; this page is for what
comes all the same (no JavaScript, another client).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render

from articles.rendering import MAX_ARTICLE_CHARS, MAX_SECTIONS


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (parsed now, or refused with the reason)
            except (RequestDataTooBig, TooManyFieldsSent) as error:
                return too_large(request, error)
        return self.get_response(request)


def too_large(request, error):
    context = {
        "too_many_fields": isinstance(error, TooManyFieldsSent),
        "max_fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "max_megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000,
        "megabytes": int(request.META.get("CONTENT_LENGTH") or 0) / 1_000_000,
        "max_sections": MAX_SECTIONS,
        "max_chars": MAX_ARTICLE_CHARS,
    }
    return render(request, "413.html", context, status=413)
