"""The full-text index behind /search/, kept current as articles are saved.

SQLite (the default database): an FTS5 table, articles_search, written here by
Article.rerender(). PostgreSQL: a generated tsvector column with a GIN index (migration
0006) that the database keeps current by itself, so nothing is written here.
"""

from django.db import connection

FTS_TABLE = "articles_search"


def update(article):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [
                article.pk,
                article.title,
                f"{article.subtitle} {article.summary}",
                article.search_text,
            ],
        )


def remove(article_pk):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_pk])  # noqa: S608
