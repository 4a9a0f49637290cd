"""Search over published articles: one results contract on SQLite and PostgreSQL.

A query is reduced to its words (letters and digits, any script); an article matches when it
has all of them, ranked title first, then subtitle and summary, then the text. Operators,
quotes and anything SQL-like in a query are just not words, so no input can break the
engine's query syntax. Snippets come back with the matched words in <mark>.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article
from .search_index import FTS_TABLE

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_RESULTS = 500
# Private-use characters mark the matches in snippets until the text is escaped.
START, STOP = "\ue000", "\ue001"


@dataclass
class Hit:
    article_id: int
    snippet: str


def terms(query):
    """The words of a query, lower-cased, at most MAX_TERMS of them."""
    return re.findall(r"\w+", (query or "")[:MAX_QUERY_LENGTH].lower())[:MAX_TERMS]


def _sqlite_hits(words):
    match = " ".join(f'"{word}"' for word in words)  # each word a quoted phrase: no operators
    sql = (
        f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 24) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [START, STOP, match, MAX_RESULTS])
        return cursor.fetchall()


def _postgres_hits(words):
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
    sql = (
        "SELECT id, ts_headline('english', summary || ' ' || search_text, query, %s) "
        "FROM articles_article, plainto_tsquery('english', %s) AS query "
        "WHERE search_vector @@ query ORDER BY ts_rank(search_vector, query) DESC, id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [options, " ".join(words), MAX_RESULTS])
        return cursor.fetchall()


def _marked(snippet):
    return mark_safe(  # noqa: S308  (escaped first; only our <mark> tags are added)
        escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    )


def search(query):
    """Published articles matching `query`, best first, as [Hit]."""
    words = terms(query)
    if not words:
        return []
    rows = _postgres_hits(words) if connection.vendor == "postgresql" else _sqlite_hits(words)
    visible = set(
        Article.objects.published()
        .filter(pk__in=[pk for pk, _ in rows])
        .values_list("pk", flat=True)
    )
    return [Hit(pk, _marked(snippet)) for pk, snippet in rows if pk in visible]
