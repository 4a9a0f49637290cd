"""Editors publish, schedule and unpublish, as they did when saving was publishing.

Publishing is now its own permission (articles.publish_article); until a Publishers role
exists (the medical-review work), the Editors group keeps the ability it had.
"""

from django.db import migrations

from articles.migrations import _permissions


def grant(apps, schema_editor):
    _permissions.grant(
        apps,
        "Editors",
        {"articles": {"article": ["publish"], "liveversion": ["view"]}},
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_draft_and_live")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
