"""Settings for mgsite, read from the environment with safe defaults.

One module for every place the site runs: production differs from a laptop only by
environment variables (see README.md, "Settings").
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from articles.rendering import MAX_ARTICLE_CHARS, MAX_SECTIONS
from mgsite.error_reporting import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state that git ignores: the SQLite database, uploads, the generated secret key.
VAR_DIR = Path(os.environ.get("MGSITE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key():
    # The environment wins; `make run`/`make test` write a random key to var/ (git-ignored)
    # so a laptop needs no set-up. Production must set SECRET_KEY itself.
    key = os.environ.get("SECRET_KEY", "").strip()
    key_file = VAR_DIR / "secret_key"
    if not key and key_file.exists():
        key = key_file.read_text().strip()
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or run `make run` once "
            f"to create a local one in {key_file}."
        )
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so `runserver` serves static files the way whitenoise does in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "adminsortable2",
    # Renditions of library images (articles/renditions.py).
    "imagekit",
    "reversion",
    "axes",
    "csp",
    "mgsite.page_cache",
    # Two-factor sign-in for staff (mgsite/two_factor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "articles",
]

MIDDLEWARE = [
    # First: hot pages for visitors, answered from this worker's memory as the whole stack
    # below last sent them (mgsite/page_cache/fast_path.py).
    "mgsite.page_cache.fast_path.FastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's user has given a code from their app (django-otp), then the
    # requirement that Publishers and superusers do before the admin opens.
    "django_otp.middleware.OTPMiddleware",
    "mgsite.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Reads a POST before the CSRF check does: one too large to read is a page saying so.
    "mgsite.request_limits.RequestLimitsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]
# Under DEBUG, the site's own 404 page all the same (mgsite/not_found.py).
SITE_404_UNDER_DEBUG = DEBUG and not env_bool("DEBUG_TECHNICAL_404", False)
if SITE_404_UNDER_DEBUG:
    MIDDLEWARE.append("mgsite.not_found.SiteNotFoundMiddleware")

AUTHENTICATION_BACKENDS = [
    # First: refuses logins while a user name or an address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "mgsite.urls"
WSGI_APPLICATION = "mgsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        # Each worker keeps its connection (checked before reuse): opening one per request
        # costs PostgreSQL a new process, and even a cached page reads the content generation.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take SQLite's lock when their transaction begins, so concurrent saves queue
    # instead of failing with "database is locked"; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root whatever the page says (/favicon.ico), served
# by whitenoise from here (inside static/: the top level holds only what the design card
# names); bench/icons.py makes them.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names need `collectstatic` first, so only when DEBUG is off.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# One cache every worker process shares, so an edit invalidates pages for all of them:
# Redis when REDIS_URL is set (production), else files under var/ (no server needed).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "mgsite"),
            # Fail fast when Redis is away: pages are then served uncached, not late.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# The change form keeps the editor's unsaved text (articles.autosave) this long after typing
# stops, and at least this often while it goes on: a crashed browser loses at most that.
AUTOSAVE_IDLE_MS = int(os.environ.get("AUTOSAVE_IDLE_MS", 600))
AUTOSAVE_MAX_WAIT_MS = int(os.environ.get("AUTOSAVE_MAX_WAIT_MS", 5000))
# How long a rendered page may stay in the cache; edits invalidate it at once regardless.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 24 * 3600))
# When the next scheduled go-live or expiry is (a timestamp or None): pages change then.
PAGE_CACHE_NEXT_CHANGE = "articles.models.next_scheduled_change"
# Each worker's own copies of hot pages (the fast path), at most this many bytes.
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024))

# An HTTP cache in front (Varnish: `make edge`, deploy/varnish/; README "Speed"). Pages for
# visitors carry surrogate keys and an s-maxage of at most PAGE_CACHE_EDGE_SECONDS, ending at
# the first scheduled go-live or expiry that changes them (PAGE_CACHE_EDGE_EVENTS lists those
# with their keys). Every publish, unpublish and settings change purges the pages it changes
# from each cache in EDGE_CACHE_URLS (comma-separated, e.g. http://127.0.0.1:6081; empty:
# none), and so does the first request after a go-live or expiry
# (PAGE_CACHE_SCHEDULED_CHANGE_CAME). mgsite/page_cache/purge.py says what happens when a
# cache does not answer.
PAGE_CACHE_EDGE_SECONDS = int(os.environ.get("PAGE_CACHE_EDGE_SECONDS", 24 * 3600))
PAGE_CACHE_EDGE_EVENTS = "articles.surrogate_keys.changes_between"
PAGE_CACHE_SCHEDULED_CHANGE_CAME = "articles.surrogate_keys.purge_changes_between"
EDGE_CACHE_URLS = env_list("EDGE_CACHE_URLS")
EDGE_CACHE_BACKEND = "mgsite.page_cache.purge.VarnishBackend"
EDGE_CACHE_TIMEOUT = float(os.environ.get("EDGE_CACHE_TIMEOUT", 2))

# Security: strict unless DEBUG; each can be relaxed from the environment (for example
# SECURE_SSL_REDIRECT=false behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets this header itself; never trust it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# markdownx and the admin read the CSRF token from the form, so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline or third-party scripts anywhere, admin included (its
# scripts and markdownx's are files under /static/). Inline *styles* stay allowed: tables
# align columns with style attributes and the admin sets a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failures, a user name *from
# one address* is locked, and separately an address that fails with many names; for
# AXES_COOLOFF_HOURS. So a stranger cannot lock an editor out from elsewhere: their own
# address is what they lock. A superuser unlocks under Admin > Axes > Access attempts
# (delete the attempts), or `manage.py axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Client addresses (mgsite/client_address.py): REMOTE_ADDR, unless TRUSTED_PROXY_COUNT
# proxies that append to X-Forwarded-For stand in front (1 for one nginx; behind
# SECURE_PROXY_SSL_HEADER it defaults to 1). Otherwise the header is ignored: anyone can
# send one.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("SECURE_PROXY_SSL_HEADER") else "0")
)
AXES_CLIENT_IP_CALLABLE = "mgsite.client_address.client_address"

# Two-factor sign-in (mgsite/two_factor.py, django-otp): while on, superusers and Publishers
# (and anyone who has set up an authenticator app) need a code from the app, or a recovery
# code, after their password before any admin page opens. On unless DEBUG (`make run`);
# REQUIRE_STAFF_2FA=false turns it off.
REQUIRE_STAFF_2FA = env_bool("REQUIRE_STAFF_2FA", not DEBUG)
# The name authenticator apps list the account under.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "mgsite")
# Nobody, superusers included, reads another person's secret or recovery codes in the admin;
# a superuser can still delete them (a lost phone).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Request limits, from the article limits (articles.rendering): saving the largest article
# the forms accept always reaches the forms, so going over an article limit is a form error
# that keeps the input, never Django's bare "Bad Request (400)". A section sends at most 7
# fields (id, article, position, heading, anchor, body, DELETE); the rest of the change form
# (the article's fields, review panel, update notes, template rows) sends under 500. Bytes:
# the Markdown, headings and anchors (300 characters a section), and 20,000 characters of
# other fields, at 12 bytes a character at worst (4 UTF-8 bytes, each sent as %XX). Over
# these, the change form says so before sending (static/js/article-form.js), and a request
# that comes all the same gets a page saying why (mgsite/request_limits.py).
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_SECTIONS * 7 + 500
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * (MAX_ARTICLE_CHARS + MAX_SECTIONS * 300 + 20_000)

# Markdown editing: markdownx's widget posts to these paths; articles.editor_views answers
# them (staff only) through the same pipeline the page is rendered with.
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
# Largest image an editor may upload through the editor, in bytes.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
# Most pixels an uploaded image may have: a small file can decode to gigabytes (a "bomb").
# 50 megapixels is a high-end camera's photo, about 200 MB while it is re-encoded.
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 50_000_000))
# AVIF renditions beside WebP: smaller files, but about 1 s of CPU per large rendition here,
# made when an image is uploaded (articles/renditions.py). Off unless asked for.
IMAGE_AVIF = env_bool("IMAGE_AVIF", False)
# django-imagekit writes renditions through the default storage, under this directory.
IMAGEKIT_CACHEFILE_DIR = "renditions"

ARTICLES_PER_PAGE = 10
RELATED_ARTICLES = 6
# How long a "share preview" link works, in seconds (default 7 days).
PREVIEW_LINK_MAX_AGE = int(os.environ.get("PREVIEW_LINK_MAX_AGE", 7 * 24 * 3600))
# "NAME is also editing this article" (articles.presence): each open change form reports
# every PRESENCE_HEARTBEAT_SECONDS; an editor not heard from within PRESENCE_WINDOW_SECONDS
# has left. A heartbeat costs a few small queries and renders nothing.
PRESENCE_HEARTBEAT_SECONDS = int(os.environ.get("PRESENCE_HEARTBEAT_SECONDS", 15))
PRESENCE_WINDOW_SECONDS = int(os.environ.get("PRESENCE_WINDOW_SECONDS", 45))

# E-mail (medical review notices and reminders, articles.notifications): printed to the
# console unless an SMTP server is configured. SITE_URL is how e-mails link to the admin.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mgsite <noreply@localhost>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Logging: warnings and errors to stderr (gunicorn and systemd keep it), request errors with
# their tracebacks; LOG_LEVEL=INFO for more. Django's own mail-to-ADMINS stays as it is.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Error reports to Sentry, only where SENTRY_DSN is set, with personal data scrubbed
# (mgsite/error_reporting.py says what never leaves the site). Tracing is off unless
# SENTRY_TRACES_SAMPLE_RATE says what share of requests to trace (0.1 for one in ten).
if os.environ.get("SENTRY_DSN", "").strip():
    init_sentry(
        os.environ["SENTRY_DSN"].strip(),
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
    )
