"""Two-factor sign-in for staff: Publishers and superusers need a code from an authenticator
app (or a recovery code) after their password while REQUIRE_STAFF_2FA is on."""

import re
from io import StringIO
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

LOGIN = "/admin/login/"
ADMIN = "/admin/"
PASSWORD = "a-long-password-for-staff"
required = pytest.mark.two_factor_required


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "", PASSWORD)


@pytest.fixture
def publisher(django_user_model):
    user = django_user_model.objects.create_user("pat", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def editor_only(django_user_model):
    user = django_user_model.objects.create_user("eddie", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Medical reviewers"))
    return user


def sign_in(client, user, next_url=ADMIN, address="127.0.0.1"):
    """The admin's own login form, password only, as a person submits it."""
    response = client.post(
        f"{LOGIN}?next={quote(next_url)}",
        {"username": user.get_username(), "password": PASSWORD},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302, "the password was refused"
    return response


def enrolled(user, recovery_codes=("recovery1", "recovery2")):
    """The user's authenticator app and recovery codes, as enrolment leaves them."""
    app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in recovery_codes:
        codes.token_set.create(token=code)
    return app


def code_from(device, steps=0):
    """What the authenticator app shows now (or `steps` time steps from now)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps)
    return f"{code:0{device.digits}d}"


def wrong_code(device):
    accepted = {code_from(device, steps) for steps in range(-device.tolerance - 1, 3)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in accepted)


def verify_url(next_url=ADMIN):
    return f"{reverse('two_factor:verify')}?{urlencode({'next': next_url})}"


def enrol_url(next_url=ADMIN):
    return f"{reverse('two_factor:enrol')}?{urlencode({'next': next_url})}"


# The requirement on: the password alone opens no admin page.


@required
def test_a_superuser_without_an_app_is_sent_to_enrol_after_the_password(client, boss):
    assert sign_in(client, boss)["Location"] == ADMIN
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"] == enrol_url()


@required
def test_a_superuser_with_an_app_is_asked_for_a_code_on_every_admin_page(
    client, boss, seed_article
):
    enrolled(boss)
    sign_in(client, boss)
    change = reverse("admin:articles_article_change", args=[seed_article.pk])
    for url in [ADMIN, change, reverse("admin:auth_user_changelist"), "/admin/password_change/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == verify_url(url)
    assert client.post(change, {"title": "Changed without a code"}).status_code == 302
    seed_article.refresh_from_db()
    assert seed_article.title != "Changed without a code"


@required
def test_a_publisher_is_asked_too(client, publisher):
    enrolled(publisher)
    sign_in(client, publisher)
    assert client.get(ADMIN)["Location"] == verify_url()


@required
def test_a_valid_code_from_the_app_signs_in(client, boss):
    app = enrolled(boss)
    sign_in(client, boss)
    page = client.get(verify_url())
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post(verify_url(), {"code": code_from(app)})
    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    # Verified once a session: the next pages ask nothing more.
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


@required
def test_a_code_is_accepted_with_spaces_as_apps_show_it(client, boss):
    app = enrolled(boss)
    sign_in(client, boss)
    code = code_from(app)
    assert client.post(verify_url(), {"code": f" {code[:3]} {code[3:]} "}).status_code == 302
    assert client.get(ADMIN).status_code == 200


@required
def test_a_wrong_code_is_refused_with_a_message(client, boss):
    app = enrolled(boss)
    sign_in(client, boss)
    response = client.post(verify_url(), {"code": wrong_code(app)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(ADMIN).status_code == 302


@required
def test_wrong_codes_are_throttled_even_before_the_right_one(client, boss, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30  # waits 30 s, 60 s, ... (1 s, 2 s, ... by default)
    app = enrolled(boss)
    sign_in(client, boss)
    client.post(verify_url(), {"code": wrong_code(app)})
    # At once: the right code waits until the pause after a wrong one has passed.
    response = client.post(verify_url(), {"code": code_from(app)})
    assert response.status_code == 200
    assert "Too many wrong codes: try again in 30 seconds" in response.content.decode()
    assert client.get(ADMIN).status_code == 302
    app.refresh_from_db()
    assert app.throttling_failure_count == 1


@required
def test_a_recovery_code_works_once_and_not_twice(client, boss):
    enrolled(boss, recovery_codes=["abcdefgh", "ijklmnop"])
    sign_in(client, boss)
    assert client.post(verify_url(), {"code": "ABCD EFGH"}).status_code == 302
    assert client.get(ADMIN).status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["ijklmnop"]

    client.post(reverse("admin:logout"))
    sign_in(client, boss)
    again = client.post(verify_url(), {"code": "abcdefgh"})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    assert client.get(ADMIN).status_code == 302


@required
def test_the_code_page_goes_back_only_to_this_site(client, boss):
    app = enrolled(boss)
    sign_in(client, boss)
    response = client.post(verify_url("https://evil.example/admin/"), {"code": code_from(app)})
    assert response["Location"] == ADMIN


@required
def test_an_editor_who_is_not_a_publisher_is_not_asked(client, editor_only):
    sign_in(client, editor_only)
    assert client.get(ADMIN).status_code == 200
    assert client.post("/markdownx/markdownify/", {"content": "*x*"}).status_code == 200


@required
def test_an_editor_who_chose_to_enrol_is_asked_for_the_code(client, editor_only):
    enrolled(editor_only)
    sign_in(client, editor_only)
    assert client.get(ADMIN)["Location"] == verify_url()


@required
def test_the_password_alone_is_a_visitor_everywhere_else(client, boss, make_article):
    draft = make_article(published=False)
    enrolled(boss)
    sign_in(client, boss)
    assert client.get(f"{draft.get_absolute_url()}?draft").status_code == 404
    assert client.post("/markdownx/markdownify/", {"content": "*x*"}).status_code == 302
    assert client.get("/").status_code == 200


@required
def test_logging_out_works_before_the_code(client, boss):
    enrolled(boss)
    sign_in(client, boss)
    assert client.post(reverse("admin:logout")).status_code == 200
    assert client.get(ADMIN)["Location"].startswith(LOGIN)


# Enrolment: the app's secret as a QR code and as text, a code to confirm, recovery codes.


@required
def test_enrolment_confirms_the_app_and_shows_recovery_codes_once(client, boss):
    sign_in(client, boss)
    page = client.get(enrol_url())
    assert page.status_code == 200
    html = page.content.decode()
    app = TOTPDevice.objects.get(user=boss)
    assert not app.confirmed
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") == app.config_url.split("secret=")[1].split("&")[0]
    assert 'src="data:image/svg+xml;base64,' in html
    assert client.get(ADMIN).status_code == 302  # not yet: the app is not confirmed

    wrong = client.post(enrol_url(), {"code": wrong_code(app)})
    assert "That code is not right" in wrong.content.decode()
    app.refresh_from_db()
    app.throttle_reset()

    done = client.post(enrol_url(), {"code": code_from(app)})
    assert done.status_code == 200
    html = done.content.decode()
    codes = list(StaticToken.objects.filter(device__user=boss).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in html for code in codes)
    app.refresh_from_db()
    assert app.confirmed
    assert client.get(ADMIN).status_code == 200
    # Shown once: the account's page counts them and never prints them again.
    status = client.get(reverse("two_factor:status")).content.decode()
    assert "10 recovery codes left" in status
    assert not any(code in status for code in codes)


@required
def test_enrolling_again_needs_the_code_from_the_current_app(client, boss):
    enrolled(boss)
    sign_in(client, boss)
    assert client.get(enrol_url())["Location"] == verify_url(enrol_url())
    assert TOTPDevice.objects.filter(user=boss).count() == 1


@required
def test_a_new_app_replaces_the_old_one_and_its_recovery_codes(client, boss):
    old = enrolled(boss, recovery_codes=["oldcode1"])
    sign_in(client, boss)
    client.post(verify_url(), {"code": code_from(old)})
    client.get(enrol_url())
    new = TOTPDevice.objects.get(user=boss, confirmed=False)
    client.post(enrol_url(), {"code": code_from(new)})
    assert list(TOTPDevice.objects.filter(user=boss)) == [new]
    assert not StaticToken.objects.filter(token="oldcode1").exists()
    assert StaticToken.objects.filter(device__user=boss).count() == 10


@required
def test_new_recovery_codes_replace_the_old_ones(client, boss):
    app = enrolled(boss, recovery_codes=["oldcode1", "oldcode2"])
    sign_in(client, boss)
    client.post(verify_url(), {"code": code_from(app)})
    response = client.post(reverse("two_factor:status"))
    codes = list(StaticToken.objects.filter(device__user=boss).values_list("token", flat=True))
    assert len(codes) == 10 and "oldcode1" not in codes
    assert all(code in response.content.decode() for code in codes)


@required
def test_an_editor_may_enrol_from_the_admin(client, editor_only):
    sign_in(client, editor_only)
    index = client.get(ADMIN).content.decode()
    assert reverse("two_factor:status") in index
    status = client.get(reverse("two_factor:status")).content.decode()
    assert reverse("two_factor:enrol") in status


# An administrator resets a lost app.


@required
def test_reset_command_sends_the_user_to_enrol_again(client, boss):
    enrolled(boss)
    out = StringIO()
    call_command("reset_two_factor", "boss", stdout=out)
    assert "1 authenticator app(s) and 2 unused recovery code(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=boss).exists()
    assert not StaticDevice.objects.filter(user=boss).exists()
    sign_in(client, boss)
    assert client.get(ADMIN)["Location"] == enrol_url()


@required
def test_a_superuser_removes_anothers_app_in_the_admin_without_seeing_its_secret(
    client, boss, publisher
):
    app = enrolled(boss)
    lost = enrolled(publisher)
    sign_in(client, boss)
    client.post(verify_url(), {"code": code_from(app)})
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[lost.pk]))
    assert page.status_code == 200
    assert lost.key not in page.content.decode()
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()


# The password step is still the admin's, with its lockout.


@required
def test_failed_passwords_still_lock_out_with_the_requirement_on(client, boss):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    locked = client.post(LOGIN, {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


# The requirement off: today's flow.


def test_with_the_requirement_off_the_password_is_enough(client, boss, publisher):
    assert settings.REQUIRE_STAFF_2FA is False
    enrolled(boss)  # even an enrolled app is not asked for
    sign_in(client, boss)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    client.post(reverse("admin:logout"))
    sign_in(client, publisher)
    assert client.get(ADMIN).status_code == 200
