"""Two-factor sign-in for staff (django-otp): who needs it, and the middleware that asks.

While REQUIRE_STAFF_2FA is on (the default unless DEBUG), superusers, Publishers, and anyone
who has chosen to set up an authenticator app are signed in only once a code from the app
(TOTP) or a recovery code has been accepted in this session. Until then the password alone
opens no admin page: each sends them to enter a code, or to set up the app if they have
none. Every other page treats them as a visitor, so draft previews and the editor's
endpoints stay closed too.

The password step stays the admin's own login form, so django-axes goes on counting failed
passwords. Wrong codes are throttled per device by django-otp: after each one the next try
waits 1, 2, 4, 8... seconds.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# Members of this group (made by articles/migrations/0014) need two-factor sign-in.
REQUIRED_GROUP = "Publishers"
RECOVERY_CODE_COUNT = 10


def role_requires_two_factor(user):
    return user.is_superuser or user.groups.filter(name=REQUIRED_GROUP).exists()


def has_app(user):
    """An authenticator app or recovery codes, set up and confirmed."""
    return user_has_device(user, confirmed=True)


def must_use_two_factor(user):
    return role_requires_two_factor(user) or has_app(user)


def new_recovery_codes(user):
    """Replace the user's recovery codes with new ones and return them (shown only once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_devices(user):
    """Forget the user's apps and recovery codes (a lost phone); returns how many of each."""
    with transaction.atomic():
        apps, _ = TOTPDevice.objects.filter(user=user).delete()
        codes = StaticToken.objects.filter(device__user=user).count()
        StaticDevice.objects.filter(user=user).delete()
    return apps, codes


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether this session's user is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_2FA and self._password_only(request.user):
            path = request.path
            if path.startswith(reverse("two_factor:status")) or path == reverse("admin:logout"):
                pass  # where they finish signing in, or leave
            elif path.startswith(reverse("admin:index")):
                step = "two_factor:verify" if has_app(request.user) else "two_factor:enrol"
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(step)}?{query}")
            else:
                request.user = AnonymousUser()
        return self.get_response(request)

    @staticmethod
    def _password_only(user):
        return user.is_authenticated and not user.is_verified() and must_use_two_factor(user)
