"""The one Markdown renderer: Python-Markdown, then nh3.

Everything an editor types is untrusted. Models call `render_markdown` when they are saved
and store the result; markdownx's live preview calls it too (MARKDOWNX_MARKDOWNIFY_FUNCTION),
so the preview is byte for byte what readers get. No view or template renders Markdown.
"""

import html

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from .citations import link_citations

EXTENSIONS = ["tables", "footnotes", "fenced_code", "sane_lists", "toc"]
EXTENSION_CONFIGS = {
    # Heading ids for in-page links; slugs as Django makes them.
    "toc": {"permalink": False},
}

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6",
    "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "em", "strong", "del", "sup", "sub", "abbr",
    "table", "thead", "tbody", "tr", "th", "td",
    "img", "div",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    # Heading ids (toc), footnote ids and back-links.
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"style", "align"},
    "td": {"style", "align"},
    "ol": {"start"},
}  # fmt: skip

# Footnotes mark their links and container with classes; nothing else may set one.
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}

# Tables align columns with inline styles; every other CSS property is dropped.
ALLOWED_STYLE_PROPERTIES = {"text-align"}

URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html):
    """Reduce HTML to the allow-list above: no scripts, styles, handlers or unsafe URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text, citations=None):
    """Render editor Markdown to sanitised HTML, safe to print in a template.

    `citations` maps reference keys to their numbers in the article: [@key] markers become
    numbered links (articles.citations). Without it markers stay as typed.
    """
    rendered = markdown.markdown(
        text or "",
        extensions=EXTENSIONS,
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    clean = sanitise_html(rendered)
    if citations:
        return link_citations(clean, citations)
    # Safe to mark: nh3 has just reduced it to the allow-list above.
    return mark_safe(clean)  # noqa: S308


def to_plain_text(rendered_html):
    """The words of rendered HTML, for search and word counts."""
    return " ".join(html.unescape(strip_tags(rendered_html)).split())
