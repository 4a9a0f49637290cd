"""Whole pages for visitors, from the cache, invalidated exactly when content changes.

- `generations`: the site's content generation, a row in the database that every content
  change replaces in the same transaction (the cache only ever holds pages under it).
- `pages`: the view decorator that serves visitors stored pages.

A small app of its own (label `page_cache`) because the generation is a table; it imports
none of the site's other apps.
"""
