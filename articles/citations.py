"""Citation markers: an editor cites a Reference inside Markdown as [@key].

Numbers follow the order of first citation across the whole article (intro, sections in
order, conclusion); `Article.rerender` assigns them. A marker naming no known reference is
a form error in the admin (`unknown_keys`), never silent output.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.safestring import mark_safe

# [@abbasi2012], or several at once: [@abbasi2012; @held2002]
MARKER = re.compile(r"\[@([a-z0-9][a-z0-9_-]*(?:\s*;\s*@[a-z0-9][a-z0-9_-]*)*)\]", re.IGNORECASE)

_deferred = ContextVar("articles_rendering_deferred", default=False)


def _keys_in(marker_body):
    return [key.strip().lstrip("@").lower() for key in marker_body.split(";")]


def cited_keys(*texts):
    """Every key cited in `texts`, in order of first citation, once each."""
    keys = []
    for text in texts:
        for match in MARKER.finditer(text or ""):
            keys += [key for key in _keys_in(match.group(1)) if key not in keys]
    return keys


def unknown_keys(keys):
    from .models import Reference

    known = set(Reference.objects.filter(key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in known]


def link_citations(html, numbers):
    """Turn each marker in sanitised HTML into numbered superscript links to the list.

    Runs after nh3, on HTML it has already cleaned; it adds only the markup below, built
    from numbers. Keys without a number (unknown) stay as the editor typed them.
    """

    def replace(match):
        keys = _keys_in(match.group(1))
        if not all(key in numbers for key in keys):
            return match.group(0)
        links = ",".join(f'<a href="#ref-{numbers[key]}">{numbers[key]}</a>' for key in keys)
        return f'<sup class="citation">[{links}]</sup>'

    return mark_safe(MARKER.sub(replace, html))  # noqa: S308  (see the docstring)


@contextmanager
def deferred_rendering():
    """Hold back Article.rerender() until the block ends (the admin saves many sections)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def rendering_deferred():
    return _deferred.get()


def preview_html(text):
    """The admin's live preview of one field: citations numbered within it, with a reference
    list under it, and unknown markers called out."""
    from django.template.loader import render_to_string

    from .markdown import render_markdown
    from .models import Citation, Reference

    keys = cited_keys(text)
    references = {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}
    numbers = {key: n for n, key in enumerate([k for k in keys if k in references], start=1)}
    listed = [Citation(number=n, reference=references[key]) for key, n in numbers.items()]
    extra = render_to_string(
        "articles/_preview_citations.html",
        {"citations": listed, "unknown": [key for key in keys if key not in references]},
    )
    return mark_safe(render_markdown(text, numbers) + extra)  # noqa: S308  (both parts escaped)
