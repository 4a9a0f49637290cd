"""The full-text search index (see articles/search_index.py), filled for existing articles.

SQLite: an FTS5 table. PostgreSQL: a generated, weighted tsvector column with a GIN index;
the database keeps it current. Django's models do not know either: they are read with SQL.
"""

from django.db import migrations

from articles.rendering import to_plain_text

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE articles_search USING fts5("
    "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
POSTGRES_CREATE = [
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(subtitle, '') || ' ' || coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(search_text, '')), 'C')) STORED",
    "CREATE INDEX articles_article_search_gin ON articles_article USING GIN (search_vector)",
]


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)

    Article = apps.get_model("articles", "Article")
    for article in Article.objects.prefetch_related("sections"):
        parts = [to_plain_text(article.intro_html)]
        for section in article.sections.all():
            parts += [section.heading, to_plain_text(section.body_html)]
        parts.append(to_plain_text(article.conclusion_html))
        article.search_text = "\n".join(part for part in parts if part)
        article.save(update_fields=["search_text"])
        if vendor == "sqlite":
            schema_editor.execute(
                "INSERT INTO articles_search (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [
                    article.pk,
                    article.title,
                    f"{article.subtitle} {article.summary}",
                    article.search_text,
                ],
            )


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE articles_search")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX articles_article_search_gin")
        schema_editor.execute("ALTER TABLE articles_article DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_references_review_updates_settings")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
