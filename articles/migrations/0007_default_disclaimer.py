"""The site-wide notice every article shows, until editors change it in Site settings."""

from django.db import migrations

from articles.rendering import render_markdown

DISCLAIMER = (
    "This article is general information, not medical advice. Talk to a doctor or "
    "pharmacist before you start taking a supplement."
)


def create_site_settings(apps, schema_editor):
    SiteSettings = apps.get_model("articles", "SiteSettings")
    SiteSettings.objects.get_or_create(
        pk=1, defaults={"disclaimer": DISCLAIMER, "disclaimer_html": render_markdown(DISCLAIMER)}
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search_index")]

    operations = [migrations.RunPython(create_site_settings, migrations.RunPython.noop)]
