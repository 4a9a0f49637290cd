"""The draft as typed in the change form, rendered in memory and saved nowhere: what the
live content checks (articles.checks) and the live preview (articles.autosave) show."""

from copy import copy
from dataclasses import dataclass

from . import rendering
from .models import Section, free_anchor, plain_text, takeaway_lines


@dataclass
class TypedDraft:
    """An article as its change form holds it, rendered in memory; nothing is saved."""

    article: object
    sections: list
    citations: int
    search_text: str
    document: object  # rendering.Document: the HTML, and the cited keys in order
    references: dict  # the cited references that exist, by key
    changed: bool  # differs from the draft as saved (so an approval of that would not hold)


class TooLong(Exception):
    """More text than the article limits allow: saving would refuse it, and say why."""


def typed_draft(article, data):
    """The draft as typed in the change form (`data`: its fields, as posted), rendered in
    memory through the same pipeline as a save: the sections in the order of their
    positions, without those marked for deletion, new ones last with the anchors a save
    would give them. Raises TooLong over the article limits."""
    saved = list(article.sections.all())
    by_pk = {str(section.pk): section for section in saved}
    typed = {  # as the form cleans them: text boxes stripped, Markdown with LF line ends
        "title": data.get("title", "").strip(),
        "subtitle": data.get("subtitle", "").strip(),
        "summary": data.get("summary", "").strip(),
        "intro": rendering.normalise(data.get("intro", "")),
        "conclusion": rendering.normalise(data.get("conclusion", "")),
        "key_takeaways": "\n".join(
            takeaway_lines(rendering.without_placeholders(data.get("key_takeaways", "")))
        ),
    }
    changed = any(getattr(article, name) != value for name, value in typed.items())
    rows = []
    total = data.get("sections-TOTAL_FORMS", "")
    count = int(total) if total.isascii() and total.isdigit() else 0
    for n in range(min(count, rendering.MAX_SECTIONS + 1)):
        row = {
            name: data.get(f"sections-{n}-{name}", "")
            for name in ("id", "position", "heading", "anchor", "body", "DELETE")
        }
        row["heading"], row["anchor"] = row["heading"].strip(), row["anchor"].strip()
        if row["DELETE"] or not (row["heading"] or row["body"] or row["id"]):
            continue  # marked for deletion, or a new row left empty: a save skips it too
        position = row["position"]
        # As a save orders them: by position; new sections (no position yet) last.
        order = int(position) if position.isascii() and position.isdigit() else 0
        row["order"] = (order or float("inf"), n)
        row["body"] = rendering.normalise(row["body"])
        rows.append(row)
    rows.sort(key=lambda row: row["order"])
    texts = [typed["intro"], typed["conclusion"], *(row["body"] for row in rows)]
    if len(rows) > rendering.MAX_SECTIONS or (
        max(map(len, texts)) > rendering.MAX_FIELD_CHARS
        or sum(map(len, texts)) > rendering.MAX_ARTICLE_CHARS
    ):
        raise TooLong
    taken = {row["anchor"] for row in rows if row["anchor"]}
    sections = []
    for row in rows:
        anchor = row["anchor"] or free_anchor(row["heading"], taken)
        taken.add(anchor)
        original = by_pk.get(row["id"])
        sections.append(
            Section(
                pk=original.pk if original else None,
                heading=row["heading"],
                anchor=anchor,
                body=row["body"],
            )
        )
    changed = changed or [(s.pk, s.heading, s.anchor, s.body) for s in sections] != [
        (s.pk, s.heading, s.anchor, s.body) for s in saved
    ]
    draft = copy(article)
    for name, value in typed.items():
        setattr(draft, name, value)
    document, references = draft.render(sections)
    draft.intro_html, *bodies, draft.conclusion_html = document.html
    for section, html in zip(sections, bodies, strict=True):
        section.body_html = html
    return TypedDraft(
        article=draft,
        sections=sections,
        citations=len(document.citations),
        search_text=plain_text(draft, sections),
        changed=changed,
        document=document,
        references=references,
    )
