"""Content checks shown on an article's change form: what the article still lacks.

Like Wagtail's content checker, they inform and never block a save. The change form shows
them for the article as saved (its stored HTML), then, as the editor types, for the draft
as typed (`typed_drafts.typed_draft`: the form's text rendered in memory, through the same pipeline,
written nowhere), with the same checks and the same words.
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import formats

from .models import LiveVersion, SlugRedirect, reading_minutes
from .rendering import TEMPLATE_IDS

SUMMARY_MAX = 160  # what search engines show of a meta description


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""


class _Scan(HTMLParser):
    """Headings, images, links and ids in rendered HTML."""

    def __init__(self):
        super().__init__()
        self.headings, self.images_without_alt, self.links, self.ids = [], 0, [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "img" and not (attrs.get("alt") or "").strip():
            self.images_without_alt += 1
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _scan(article, sections, citations):
    """The page as readers get it: h1 title, intro, each section as h2 + body, conclusion."""
    scan = _Scan()
    scan.headings.append(1)
    scan.feed(article.intro_html)
    for section in sections:
        scan.ids.add(section.anchor)
        scan.headings.append(2)
        scan.feed(section.body_html)
    scan.feed(article.conclusion_html)
    # The page's own targets: the references list and its headings.
    scan.ids |= {f"ref-{n}" for n in range(1, citations + 1)}
    scan.ids |= TEMPLATE_IDS
    return scan


def _headings_check(levels):
    jumps = [f"h{a} → h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    extra_h1 = levels[1:].count(1)
    problems = jumps + ([f"{extra_h1} more h1 (the title is the only one)"] if extra_h1 else [])
    if problems:
        return Check("Headings in order", False, "Skipped levels: " + ", ".join(problems) + ".")
    return Check("Headings in order", True, "No heading skips a level.")


def _broken_links(links, ids):
    """Internal links that lead nowhere: unknown paths, missing anchors, articles that are
    not live (nor an old address of a live one). Two queries, however many links."""
    broken, article_links = [], {}
    for href in links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("mailto:"):
            continue  # external: not checked here
        if not parts.path:
            if parts.fragment and parts.fragment not in ids:
                broken.append(href)
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            broken.append(href)
            continue
        if match.view_name == "articles:detail":
            article_links[href] = match.kwargs["slug"]
    if article_links:
        slugs = set(article_links.values())
        live = LiveVersion.objects.visible()
        found = set(live.filter(slug__in=slugs).values_list("slug", flat=True))
        found |= set(
            SlugRedirect.objects.filter(
                old_slug__in=slugs, article__in=live.values("article")
            ).values_list("old_slug", flat=True)
        )
        broken += [href for href, slug in article_links.items() if slug not in found]
    return broken


def _review_check(article, typed_changes):
    """Whether a medical reviewer approved this draft exactly as it is now."""
    approval = article.approvals.select_related("reviewer").first()
    if approval is None:
        return Check("Medical review", False, "Not medically reviewed yet.")
    when = formats.date_format(approval.approved_at.date())
    if typed_changes or approval.fingerprint != article.draft_fingerprint:
        return Check(
            "Medical review",
            False,
            f"Approved by {approval.reviewer.display_name} on {when}, but the draft has "
            "changed since: that approval no longer holds.",
        )
    if article.review_overdue:
        due = formats.date_format(article.next_review_due)
        return Check("Medical review", False, f"Review overdue since {due}.")
    due = formats.date_format(article.next_review_due) if article.next_review_due else "—"
    return Check(
        "Medical review",
        True,
        f"This draft is approved by {approval.reviewer.display_name} ({when}); next due {due}.",
    )


def run_checks(article, draft=None):
    """The checks of the article as saved, or of a `TypedDraft` of it."""
    if draft is None:
        sections, citations = list(article.sections.all()), article.citations.count()
        search_text, typed_changes = article.search_text, False
    else:
        article, sections, citations = draft.article, draft.sections, draft.citations
        search_text, typed_changes = draft.search_text, draft.changed
    scan = _scan(article, sections, citations)
    words = len(search_text.split()) + len(article.title.split())
    minutes = reading_minutes(article.title, search_text)
    checks = [Check("Length", True, f"{words} words, about {minutes} min to read.")]

    uncited = [
        section.heading for section in sections if 'class="citation"' not in section.body_html
    ]
    if uncited:
        checks.append(
            Check(
                "Sections cite sources",
                False,
                f"{len(uncited)} of {len(sections)} sections cite no reference: "
                + ", ".join(f"“{heading}”" for heading in uncited)
                + ".",
            )
        )
    else:
        checks.append(Check("Sections cite sources", True, "Every section cites a reference."))

    summary = article.summary.strip()
    if not summary:
        checks.append(Check("Summary", False, "No summary: lists and search engines show none."))
    elif len(summary) > SUMMARY_MAX:
        checks.append(
            Check(
                "Summary",
                False,
                f"{len(summary)} characters: search engines cut it at about {SUMMARY_MAX}.",
            )
        )
    else:
        checks.append(Check("Summary", True, f"{len(summary)} characters."))

    checks.append(_headings_check(scan.headings))
    checks.append(
        Check(
            "Images have alt text",
            scan.images_without_alt == 0,
            f"{scan.images_without_alt} image(s) without alt text."
            if scan.images_without_alt
            else "Every image has alt text.",
        )
    )

    checks.append(_review_check(article, typed_changes))

    broken = _broken_links(scan.links, scan.ids)
    checks.append(
        Check(
            "Internal links work",
            not broken,
            "Broken: " + ", ".join(broken) if broken else "No broken internal links.",
        )
    )
    return checks
