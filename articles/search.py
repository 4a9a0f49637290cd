"""Search over what readers see (live versions): one results contract on SQLite and PostgreSQL.

A query is reduced to its words (letters and digits, any script); an article matches when it
has all of them, ranked title first, then subtitle and summary, then the text. Operators,
quotes and anything SQL-like in a query are just not words, so no input can break the
engine's query syntax. Snippets come back with the matched words in <mark>.
"""

import re

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import LiveVersion
from .search_index import FTS_TABLE

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_RESULTS = 500
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


def _ranked_ids(words):
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id FROM articles_liveversion, plainto_tsquery('english', %s) AS query "
            "WHERE search_vector @@ query ORDER BY ts_rank(search_vector, query) DESC, id LIMIT %s"
        )
        return [pk for (pk,) in _rows(sql, [" ".join(words), MAX_RESULTS])]
    sql = (
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
        f"ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0) LIMIT %s"
    )
    return [pk for (pk,) in _rows(sql, [_fts_match(words), MAX_RESULTS])]


def search(query):
    """Ids of the visible live versions matching `query`, best first (at most MAX_RESULTS).

    Ranking is cheap; snippets are not, so they are made only for the page shown
    (`snippets`)."""
    words = terms(query)
    if not words:
        return []
    ids = _ranked_ids(words)
    visible = set(LiveVersion.objects.visible().filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in visible]


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
