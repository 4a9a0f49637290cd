"""The full-text index behind /search/: live versions only, so draft text never reaches it.

SQLite (the default database): an FTS5 table, articles_search, keyed by live version and
written here when one is published (articles.signals). PostgreSQL: a generated tsvector
column on the live versions with a GIN index (migration 0011) that the database keeps
current by itself, so nothing is written here. Search keeps only visible versions.
"""

from django.db import connection

FTS_TABLE = "articles_search"


def update(version):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [version.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [
                version.pk,
                version.title,
                f"{version.subtitle} {version.summary}",
                version.search_text,
            ],
        )


def remove(version_pk):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [version_pk])  # noqa: S608


def clear():
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
