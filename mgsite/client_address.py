"""The address a request came from, as login throttling (django-axes) counts it.

REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front: then the entry that many
places from the right of X-Forwarded-For, the address the outermost trusted proxy saw.
Entries further left are whatever the client sent and are never trusted.

Not django-ipware: with a proxy count it expects exactly that many entries and otherwise
falls back to REMOTE_ADDR (the proxy), so a client sending any X-Forwarded-For of its own
would count as the proxy, and a few failed logins would lock out everyone behind it.
"""

from django.conf import settings


def client_address(request):
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else remote
