"""Each live version's place among its article's versions, so `current()` reads it from the
row instead of comparing every row with its article's other versions (slow at thousands of
articles). Marked here for the versions already published, as restack() marks new ones.

On PostgreSQL, a GIN index of the titles' words: search finds the newest title matches in it
(articles.search) without reading every article's whole tsvector. SQLite's FTS5 table has
the title as a column of its own already.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

NEWEST, BEFORE_SCHEDULED = 0, 1  # as LiveVersion has them (a migration keeps its own copy)


def first_published(apps, schema_editor):
    LiveSupplement = apps.get_model("articles", "LiveSupplement")
    LiveVersion = apps.get_model("articles", "LiveVersion")
    LiveSupplement.objects.update(
        first_published_at=Subquery(
            LiveVersion.objects.filter(pk=OuterRef("liveversion")).values("first_published_at")
        )
    )


def mark(apps, schema_editor):
    LiveVersion = apps.get_model("articles", "LiveVersion")
    now = timezone.now()
    rows = LiveVersion.objects.order_by("article", "-live_from", "-pk").values_list(
        "pk", "article", "live_from"
    )
    newest, before = [], []
    previous_article, previous_live_from, seen = None, None, 0
    for pk, article, live_from in rows.iterator():
        seen = seen + 1 if article == previous_article else 0
        if seen == 0:
            newest.append(pk)
            previous_live_from = live_from
        elif seen == 1 and previous_live_from > now:
            before.append(pk)
        previous_article = article
    for place, pks in [(NEWEST, newest), (BEFORE_SCHEDULED, before)]:
        for start in range(0, len(pks), 500):
            LiveVersion.objects.filter(pk__in=pks[start : start + 500]).update(place=place)


TITLE_INDEX = "articles_liveversion_title_gin"


def title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {TITLE_INDEX} ON articles_liveversion "
            "USING GIN (to_tsvector('english', title))"
        )


def drop_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0020_trust_people_pages_takeaways")]

    operations = [
        migrations.AddField(
            model_name="liveversion",
            name="place",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="liveversion",
            index=models.Index(
                fields=[
                    *["-first_published_at", "-id", "place", "live_from", "expires_at"],
                    *["takedown", "article"],
                ],
                name="live_newest",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
        # The table Django made for LiveVersion.supplements becomes a model of its own, to
        # hold each version's first publication time beside the supplement, indexed.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LiveSupplement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "liveversion",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="articles.liveversion",
                            ),
                        ),
                        (
                            "supplement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="articles.supplement",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_liveversion_supplements",
                        "unique_together": {("liveversion", "supplement")},
                    },
                ),
                migrations.AlterField(
                    model_name="liveversion",
                    name="supplements",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="live_versions",
                        through="articles.LiveSupplement",
                        to="articles.supplement",
                    ),
                ),
            ]
        ),
        migrations.AddField(
            model_name="livesupplement",
            name="first_published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(first_published, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="livesupplement",
            index=models.Index(
                fields=["supplement", "-first_published_at", "-liveversion"],
                name="live_supplement_newest",
            ),
        ),
        migrations.RunPython(title_index, drop_title_index),
    ]
