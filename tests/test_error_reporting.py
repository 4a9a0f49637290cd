"""Sentry: off without SENTRY_DSN; with it, request errors are reported without personal data.

Each test runs the site in a process of its own: Sentry's client, once started, patches Django
for the rest of the process, and the suite's own process should stay as production without
SENTRY_DSN is.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args, tmp_path, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SENTRY_") and k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(
        SECRET_KEY="x" * 60,
        MGSITE_VAR_DIR=str(tmp_path),
        # A throwaway database and cache of its own, whatever the suite runs on.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


OPTIONS = """
import json, sentry_sdk
client = sentry_sdk.get_client()
names = ("send_default_pii", "environment", "release", "traces_sample_rate")
print(json.dumps({"active": client.is_active(), **{n: client.options.get(n) for n in names}}))
"""


def client_options(tmp_path, **env):
    return json.loads(run(["manage.py", "shell", "-c", OPTIONS], tmp_path, **env).splitlines()[-1])


def test_without_sentry_dsn_there_is_no_sentry_client(tmp_path):
    assert client_options(tmp_path)["active"] is False
    assert client_options(tmp_path, SENTRY_DSN="")["active"] is False


def test_sentry_dsn_starts_it_with_pii_off_and_tracing_off(tmp_path):
    options = client_options(tmp_path, SENTRY_DSN="https://key@127.0.0.1:9/1")
    assert options["active"] is True
    assert options["send_default_pii"] is False
    assert options["traces_sample_rate"] is None
    named = client_options(
        tmp_path,
        SENTRY_DSN="https://key@127.0.0.1:9/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="mgsite@1.2.3",
        SENTRY_TRACES_SAMPLE_RATE="0.25",
    )
    assert (named["environment"], named["release"]) == ("staging", "mgsite@1.2.3")
    assert named["traces_sample_rate"] == 0.25


# A signed-in editor's POST that fails, sent through the WSGI application (as gunicorn
# calls it) with everything personal a request can carry; Sentry's events are collected by
# a transport instead of being sent. A file, not `shell -c`: Sentry reports sys.argv.
FAILING_REQUEST = """
import io, json, os
import django
django.setup()
import sentry_sdk
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from sentry_sdk.transport import Transport
from mgsite.error_reporting import init_sentry

class Collect(Transport):
    events = []
    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]

call_command("migrate", verbosity=0)
init_sentry("https://key@127.0.0.1:9/1", transport=Collect)
user = get_user_model().objects.create_superuser("edith", "edith@example.org", "long-pass-123")
browser = Client()
browser.force_login(user)
secrets = json.loads(os.environ["SECRETS"])
body = f"email=edith%40example.org&password={secrets['password']}".encode()
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/boom/", "QUERY_STRING": "page=2",
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": secrets["address"],
    "HTTP_X_FORWARDED_FOR": secrets["forwarded_for"],
    "HTTP_AUTHORIZATION": secrets["authorization"],
    "HTTP_COOKIE": f"sessionid={browser.cookies['sessionid'].value}; csrftoken={secrets['csrf']}",
    "HTTP_X_CSRFTOKEN": secrets["csrf"],
    "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http",
    "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}
statuses = []
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(
    ROOT_URLCONF="tests.urls_error",
    STORAGES={**settings.STORAGES, "staticfiles": plain_static},  # no collectstatic here
):
    b"".join(get_wsgi_application()(environ, lambda status, *args: statuses.append(status)))
sentry_sdk.flush()
print(json.dumps({
    "status": statuses, "session": browser.cookies["sessionid"].value, "events": Collect.events,
}))
"""


def test_a_request_error_reaches_sentry_without_personal_data(tmp_path):
    secrets = {
        "password": "hunter2-not-for-sentry",
        "address": "203.0.113.7",
        "forwarded_for": "198.51.100.9",
        "authorization": "Basic ZWRpdGg6bm90LWZvci1zZW50cnk=",
        "csrf": "c" * 32,
    }
    script = tmp_path / "failing_request.py"
    script.write_text(FAILING_REQUEST)
    output = run([str(script)], tmp_path, SECRETS=json.dumps(secrets), SECURE_SSL_REDIRECT="false")
    result = json.loads(output.splitlines()[-1])
    assert result["status"] == ["500 Internal Server Error"]
    [event] = result["events"]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    request = event["request"]
    assert (request["method"], request["url"]) == ("POST", "http://127.0.0.1/boom/")
    assert request["headers"]["Cookie"] == "[Filtered]"
    assert "data" not in request and "cookies" not in request
    assert set(event.get("user", {})) <= {"id"}
    sent = json.dumps(event)
    for value in [*secrets.values(), result["session"], "edith@example.org", "edith%40example"]:
        assert value not in sent, f"{value!r} reached Sentry"
