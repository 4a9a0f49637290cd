"""What an article's public page shows, as plain data: the content a live version freezes.

Publishing copies the draft's rendered HTML, its references and update notes into a
`LiveVersion` as this data, so later edits to the draft, a reference or an update note
change nothing readers see until the next publish. A preview builds the same data from the
draft, so it is the page readers will get. Pure functions over plain values: the models
and the data migration both call them.
"""

import hashlib
import json


def build(*, article, sections, citations, updates, supplement_ids, related_ids, authors):
    """The page's content from the draft's rows (any objects with the models' attributes)."""
    content = {
        "intro_html": article.intro_html,
        "conclusion_html": article.conclusion_html,
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "body_html": s.body_html} for s in sections
        ],
        "references": [
            {
                "number": citation.number,
                "key": citation.reference.key,
                "authors": citation.reference.authors,
                "title": citation.reference.title,
                "publisher": citation.reference.publisher,
                "year": citation.reference.year,
                "doi": citation.reference.doi,
                "pmid": citation.reference.pmid,
                "url": citation.reference.url,
            }
            for citation in citations
        ],
        "updates": [{"date": update.date.isoformat(), "note": update.note} for update in updates],
        # The byline as it was; the medical review is not content: an approval vouches for
        # this content (by its fingerprint), so it cannot be part of it.
        "authors": [
            {"name": person.name, "credentials": person.credentials, "slug": person.slug}
            for person in authors
        ],
        "supplements": sorted(supplement_ids),
        "related": sorted(related_ids),
    }
    takeaways = [
        line.strip() for line in getattr(article, "key_takeaways", "").splitlines() if line.strip()
    ]
    if takeaways:
        # Only when there are some: a key more in every article's content would change every
        # fingerprint, and with them every medical approval.
        content["takeaways"] = takeaways
    return content


def fingerprint(*, slug, title, subtitle, summary, content):
    """A hash of everything a reader sees: equal hashes, the same page."""
    data = json.dumps([slug, title, subtitle, summary, content], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()
