"""Each live version's place among its article's versions, so `current()` reads it from the
row instead of comparing every row with its article's other versions (slow at thousands of
articles). Marked here for the versions already published, as restack() marks new ones."""

from django.db import migrations, models
from django.utils import timezone

NEWEST, BEFORE_SCHEDULED = 0, 1  # as LiveVersion has them (a migration keeps its own copy)


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


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_editors_images")]

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
    ]
