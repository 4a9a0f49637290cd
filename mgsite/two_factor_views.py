"""The two-factor pages under /admin/two-factor/: enter a code, set up an authenticator app,
and the account's own page (new recovery codes, a new phone). mgsite/two_factor.py decides
who must pass them; these pages look like the admin and use no script."""

import base64
import io
import math

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mgsite.two_factor import (
    has_app,
    new_recovery_codes,
    recovery_codes_left,
    role_requires_two_factor,
)

WRONG_CODE = (
    "That code is not right. The app shows a new code every 30 seconds; "
    "each recovery code works only once."
)


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or, unless setting one up, a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, user, *args, app=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.app = app  # the app being set up; otherwise the user's confirmed devices
        self.device = None

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        device = self._device_for(code)
        if device is None:
            raise ValidationError(WRONG_CODE)
        allowed, refusal = device.verify_is_allowed()
        if not allowed:
            wait = (refusal["locked_until"] - timezone.now()).total_seconds()
            raise ValidationError(
                f"Too many wrong codes: try again in {max(1, math.ceil(wait))} seconds."
            )
        # Inside a transaction with the device locked: a recovery code is spent only once,
        # however many requests bring it at the same moment.
        self.device = verify_token(self.user, device.persistent_id, code)
        if self.device is None:
            raise ValidationError(WRONG_CODE)
        return code

    def _device_for(self, code):
        if code.isdigit() and len(code) == 6:
            if self.app is not None:
                return self.app
            return TOTPDevice.objects.devices_for_user(self.user, confirmed=True).first()
        if self.app is not None:
            return None
        return StaticDevice.objects.devices_for_user(self.user, confirmed=True).first()


def _next_url(request):
    url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def _to(step, next_url):
    return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")


def _page(request, template, title, **context):
    context = {**admin.site.each_context(request), "title": title, **context}
    return render(request, template, context)


def _signed_in_with(request, device):
    # A new session id now that the session is worth more than a password.
    request.session.cycle_key()
    otp_login(request, device)


def _qr_code(device):
    """The app's setup link as an SVG QR code in a data: URL (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = io.BytesIO()
    image.save(svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def _secret(device):
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@sensitive_post_parameters("code")
@staff_member_required
def verify(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not has_app(request.user):
        return _to("two_factor:enrol", next_url)
    form = CodeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _signed_in_with(request, form.device)
        return redirect(next_url)
    return _page(request, "two_factor/verify.html", "Enter your sign-in code", form=form)


@never_cache
@sensitive_post_parameters("code")
@staff_member_required
def enrol(request):
    """Set up an authenticator app: scan, confirm with a code, get recovery codes. A new app
    replaces the old one, so whoever already has an app must first sign in with it."""
    user = request.user
    next_url = _next_url(request)
    if has_app(user) and not user.is_verified():
        return _to("two_factor:verify", request.get_full_path())
    # The same unconfirmed app across reloads, so the QR code already scanned stays valid.
    app = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if app is None:
        app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(user, request.POST or None, app=app)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).exclude(pk=app.pk).delete()
            app.confirmed = True
            app.save(update_fields=["confirmed"])
            codes = new_recovery_codes(user)
        _signed_in_with(request, app)
        return _page(
            request,
            "two_factor/recovery_codes.html",
            "Two-factor sign-in is set up",
            codes=codes,
            next_url=next_url,
        )
    return _page(
        request,
        "two_factor/enrol.html",
        "Set up two-factor sign-in",
        form=form,
        qr_code=_qr_code(app),
        secret=_secret(app),
        required=settings.REQUIRE_STAFF_2FA and role_requires_two_factor(user),
    )


@never_cache
@staff_member_required
def status(request):
    """The account's two-factor page; a POST makes new recovery codes (shown once)."""
    user = request.user
    if has_app(user) and not user.is_verified():
        return _to("two_factor:verify", request.path)
    app = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if request.method == "POST" and app is not None:
        return _page(
            request,
            "two_factor/recovery_codes.html",
            "New recovery codes",
            codes=new_recovery_codes(user),
            next_url=reverse("two_factor:status"),
        )
    return _page(
        request,
        "two_factor/status.html",
        "Two-factor sign-in",
        app=app,
        codes_left=recovery_codes_left(user),
        required=settings.REQUIRE_STAFF_2FA and role_requires_two_factor(user),
    )


app_name = "two_factor"
urlpatterns = [
    path("", status, name="status"),
    path("verify/", verify, name="verify"),
    path("enrol/", enrol, name="enrol"),
]
