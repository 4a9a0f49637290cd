"""The site settings every article page prints, kept in the cache between changes."""

import logging

from django.core.cache import cache

from .models import SiteSettings

logger = logging.getLogger(__name__)

CACHE_KEY = "articles:site-settings"


def current():
    """The settings row, from the cache: one query per change, not one per page."""
    try:
        return cache.get_or_set(CACHE_KEY, SiteSettings.load, timeout=None)
    except Exception:  # the cache is down (Redis stopped): read the row instead
        return SiteSettings.load()


def forget():
    """Drop the cached row (articles.signals, on every change of it). A cache that is down
    holds nothing to forget: the change itself must not fail for it."""
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("site settings: could not clear the cached copy", exc_info=True)
