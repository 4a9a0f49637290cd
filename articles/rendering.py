"""The one Markdown pipeline: markdown-it-py (CommonMark) -> citations -> nh3 -> stored HTML.

Everything an editor types is untrusted. Saving an article, the admin's live preview, the
`rerender` command and the data migrations all call `render_document`; no other module
renders Markdown, and no view or template does.

An article is one document: its intro, sections and conclusion are rendered in page order
in one pass, so citation numbers ([@key] -> [1]) and footnote numbers run across all of it,
and every id it produces is unique in the page (headings, footnotes, and none that the
page's own template uses). Nothing here knows about models: callers pass the texts, the
reference keys that exist, and the ids the page already uses.

Linear time: every rule here makes one pass (`make bench` measures the worst inputs). The
task-list plugin's parent lookup is quadratic (seconds at 100,000 characters), and heading
ids must be unique across the whole document, not one text: this module does both itself.
Fields are limited to MAX_FIELD_CHARS and an article to MAX_ARTICLE_CHARS in MAX_SECTIONS
sections (forms and the preview endpoint say so to the editor; the site's request limits in
mgsite.settings are derived from these).
"""

import html
import re
import secrets
from dataclasses import dataclass, field
from functools import cache

import nh3
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# Measured (make bench): the slowest inputs, runs of "[" and "[^", take about 15 us a
# character, so 20,000 characters render in a quarter of a second at worst. That is some
# 3,000 words a field; 300,000 characters are 300 sections of 1,000.
MAX_FIELD_CHARS = 20_000
MAX_ARTICLE_CHARS = 300_000
MAX_SECTIONS = 300
# markdown-it stops parsing a text at this depth of nested blocks (lists count two levels
# each, quotes one) and silently drops the rest of it: forms refuse such text instead
# (`too_deeply_nested`). CommonMark's own 20 would cut a list nested ten deep.
MAX_NESTING = 60

# Ids the article template gives its own elements; nothing in the text may take them.
TEMPLATE_IDS = frozenset(
    {
        "main", "content", "content-main", "toc-heading", "references-heading",
        "updates-heading", "related-heading", "site-search-q", "search-q", "notes",
    }
)  # fmt: skip
# Ids the pipeline makes itself: citation targets (ref-N) and footnotes (fnN, fnrefN).
GENERATED_ID = re.compile(r"ref-\d+|fn\d+|fnref\d+(:\d+)?")

# [@abbasi2012], or several at once: [@abbasi2012; @held2002]. Bounded, so a long run of
# characters is scanned once.
CITATION = re.compile(
    r"\[@([a-z0-9][a-z0-9_-]{0,59}(?:\s{0,3};\s{0,3}@[a-z0-9][a-z0-9_-]{0,59}){0,19})\]",
    re.IGNORECASE,
)
# Until nh3 has cleaned the HTML, a citation is a private-use placeholder carrying a random
# token made for each render, so raw HTML cannot fake one, nor can the same characters typed
# as entities (&#xE000;), which only decode later: without the token they are dropped.
# Task-list boxes likewise: no <input> typed as raw HTML survives nh3.
# Library images likewise: their <figure>/<picture> markup is ours, added after nh3.
_CITE_OPEN, _CITE_CLOSE, _BOX, _CHECKED_BOX = "\ue000", "\ue001", "\ue002", "\ue003"
_IMAGE_OPEN, _IMAGE_CLOSE = "\ue004", "\ue005"
_PLACEHOLDERS = re.compile(
    f"[{_CITE_OPEN}{_CITE_CLOSE}{_BOX}{_CHECKED_BOX}{_IMAGE_OPEN}{_IMAGE_CLOSE}]"
)
_TASK = re.compile(r"\[([ xX])\][ \t]")
# ![what it shows](image:42): an image from the library, by its id.
IMAGE_REFERENCE = re.compile(r"image:([1-9][0-9]{0,9})")

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6",
    "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "em", "strong", "del", "s", "sup", "sub", "abbr",
    "table", "thead", "tbody", "tr", "th", "td",
    "img", "div", "section",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id", "class"},
    "ul": {"class"},
    "sup": {"class"},
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start", "class"},
    "code": {"class"},
    "hr": {"class"},
    "section": {"class"},
    "div": {"class", "tabindex", "role", "aria-label"},
}  # fmt: skip
# Classes the pipeline sets; anything else an editor writes is dropped.
ALLOWED_CLASSES = {
    "a": {"footnote-backref"},
    "li": {"footnote-item", "task-list-item"},
    "ul": {"contains-task-list"},
    "ol": {"footnotes-list"},
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "div": {"table-scroll"},
}
LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#-]{1,40}")
# Tables align columns with inline styles; every other CSS property is dropped.
ALLOWED_STYLE_PROPERTIES = {"text-align"}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Document:
    """What rendering an article's texts gives: their HTML, and the citations it numbered."""

    html: list  # one safe HTML string per text, in the order given
    citations: list  # reference keys, in citation-number order (number = index + 1)
    cited: list  # per text: the set of keys it cites
    images: list = field(default_factory=list)  # library image ids shown, in page order

    @property
    def plain_text(self):
        return "\n".join(text for text in map(to_plain_text, self.html) if text)


@dataclass
class _State:
    """Numbering and ids shared by every text of one document."""

    known: frozenset
    reserved: frozenset
    numbers: dict = field(default_factory=dict)
    used_ids: set = field(default_factory=set)  # ids given out or already in the HTML
    emitted: set = field(default_factory=set)  # ids that survived sanitising
    next_suffix: dict = field(default_factory=dict)
    footnotes: int = 0
    figures: dict = field(default_factory=dict)  # image id -> what to print (Image.figure)
    shown: list = field(default_factory=list)  # image placeholders given out, in page order
    token: str = field(default_factory=lambda: secrets.token_hex(8))  # see _CITE_OPEN

    def taken(self, value):
        return (
            value in self.used_ids
            or value in self.reserved
            or value in TEMPLATE_IDS
            or _generated(value)
        )

    def unique_id(self, base):
        base = base or "section"
        if not self.taken(base):
            self.used_ids.add(base)
            return base
        n = self.next_suffix.get(base, 2)
        while self.taken(candidate := f"{base}-{n}"):
            n += 1
        self.next_suffix[base] = n + 1
        self.used_ids.add(candidate)
        return candidate


def _generated(value):
    return GENERATED_ID.fullmatch(value) is not None


def is_page_id(value):
    """An id the article page or this pipeline gives out itself: no section anchor takes it."""
    return value in TEMPLATE_IDS or _generated(value)


def normalise(text):
    """One form of every text: LF line ends (browsers send CRLF), no placeholder characters."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return without_placeholders(text)


def without_placeholders(text):
    """`text` without the private-use characters this pipeline and search's snippets use as
    markers (U+E000 to U+E005): typed ones could forge a citation, an image or a search mark."""
    return _PLACEHOLDERS.sub("", text or "")


# markdown-it rules -------------------------------------------------------------------------


def _citation_rule(state, silent):
    """[@key] or [@a; @b] as one token, before links see the brackets. Inside code spans
    and fenced code the inline rules never run, so a marker there stays code."""
    if state.src.startswith("[@", state.pos) is False:
        return False
    match = CITATION.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = match.group(0)
        token.meta = {"keys": [key.strip().lstrip("@").lower() for key in match[1].split(";")]}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env):
    token, document = tokens[idx], env["document"]
    keys = token.meta["keys"]
    if not all(key in document.known for key in keys):
        return html.escape(token.content)  # unknown keys stay as typed (forms refuse them)
    numbers = []
    for key in keys:
        numbers.append(document.numbers.setdefault(key, len(document.numbers) + 1))
        env["cited"].add(key)
    return f"{_CITE_OPEN}{document.token}{','.join(map(str, numbers))}{_CITE_CLOSE}"


def _library_image(token):
    """The library image id a Markdown image token refers to, or None."""
    match = IMAGE_REFERENCE.fullmatch(token.attrGet("src") or "")
    return int(match[1]) if match else None


def _figures(state):
    """An image alone in its paragraph is a figure (with its caption), and a <figure>
    cannot sit inside a <p>: the paragraph is not printed."""
    document = state.env.get("document")
    if document is None or not document.figures:
        return
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i : i + 3]
        if opening.type != "paragraph_open" or closing.type != "paragraph_close":
            continue
        children = [
            child
            for child in inline.children or ()
            if not (child.type in {"text", "softbreak"} and not child.content.strip())
        ]
        if (
            len(children) == 1
            and children[0].type == "image"
            and _library_image(children[0]) in document.figures
        ):
            children[0].meta["figure"] = True
            opening.hidden = closing.hidden = True


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    image_id = _library_image(token)
    document = env.get("document")
    if image_id is None or document is None:
        return self.image(tokens, idx, options, env)
    if image_id not in document.figures:
        # Not in the library (forms refuse it): the reference stays as typed.
        return html.escape(
            f"![{self.renderInlineAsText(token.children, options, env)}]({token.attrGet('src')})"
        )
    document.shown.append((image_id, bool(token.meta.get("figure")), env["text_index"]))
    number = len(document.shown) - 1
    return f"{_IMAGE_OPEN}{document.token}{number}{_IMAGE_CLOSE}"


def _picture(figure, lazy):
    """<picture> with a <source> per modern format and the fallback's <img>: the browser
    takes the first type it supports and, from its srcset, the width the layout needs."""
    *modern, fallback = figure["sources"]

    def srcset(source):
        return ", ".join(f"{url} {width}w" for url, width in source["srcset"])

    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((source["type"], srcset(source), figure["sizes"]) for source in modern),
    )
    # The src for browsers without srcset: a middle width, not the largest.
    candidates = fallback["srcset"]
    src = next((url for url, width in candidates if width >= 800), candidates[-1][0])
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        '{} decoding="async"></picture>',
        sources,
        src,
        srcset(fallback),
        figure["sizes"],
        figure["width"],
        figure["height"],
        figure["alt"],
        mark_safe(' loading="lazy"') if lazy else "",
    )


def _figure(figure, lazy):
    picture = _picture(figure, lazy)
    credit = " · ".join(part for part in (figure["credit"], figure["licence"]) if part)
    if not (figure["caption"] or credit):
        return format_html('<figure class="image">{}</figure>', picture)
    caption = format_html(
        "<figcaption>{}{}</figcaption>",
        figure["caption"],
        format_html(' <small class="image-credit">{}</small>', credit) if credit else "",
    )
    return format_html('<figure class="image">{}{}</figure>', picture, caption)


def card_picture_html(figure, sizes, eager=False):
    """A library image on a card: the <picture> alone, with the card's `sizes`. Lazy
    unless `eager` (the first card, in view when the page opens)."""
    html_out = _picture({**figure, "sizes": sizes}, lazy=not eager)
    if eager:
        html_out = html_out.replace(' decoding="async">', ' decoding="async" fetchpriority="high">')
    return mark_safe(html_out)  # noqa: S308  (built by format_html from escaped data)


def figure_html(figure):
    """A library image on its own (an article's lead image): a <figure>, loaded at once
    and before other images, since it is at the top of the page."""
    html_out = _figure(figure, lazy=False)
    first = html_out.replace(' decoding="async">', ' decoding="async" fetchpriority="high">')
    return mark_safe(first)  # noqa: S308  (built by format_html from escaped data)


def picture_html(figure, sizes):
    """A library image shown at a size the page decides (`sizes`, e.g. "10rem"), without
    a caption: a person's portrait."""
    return _picture({**figure, "sizes": sizes}, lazy=False)


def _heading_ids(state):
    """An id for every heading from its text, unique across the whole document."""
    document = state.env.get("document")
    if document is None:
        return
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = "".join(
                child.content for child in tokens[i + 1].children or () if child.type == "text"
            )
            token.attrSet("id", document.unique_id(slugify(text)[:80]))


def _task_lists(state):
    """`- [ ] item` and `- [x] item` as disabled checkboxes; one pass over the tokens."""
    tokens = state.tokens
    lists = []  # the open bullet lists, innermost last
    for i, token in enumerate(tokens):
        if token.type == "bullet_list_open":
            lists.append(token)
        elif token.type == "bullet_list_close":
            lists.pop()
        elif (
            token.type == "inline"
            and i >= 2
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 2].type == "list_item_open"
            and lists
            and token.children
            and token.children[0].type == "text"
            and _TASK.match(token.children[0].content)
        ):
            first = token.children[0]
            checked = first.content[1] in "xX"
            first.content = first.content[4:]
            box = Token("text", "", 0)
            token_ = state.env["document"].token if "document" in state.env else ""
            box.content = (_CHECKED_BOX if checked else _BOX) + token_ + " "
            token.children.insert(0, box)
            tokens[i - 2].attrSet("class", "task-list-item")
            lists[-1].attrSet("class", "contains-task-list")


def _render_table_open(self, tokens, idx, options, env):
    # Wide tables scroll inside their own box on a phone, not the whole page; the box can
    # take keyboard focus so it can be scrolled without a mouse.
    return '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">\n' + (
        self.renderToken(tokens, idx, options, env)
    )


def _render_table_close(self, tokens, idx, options, env):
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


# Footnotes: numbered across the document. Each text keeps its notes under it (a note's
# text sits in the same field as its marker), numbered on from the texts before it.


def _footnote_number(tokens, idx, env):
    return tokens[idx].meta["id"] + 1 + env["footnote_offset"]


def _render_footnote_anchor_name(self, tokens, idx, options, env):
    return str(_footnote_number(tokens, idx, env))


def _render_footnote_caption(self, tokens, idx, options, env):
    # Plain superscript numbers: citations are the bracketed ones, "[1]".
    return str(_footnote_number(tokens, idx, env))


def _render_footnote_block_open(self, tokens, idx, options, env):
    start = env["footnote_offset"] + 1
    start_attr = f' start="{start}"' if start > 1 else ""
    return (
        '<hr class="footnotes-sep">\n<section class="footnotes">\n'
        f'<ol class="footnotes-list"{start_attr}>\n'
    )


@cache
def parser(site=True):
    """The site's Markdown: CommonMark plus tables, strikethrough, footnotes, task lists,
    bare-URL links and citations. `site=False` is plain CommonMark (the spec tests)."""
    md = MarkdownIt("commonmark", {"linkify": site, "maxNesting": MAX_NESTING})
    if not site:
        return md
    md.enable(["table", "strikethrough", "linkify"])
    # Inline footnotes (^[...]) doubled the cost of every "[" for a syntax nobody here uses.
    md.use(footnote_plugin, inline=False)
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("task_lists", _task_lists)
    md.core.ruler.push("figures", _figures)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    md.add_render_rule("footnote_anchor_name", _render_footnote_anchor_name)
    md.add_render_rule("footnote_caption", _render_footnote_caption)
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)
    return md


# Sanitising --------------------------------------------------------------------------------


def sanitise_html(rendered, state=None):
    """Reduce HTML to the allow-list: no scripts, styles, handlers or unsafe URLs, only the
    classes the pipeline sets, and each id once in the document (none the page uses)."""
    state = state or _State(known=frozenset(), reserved=frozenset())

    def attribute_filter(tag, attribute, value):
        if attribute == "class":
            if tag == "code":
                return value if LANGUAGE_CLASS.fullmatch(value) else None
            kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
            return " ".join(kept) or None
        if attribute == "id":
            # In document order, the first element to carry an id keeps it: an id typed
            # as raw HTML cannot repeat a heading's or take one of the page's own.
            if value in state.emitted or value in TEMPLATE_IDS or value in state.reserved:
                return None
            state.emitted.add(value)
            state.used_ids.add(value)
        return value

    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _fill_placeholders(clean, state):
    token = state.token

    def image(match):
        image_id, is_figure, text_index = state.shown[int(match[1])]
        # The first image of the intro is likely on the first screen: loaded at once; every
        # other image waits until it is about to scroll into view.
        lazy = not (int(match[1]) == 0 and text_index == 0)
        figure = state.figures[image_id]
        return _figure(figure, lazy) if is_figure else _picture(figure, lazy)

    def citation(match):
        links = ",".join(f'<a href="#ref-{n}">{n}</a>' for n in match[1].split(","))
        return f'<sup class="citation">[{links}]</sup>'

    # Task-list boxes are shown, never editable by readers.
    box = '<input type="checkbox" disabled{} aria-label="{}">'
    clean = clean.replace(_BOX + token, box.format("", "To do"))
    clean = clean.replace(_CHECKED_BOX + token, box.format(" checked", "Done"))
    clean = re.sub(f"{_CITE_OPEN}{token}([0-9,]+){_CITE_CLOSE}", citation, clean)
    clean = re.sub(f"{_IMAGE_OPEN}{token}([0-9]+){_IMAGE_CLOSE}", image, clean)
    return without_placeholders(clean)  # any left were typed, not ours


# The API -----------------------------------------------------------------------------------


def render_document(texts, known_keys=(), reserved_ids=(), figures=None):
    """Render an article's texts (intro, each section's body, conclusion: page order) as
    one document. `known_keys` are the reference keys that exist: [@key] markers for them
    are numbered in order of first citation; others stay as typed. `reserved_ids` are ids
    the page already has (its sections' anchors): nothing rendered takes them. `figures`:
    {image id: Image.figure()} for the library images the texts refer to (`image_ids`);
    a reference to any other stays as typed."""
    md = parser()
    state = _State(known=frozenset(known_keys), reserved=frozenset(reserved_ids))
    state.figures = dict(figures or {})
    rendered, cited = [], []
    for text_index, text in enumerate(texts):
        env = {
            "document": state,
            "cited": set(),
            "footnote_offset": state.footnotes,
            "text_index": text_index,
        }
        tokens = md.parse(normalise(text), env)
        out = md.renderer.render(tokens, md.options, env)
        state.footnotes += len(env.get("footnotes", {}).get("list", {}))
        # Safe to mark: nh3 has reduced it to the allow-list; the markup added after it
        # (citations, task boxes, library images) is our own, from numbers and escaped data.
        html_out = _fill_placeholders(sanitise_html(out, state), state).rstrip("\n")
        rendered.append(mark_safe(html_out))  # noqa: S308
        cited.append(env["cited"])
    images = list(dict.fromkeys(image_id for image_id, _, _ in state.shown))
    return Document(html=rendered, citations=list(state.numbers), cited=cited, images=images)


def render_markdown(text, known_keys=()):
    """One text on its own (the disclaimer, one field's preview): safe HTML."""
    return render_document([text], known_keys).html[0]


def references(*texts):
    """What `texts` refer to, from one parse: (the keys they cite, in order of first
    citation, and the library image ids they show, in order), each once (not in code)."""
    md = parser()
    keys, images = {}, {}
    for text in texts:
        for block in md.parse(normalise(text), {}):
            for token in block.children or ():
                if token.type == "citation":
                    keys.update(dict.fromkeys(token.meta["keys"]))
                elif token.type == "image" and (image_id := _library_image(token)):
                    images[image_id] = None
    return list(keys), list(images)


def cited_keys(*texts):
    """Every key cited in `texts`, in order of first citation, once each (not in code)."""
    return references(*texts)[0]


def image_ids(*texts):
    """Every library image id `texts` refer to (![...](image:ID)), in order, once each."""
    return references(*texts)[1]


def too_deeply_nested(text):
    """True if `text` nests blocks so deep that markdown-it would drop what follows."""
    return any(token.level >= MAX_NESTING - 1 for token in parser().parse(normalise(text), {}))


# Where one block of rendered HTML ends and the next begins: plain text keeps them on lines
# of their own, so a heading does not run into the paragraph after it in search snippets.
_BLOCK_END = re.compile(
    r"</(?:p|h[1-6]|li|blockquote|pre|tr|th|td|dt|dd|figcaption|table|ul|ol|div|figure)\s*>"
    r"|<(?:br|hr)\b[^>]*>",
    re.IGNORECASE,
)


def to_plain_text(rendered_html):
    """The words of rendered HTML, for search and word counts: one line per block
    (heading, paragraph, list item, cell), spaces within a line collapsed."""
    # Line ends in the HTML are spaces (a paragraph's soft breaks); only block ends count.
    text = _BLOCK_END.sub("\n", re.sub(r"\s", " ", rendered_html))
    text = html.unescape(strip_tags(text)).replace("\u21a9\ufe0e", " ")
    text = without_placeholders(text)  # typed as entities, they would forge search marks
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
