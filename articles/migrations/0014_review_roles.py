"""Roles for reviewed publishing: Editors write, submit and resolve comments, Medical
reviewers comment and approve, Publishers publish, schedule and unpublish. A user may hold
several.

Editors lose the publish permission migration 0012 lent them until this role existed.
"""

from django.db import migrations

from articles.migrations import _permissions

READ_ARTICLES = {
    "article": ["view"],
    "section": ["view"],
    "articleupdate": ["view"],
    "reference": ["view"],
    "supplement": ["view"],
    "person": ["view"],
    "reviewcomment": ["view"],
    "approval": ["view"],
    "reviewsubmission": ["view"],
    "liveversion": ["view"],
}


def create_roles(apps, schema_editor):
    _permissions.grant(
        apps,
        "Editors",
        {
            "articles": {
                "person": ["add", "change", "view"],
                "reviewcomment": ["add", "change", "view"],
                "approval": ["view"],
                "reviewsubmission": ["view"],
            }
        },
    )
    _permissions.grant(
        apps,
        "Medical reviewers",
        {
            "articles": {
                **READ_ARTICLES,
                "article": ["view", "approve"],
                "reviewcomment": ["add", "change", "view"],
            }
        },
    )
    _permissions.grant(
        apps,
        "Publishers",
        {"articles": {**READ_ARTICLES, "article": ["view", "change", "publish"]}},
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="Editors").permissions.remove(
        *Permission.objects.filter(content_type__app_label="articles", codename="publish_article")
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_medical_review")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
