"""Editors also keep references, public update notes and the site-wide disclaimer."""

from django.db import migrations

from articles.migrations import _permissions

EDITOR_PERMISSIONS = {
    "articles": {
        "reference": ["add", "change", "delete", "view"],
        "citation": ["view"],
        "articleupdate": ["add", "change", "delete", "view"],
        "sitesettings": ["change", "view"],
    },
}


def grant(apps, schema_editor):
    _permissions.grant(apps, "Editors", EDITOR_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_default_disclaimer")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
