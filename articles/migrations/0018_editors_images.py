"""Editors keep the image library: upload, describe, replace and purge images."""

from django.db import migrations

from articles.migrations import _permissions

EDITOR_PERMISSIONS = {"articles": {"image": ["add", "change", "delete", "view"]}}


def grant(apps, schema_editor):
    _permissions.grant(apps, "Editors", EDITOR_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_images")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
