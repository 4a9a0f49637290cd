"""What the data migrations load, loadable again on a database that has lost it.

The seed article, the Editors group and its permissions, the default disclaimer: each loader
is the migration's own function and does nothing if its data is already there. Used where a
database is emptied after migrating (live_server tests, the benchmark on PostgreSQL).
"""

import importlib

from django.apps import apps

LOADERS = [
    ("0002_seed_magnesium_article", "load_seed_article"),
    ("0004_editors_group", "create_editors_group"),
    ("0007_default_disclaimer", "create_site_settings"),
    ("0008_editors_references", "grant"),
]


def load():
    for module, function in LOADERS:
        migration = importlib.import_module(f"articles.migrations.{module}")
        getattr(migration, function)(apps, schema_editor=None)
