"""The suite runs on the database DATABASE_URL names (CI runs it on SQLite and PostgreSQL)."""

import os

from django.db import connection

VENDORS = {"postgres": "postgresql", "postgresql": "postgresql", "sqlite": "sqlite"}


def test_runs_on_the_database_the_environment_names(db):
    scheme = os.environ.get("DATABASE_URL", "sqlite://").split(":", 1)[0]
    assert connection.vendor == VENDORS[scheme]
