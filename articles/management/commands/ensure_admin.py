"""Create the first admin account once, with a random password, and say how to log in.

`make run` calls this on every start: the first time it makes the account and prints its
password (shown only then); afterwards it says how to set a new one.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin account with a random password if no superuser exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served."
        )

    def handle(self, *args, username, url, **options):
        users = get_user_model()
        existing = users.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"Admin: {url}  user: {existing.get_username()}  (password as first printed)\n"
                "Forgot it? Set a new one with: "
                f".venv/bin/python manage.py changepassword {existing.get_username()}"
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS("Created the admin account. This password is shown only once:\n")
            + f"Admin: {url}  user: {username}  password: {password}"
        )
