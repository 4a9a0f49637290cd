"""/healthz for load balancers and operators: can this worker reach its database and its
cache? 200 when both answer, 503 naming what is down. Never cached. It also says what this
worker keeps of hot pages in its own memory (the page cache's fast path) against its limit."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from mgsite.page_cache.fast_path import local_pages


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    cache.set("healthz", "ok", timeout=10)
    return cache.get("healthz") == "ok"


@never_cache
def healthz(request):
    checks = {}
    for name, check in (("database", _database), ("cache", _cache)):
        try:
            checks[name] = "ok" if check() else "down"
        except Exception:  # whatever the backend raises, the answer is the same
            checks[name] = "down"
    healthy = all(state == "ok" for state in checks.values())
    report = {**checks, "page_cache_this_worker": local_pages.report()}
    return JsonResponse(report, status=200 if healthy else 503)
