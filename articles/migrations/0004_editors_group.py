"""The "Editors" group: writes and restores content; manages no users and purges nothing.

Members also need "staff status" to log in to the admin. Purging deleted articles is kept
for superusers (see ArticleAdmin.purge_view), so no permission here grants it.
"""

from django.db import migrations

from articles.migrations import _permissions

EDITOR_PERMISSIONS = {
    "articles": {
        "article": ["add", "change", "delete", "view"],
        "section": ["add", "change", "delete", "view"],
        "supplement": ["add", "change", "delete", "view"],
        "slugredirect": ["view"],
    },
}


def create_editors_group(apps, schema_editor):
    _permissions.grant(apps, "Editors", EDITOR_PERMISSIONS)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_scheduling_previews_redirects"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
