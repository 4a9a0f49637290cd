"""Reset a person's two-factor sign-in when they have lost their phone and recovery codes.

Their authenticator app and recovery codes are forgotten; at their next sign-in (password
first, as always) they set up an app again. Run it only once you know it is really them.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mgsite.two_factor import remove_devices


class Command(BaseCommand):
    help = "Forget a user's authenticator app and recovery codes; they set up an app again."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        users = get_user_model()
        try:
            user = users.objects.get_by_natural_key(username)
        except users.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        apps, codes = remove_devices(user)
        self.stdout.write(
            self.style.SUCCESS(f"Two-factor sign-in reset for {username}: ")
            + f"{apps} authenticator app(s) and {codes} unused recovery code(s) removed. "
            "They set up an app again at their next sign-in."
        )
