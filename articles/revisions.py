"""Article revisions (django-reversion): what one holds, and a readable diff of two.

A revision saves an article with its sections and relations together (ArticleAdmin
follows the sections inline). `compare()` turns two of them into the changes an editor
reads: per article field, then per section (added, removed, changed), word by word.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import formats, timezone
from reversion.models import Version

from .models import Article, Section, Supplement
from .rendering import to_plain_text

ARTICLE_FIELDS = [
    ("title", "Title"),
    ("subtitle", "Subtitle"),
    ("slug", "Slug"),
    ("summary", "Summary"),
    ("intro", "Intro"),
    ("key_takeaways", "Key takeaways"),
    ("conclusion", "Conclusion"),
    ("expires_at", "Expiry time"),
    ("supplements", "Supplements"),
    ("related", "Related articles"),
]
SECTION_FIELDS = [
    ("heading", "Heading"),
    ("anchor", "Anchor"),
    ("position", "Position"),
    ("body", "Body"),
]

# Not content: what a restore leaves as it is now (articles.revision_admin).
PUBLISHING_LABELS = {"Expiry time"}

# Many-to-many fields hold primary keys; show names instead.
NAMED_RELATIONS = {"supplements": (Supplement, "name"), "related": (Article, "title")}


@dataclass
class FieldChange:
    label: str
    parts: list  # [(op, text)], op in "equal", "delete", "insert"


@dataclass
class SectionChange:
    kind: str  # "added", "removed" or "changed"
    heading: str
    fields: list = field(default_factory=list)


@dataclass
class Comparison:
    older: Version
    newer: Version
    fields: list
    sections: list

    @property
    def has_changes(self):
        return bool(self.fields or self.sections)


def article_versions(article_pk):
    """The article's versions, newest first, with their revisions."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_version(article_pk):
    return article_versions(article_pk).first()


def _display(name, value):
    if value is None:
        return ""
    if name in NAMED_RELATIONS:
        model, attribute = NAMED_RELATIONS[name]
        names = model.objects.filter(pk__in=value).values_list(attribute, flat=True)
        return ", ".join(sorted(names))
    if hasattr(value, "tzinfo"):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def word_diff(old, new):
    """Word-by-word differences as [(op, text)]; each word keeps its following whitespace,
    so a changed phrase reads as one change, not as words split around matching spaces."""
    a, b = re.findall(r"\S+\s*|\s+", old), re.findall(r"\S+\s*|\s+", new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("insert", "".join(b[j1:j2])))
    return parts


def _field_changes(fields, old, new):
    changes = []
    for name, label in fields:
        before, after = _display(name, old.get(name)), _display(name, new.get(name))
        if before != after:
            changes.append(FieldChange(label, word_diff(before, after)))
    return changes


def _sections(version):
    """{section pk: fields} for the sections saved in the same revision as `version`."""
    section_type = ContentType.objects.get_for_model(Section)
    article_pk = int(version.object_id)
    sections = {}
    for section_version in version.revision.version_set.filter(content_type=section_type):
        fields = section_version.field_dict
        if fields.get("article_id") == article_pk:
            sections[section_version.object_id] = fields
    return sections


def compare(older, newer):
    """What changed from version `older` to version `newer` of one article."""
    old_sections, new_sections = _sections(older), _sections(newer)
    section_changes = []
    for pk in sorted(old_sections.keys() | new_sections.keys(), key=int):
        old, new = old_sections.get(pk), new_sections.get(pk)
        if old is None:
            section_changes.append(
                SectionChange("added", new["heading"], _field_changes(SECTION_FIELDS, {}, new))
            )
        elif new is None:
            section_changes.append(
                SectionChange("removed", old["heading"], _field_changes(SECTION_FIELDS, old, {}))
            )
        elif changes := _field_changes(SECTION_FIELDS, old, new):
            section_changes.append(SectionChange("changed", new["heading"], changes))
    return Comparison(
        older=older,
        newer=newer,
        fields=_field_changes(ARTICLE_FIELDS, older.field_dict, newer.field_dict),
        sections=section_changes,
    )


def restored_parts(current, restored):
    """What restoring version `restored` over version `current` brings back, in editors'
    words: field labels and sections by heading. Publishing is not restored, so not named."""
    comparison = compare(current, restored)
    parts = [change.label for change in comparison.fields if change.label not in PUBLISHING_LABELS]
    kinds = {"added": "brought back", "removed": "removed", "changed": "changed"}
    parts += [
        f"section “{change.heading}” ({kinds[change.kind]})" for change in comparison.sections
    ]
    return parts


def _page_fields(version):
    """A live version's page (or a draft's, built the same way) as labelled plain texts."""
    if version is None:
        return {}, {}
    content, approval = version.content, version.approval
    references = [
        f"[{ref['number']}] {ref['authors']}. {ref['title']}."
        for ref in content.get("references", [])
    ]
    fields = {
        "Title": version.title,
        "Subtitle": version.subtitle,
        "Slug": version.slug,
        "Summary": version.summary,
        "Intro": to_plain_text(content.get("intro_html", "")),
        "Key takeaways": "\n".join(content.get("takeaways", [])),
        "Conclusion": to_plain_text(content.get("conclusion_html", "")),
        "Supplements": _display("supplements", content.get("supplements", [])),
        "Related articles": _display("related", content.get("related", [])),
        "References": " ".join(references),
        "Update notes": " ".join(f"{u['date']}: {u['note']}" for u in content.get("updates", [])),
        "Authors": ", ".join(person["name"] for person in content.get("authors", [])),
        "Medical review": (
            f"{approval.reviewer.display_name}, {approval.approved_at:%d %b %Y}" if approval else ""
        ),
        "Expiry time": _display("expires_at", version.expires_at),
    }
    sections = {
        section["anchor"]: section | {"text": to_plain_text(section["body_html"])}
        for section in content.get("sections", [])
    }
    return fields, sections


def compare_pages(live, draft):
    """What publishing `draft` would change for readers of `live` (None: nothing is live),
    word by word: per field, then per section (matched by anchor)."""
    old_fields, old_sections = _page_fields(live)
    new_fields, new_sections = _page_fields(draft)
    fields = [
        FieldChange(label, word_diff(old_fields.get(label, ""), text))
        for label, text in new_fields.items()
        if old_fields.get(label, "") != text
    ]
    section_changes = []
    for anchor in [*old_sections, *(a for a in new_sections if a not in old_sections)]:
        old, new = old_sections.get(anchor), new_sections.get(anchor)
        before = {"Heading": old["heading"], "Text": old["text"]} if old else {}
        after = {"Heading": new["heading"], "Text": new["text"]} if new else {}
        changes = [
            FieldChange(label, word_diff(before.get(label, ""), after.get(label, "")))
            for label in ("Heading", "Text")
            if before.get(label, "") != after.get(label, "")
        ]
        kind = "added" if old is None else "removed" if new is None else "changed"
        if changes:
            section_changes.append(SectionChange(kind, (new or old)["heading"], changes))
    return Comparison(older=live, newer=draft, fields=fields, sections=section_changes)
