"""Error reports to Sentry, only where SENTRY_DSN is set, without personal data.

settings.py calls init_sentry() when SENTRY_DSN is set; without it nothing here runs and no
Sentry client exists. Request errors (with tracebacks), and log records at ERROR, become
events; INFO and WARNING log records ride along as breadcrumbs.

What never leaves the site, whatever an integration collects (scrub(), Sentry's before_send,
runs on every event; send_default_pii=False already keeps most of it out):

- cookies (the session and CSRF cookies are how an editor is signed in), and the Cookie,
  Authorization, Proxy-Authorization, X-CSRFToken, X-Forwarded-For and X-Real-IP headers;
- request bodies: only the admin and its login take POSTs, and theirs hold passwords, drafts
  and people's e-mail addresses (the body is not even read: max_request_body_size="never");
- the client's address (REMOTE_ADDR), and everything Sentry knows of the user but their id;
- local variables of the failing code's frames, which can hold any of the above
  (include_local_variables=False);
- django-axes's log lines about failed logins and lockouts, as breadcrumbs: they stay in the
  site's own log on stderr (axes masks the user name and address in them by default).
"""

import sentry_sdk
from sentry_sdk.integrations.logging import ignore_logger

FILTERED = "[Filtered]"
SECRET_HEADERS = {
    "cookie",
    "authorization",
    "proxy-authorization",
    "x-csrftoken",
    "x-forwarded-for",
    "x-real-ip",
}


def scrub(event, hint=None):
    """Sentry's before_send: remove personal data and secrets from an event (see above)."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in SECRET_HEADERS:
                    headers[name] = FILTERED
        env = request.get("env")
        if isinstance(env, dict):
            env.pop("REMOTE_ADDR", None)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return event


def init_sentry(dsn, *, environment=None, release=None, traces_sample_rate=0.0, transport=None):
    """Start Sentry's client for this process. traces_sample_rate 0 turns tracing off
    altogether; `transport` is for tests, which collect events instead of sending them."""
    ignore_logger("axes*")
    # Every request with a Host header not in ALLOWED_HOSTS (bots, scanners) is logged as an
    # error by Django; on stderr it is enough, in Sentry it would bury the real errors.
    ignore_logger("django.security.DisallowedHost")
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        transport=transport,
    )
