"""Search over what readers see (live versions): one results contract on SQLite and PostgreSQL.

A query is reduced to its words (letters and digits, any script); an article matches when it
has all of them, ranked title first, then subtitle and summary, then the text. Operators,
quotes and anything SQL-like in a query are just not words, so no input can break the
engine's query syntax. Snippets come back with the matched words in <mark>.

Ranking costs the same at ten articles or ten thousand: it reads the index in its own order
(newest first) and scores a bounded pool, the newest POOL matches and the newest POOL with
a query word in the title (the best-scored kind, so a well-titled older article is never
left out), never every match of a common word. When the pool is full there may be more
matches than were ranked: the results say so (`Results.more`) rather than give a count.
Nothing here is cached: every query string is answered from the index.
"""

import re

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import LiveVersion
from .search_index import FTS_TABLE

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
POOL = 50  # per kind of candidate (see above): ranking reads at most twice this
# Private-use characters mark the matches in snippets until the text is escaped.
START, STOP = "\ue000", "\ue001"


def terms(query):
    """The words of a query, lower-cased, at most MAX_TERMS of them."""
    return re.findall(r"\w+", (query or "")[:MAX_QUERY_LENGTH].lower())[:MAX_TERMS]


def _fts_match(words):
    return " ".join(f'"{word}"' for word in words)  # each word a quoted phrase: no operators


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Results(list):
    """Visible live version ids, best first; `more`: the pool was full, so more articles
    may match than these."""

    more = False


def _candidates(words):
    """[(id, score, in title)] for the pool, lower scores better: the newest matches,
    POOL + 1 at most (one more tells that the pool is full), then the matches among the
    newest POOL articles with a query word in the title. An id may be in both, with the same
    score on PostgreSQL; on SQLite the title match's is better (its title terms count
    again, as they do for every title match)."""
    if connection.vendor == "postgresql":
        # ts_rank and @@ read each article's whole tsvector: only the pool's. The titles
        # have their own index (migration 0019); ordered by `id + 0`, which no index gives,
        # the planner does not walk the primary key instead, reading every tsvector it passes.
        sql = (
            "SELECT id, -ts_rank(search_vector, query), in_title "
            "FROM plainto_tsquery('english', %s) AS query, ("
            "(SELECT id, search_vector, false AS in_title FROM articles_liveversion "
            "WHERE search_vector @@ plainto_tsquery('english', %s) ORDER BY id DESC LIMIT %s) "
            "UNION ALL (SELECT id, search_vector, true FROM articles_liveversion WHERE "
            "to_tsvector('english', title) @@ websearch_to_tsquery('english', %s) "
            "ORDER BY id + 0 DESC LIMIT %s)) AS pool WHERE search_vector @@ query"
        )
        text = " ".join(words)
        return _rows(sql, [text, text, POOL + 1, " or ".join(words), POOL])
    match = _fts_match(words)
    in_title = f"{{title}} : ({' OR '.join(_fts_match([word]) for word in words)})"
    sql = (
        f"SELECT * FROM (SELECT rowid, bm25({FTS_TABLE}, 10.0, 4.0, 1.0), 0 FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s) UNION ALL "
        f"SELECT rowid, bm25({FTS_TABLE}, 10.0, 4.0, 1.0), 1 FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid >= (SELECT min(rowid) FROM (SELECT rowid "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s))"
    )
    return _rows(sql, [match, POOL + 1, f"({match}) AND {in_title}", in_title, POOL])


def search(query):
    """Ids of the visible live versions matching `query`, best first (`Results`).

    Ranking is cheap; snippets are not, so they are made only for the page shown
    (`snippets`)."""
    words = terms(query)
    if not words:
        return Results()
    candidates = _candidates(words)
    scores = {}
    for pk, score, _ in candidates:
        scores[pk] = min(score, scores.get(pk, score))
    visible = LiveVersion.objects.visible().filter(pk__in=scores).order_by()
    visible = visible.values_list("pk", flat=True)
    results = Results(sorted(visible, key=lambda pk: (scores[pk], pk)))
    results.more = sum(not in_title for _, _, in_title in candidates) > POOL
    return results


def snippets(query, ids):
    """{article id: a passage with the matched words in <mark>} for `ids`."""
    words = terms(query)
    if not words or not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    if connection.vendor == "postgresql":
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
        sql = (
            "SELECT id, ts_headline('english', summary || chr(10) || search_text, query, %s) "  # noqa: S608
            "FROM articles_liveversion, plainto_tsquery('english', %s) AS query "
            f"WHERE id IN ({placeholders})"
        )
        rows = _rows(sql, [options, " ".join(words), *ids])
    else:
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 24) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        rows = _rows(sql, [START, STOP, _fts_match(words), *ids])
    return {pk: _marked(snippet) for pk, snippet in rows}


# Shown between the blocks of a passage (a heading, the paragraph after it): search_text
# keeps each block on a line of its own (articles.rendering.to_plain_text).
BLOCK_SEPARATOR = " · "


def _marked(snippet):
    text = BLOCK_SEPARATOR.join(line.strip() for line in snippet.split("\n") if line.strip())
    # A passage cut at a block's edge: its ellipsis stays beside the text it stands for.
    text = text.replace(f"…{BLOCK_SEPARATOR}", "…").replace(f"{BLOCK_SEPARATOR}…", "…")
    return mark_safe(  # noqa: S308  (escaped first; only our <mark> tags are added)
        escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    )
