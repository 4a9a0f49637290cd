"""Draft and live: readers get live versions; the article's rows become its draft.

Every article's current content becomes both its draft and, if it was published, its live
version (from its go-live time, with its expiry). The search index moves to live versions:
an FTS5 row per live version on SQLite; on PostgreSQL the weighted tsvector column and its
GIN index move from articles_article to articles_liveversion, so draft text never reaches
search. Then the article's own publishing fields go.
"""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _content(article, Section, Citation, ArticleUpdate):
    """The page's content, as articles.page_content.build makes it (frozen here: a migration
    must not follow later changes of the app's code)."""
    sections = Section.objects.filter(article=article).order_by("position", "id")
    citations = Citation.objects.filter(article=article).select_related("reference")
    updates = ArticleUpdate.objects.filter(article=article).order_by("-date", "-id")
    author = article.author
    author_name = ""
    if author is not None:
        author_name = f"{author.first_name} {author.last_name}".strip() or author.username
    return {
        "intro_html": article.intro_html,
        "conclusion_html": article.conclusion_html,
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "body_html": s.body_html} for s in sections
        ],
        "references": [
            {
                "number": c.number,
                "key": c.reference.key,
                "authors": c.reference.authors,
                "title": c.reference.title,
                "publisher": c.reference.publisher,
                "year": c.reference.year,
                "doi": c.reference.doi,
                "pmid": c.reference.pmid,
                "url": c.reference.url,
            }
            for c in citations.order_by("number")
        ],
        "updates": [{"date": u.date.isoformat(), "note": u.note} for u in updates],
        "author_name": author_name,
        "review": {
            "reviewer_name": article.reviewer_name,
            "reviewer_credentials": article.reviewer_credentials,
            "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else None,
        },
        "supplements": sorted(article.supplements.values_list("pk", flat=True)),
        "related": sorted(article.related.values_list("pk", flat=True)),
    }


def _fingerprint(article, content):
    data = [article.slug, article.title, article.subtitle, article.summary, content]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


POSTGRES_MOVE = [
    "DROP INDEX IF EXISTS articles_article_search_gin",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles_liveversion ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(subtitle, '') || ' ' || coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(search_text, '')), 'C')) STORED",
    "CREATE INDEX articles_liveversion_search_gin ON articles_liveversion USING GIN (search_vector)",
]


def make_live_versions(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    LiveVersion = apps.get_model("articles", "LiveVersion")
    Section = apps.get_model("articles", "Section")
    Citation = apps.get_model("articles", "Citation")
    ArticleUpdate = apps.get_model("articles", "ArticleUpdate")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_MOVE:
            schema_editor.execute(statement)
    if vendor == "sqlite":
        schema_editor.execute("DELETE FROM articles_search")
    for article in Article.objects.select_related("author"):
        content = _content(article, Section, Citation, ArticleUpdate)
        fingerprint = _fingerprint(article, content)
        article.draft_fingerprint = fingerprint
        if article.status == "published" and article.published_at is not None:
            article.first_published_at = article.published_at
            version = LiveVersion.objects.create(
                article=article,
                slug=article.slug,
                title=article.title,
                subtitle=article.subtitle,
                summary=article.summary,
                content=content,
                fingerprint=fingerprint,
                search_text=article.search_text,
                live_from=article.published_at,
                expires_at=article.expires_at,
                first_published_at=article.published_at,
            )
            version.supplements.set(content["supplements"])
            version.related.set(content["related"])
            if vendor == "sqlite":
                schema_editor.execute(
                    "INSERT INTO articles_search (rowid, title, summary, body) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        version.pk,
                        version.title,
                        f"{version.subtitle} {version.summary}",
                        version.search_text,
                    ],
                )
        article.save(update_fields=["draft_fingerprint", "first_published_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="draft_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="article",
            name="first_published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first published"
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: readers stop seeing the article at this time. Takes effect when the article is next published.",
                null=True,
                verbose_name="expiry time",
            ),
        ),
        migrations.CreateModel(
            name="LiveVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=200)),
                ("title", models.CharField(max_length=200)),
                ("subtitle", models.CharField(blank=True, max_length=200)),
                ("summary", models.CharField(blank=True, max_length=300)),
                ("content", models.JSONField(default=dict)),
                ("fingerprint", models.CharField(max_length=64)),
                ("search_text", models.TextField(blank=True)),
                ("live_from", models.DateTimeField(verbose_name="go-live time")),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="expiry time"),
                ),
                ("first_published_at", models.DateTimeField()),
                (
                    "takedown",
                    models.BooleanField(default=False, help_text="An unpublish: nothing is shown."),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="live_versions",
                        to="articles.article",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "related",
                    models.ManyToManyField(blank=True, related_name="+", to="articles.article"),
                ),
                (
                    "supplements",
                    models.ManyToManyField(
                        blank=True, related_name="live_versions", to="articles.supplement"
                    ),
                ),
            ],
            options={
                "ordering": ["-live_from", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["article", "live_from"], name="articles_li_article_3d9ce5_idx"
                    ),
                    models.Index(fields=["slug"], name="articles_li_slug_d841ac_idx"),
                ],
            },
        ),
        migrations.RunPython(make_live_versions, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="article",
            name="published_at",
        ),
        migrations.RemoveField(
            model_name="article",
            name="status",
        ),
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-first_published_at", "-created_at"],
                "permissions": [
                    ("publish_article", "Can publish, schedule and unpublish articles")
                ],
            },
        ),
    ]
