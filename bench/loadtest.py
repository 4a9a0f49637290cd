"""Load with faults: visitors, an editor publishing through the admin, and the cache server
dying and coming back from an old snapshot mid-run.

On a throwaway site (see `bench.benchmark`) with its own Redis on a free local port, two
gunicorn workers (each on its own port, so each can be asked directly) serve the article
page to `--connections` wrk connections for `--duration` seconds, while:

- an editor signs in to the admin and, every `--save-every` seconds, changes the article's
  subtitle on its change form and presses "Save and publish"; right after each save every
  worker is asked for the page and must show the new text, or it counts as a stale page;
- at a quarter of the run Redis writes a snapshot (pages and all, as its `save` settings do);
- at half time Redis is shut down: pages must keep coming, uncached, and saves must work;
- at two thirds it is started again from that snapshot, older than the edits made since:
  every worker is asked at once, before any further edit, and must show the newest text.

It prints the saves, the stale pages, the checks that timed out or failed to connect
(counted apart: a slow answer is not a stale one), and wrk's requests and errors; it fails if
any page was stale, any check failed, or wrk saw errors. Loopback only; every loop is
bounded in count and time.

    python -m bench.loadtest                  # 60 s, 64 connections
    python -m bench.loadtest --smoke          # 10 s, 8 connections (CI)
"""

import http.client
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgsite.settings")
django.setup()

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.sites import (
    ARTICLE,
    build_site,
    free_port,
    parse_wrk,
    site_environment,
    start_gunicorn,
    wrk_command,
)
from tests.admin_forms import form_data

# The editor: a superuser made for this run, with a password nobody else knows.
MAKE_EDITOR = (
    "from django.contrib.auth.models import User\n"
    "from articles.models import Article\n"
    "User.objects.create_superuser('loadtest', password={password!r})\n"
    "print(Article.objects.get(slug='magnesium-glycinate-for-sleep').pk)\n"
)


class Browser:
    """Just enough of a browser for the admin: cookies, CSRF token, forms. No redirects."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode()
        finally:
            connection.close()

    def log_in(self, username, password):
        self.request("GET", "/admin/login/")
        status, _ = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                "next": "/admin/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise CommandError(f"the editor could not sign in (HTTP {status})")

    def save_and_publish(self, article_pk, subtitle):
        url = f"/admin/articles/article/{article_pk}/change/"
        status, page = self.request("GET", url)
        if status != 200:
            raise CommandError(f"the change form answered {status}")
        fields = form_data(page)
        fields |= {
            "subtitle": subtitle,
            "_publish": "Save and publish",
            "unreviewed_reason": "The load test publishes its own edits.",
        }
        status, page = self.request("POST", url, fields)
        if status != 302:
            raise CommandError(f"Save and publish answered {status}: {page[:2000]}")


def check(port, text):
    """'fresh', 'stale' or 'timeout'/'failed' for one anonymous request to one worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", ARTICLE)
        response = connection.getresponse()
        body = response.read().decode()
    except TimeoutError:
        return "timeout"
    except OSError:
        return "failed"
    finally:
        connection.close()
    if response.status != 200:
        return "failed"
    return "fresh" if text in body else "stale"


class Redis:
    """A Redis server of this run's own, writing snapshots only when told to."""

    def __init__(self, workdir, port):
        self.workdir, self.port, self.process = workdir, port, None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--dbfilename",
                "snapshot.rdb",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while self.cli("ping") != "PONG":
            if time.monotonic() > deadline:
                raise CommandError("redis-server did not start")
            time.sleep(0.05)

    def cli(self, *command):
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()

    def stop(self):
        self.cli("shutdown", "nosave")
        if self.process is not None:
            self.process.wait(timeout=10)
            self.process = None

    def kill(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)


class Command(BaseCommand):
    help = "Load the site while an editor publishes and Redis restarts from an old snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=60)
        parser.add_argument("--connections", type=int, default=64)
        parser.add_argument("--save-every", type=float, default=2.0)
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument("--database-url", default="")
        parser.add_argument("--smoke", action="store_true")

    def handle(self, *args, **options):
        if options["smoke"]:
            options |= {"duration": 10, "connections": 8, "save_every": 1.0, "articles": 10}
        for tool in ["wrk", "redis-server", "redis-cli"]:
            if shutil.which(tool) is None:
                raise CommandError(f"{tool} is not installed")
        workdir = Path(tempfile.mkdtemp(prefix="mgsite-load-"))
        redis = Redis(workdir, free_port())
        redis.start()
        try:
            env = site_environment(
                workdir, options["database_url"], f"redis://127.0.0.1:{redis.port}/0"
            )
            # The editor signs in with a password alone: two-factor sign-in is not what
            # this measures.
            env["REQUIRE_STAFF_2FA"] = "false"
            build_site(
                workdir, env, options["articles"], fresh_database=bool(options["database_url"])
            )
            self._run(env, options, redis)
        finally:
            redis.kill()
            shutil.rmtree(workdir, ignore_errors=True)

    def _run(self, env, options, redis):
        password = secrets.token_urlsafe(24)
        made = subprocess.run(
            [*self._shell(), MAKE_EDITOR.format(password=password)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        article_pk = int(made.stdout.split()[-1])
        servers = [start_gunicorn(env, workers=1) for _ in range(2)]
        ports = [port for _, port in servers]
        loads = []
        try:
            editor = Browser(ports[0])
            editor.log_in("loadtest", password)
            for port in ports:
                if check(port, "Magnesium") != "fresh":
                    raise CommandError(f"the worker on port {port} does not serve the article")
            loads = [
                subprocess.Popen(
                    wrk_command(port, ARTICLE, options["connections"] // 2, options["duration"]),
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for port in ports
            ]
            self._edit_under_load(options, redis, editor, article_pk, ports, loads)
        finally:
            for load in loads:
                if load.poll() is None:
                    load.kill()
            for server, _ in servers:
                server.terminate()
                server.wait(timeout=30)

    def _edit_under_load(self, options, redis, editor, article_pk, ports, loads):
        duration = options["duration"]
        counts = {"fresh": 0, "stale": 0, "timeout": 0, "failed": 0}
        events = [  # (when, what), in order
            (duration * 1 / 5, "snapshot"),
            (duration * 2 / 5, "restart"),  # at once from the snapshot: no edit in between
            (duration * 3 / 5, "stop"),  # down for a while: edits go on
            (duration * 4 / 5, "start"),  # from the same, older, snapshot
        ]
        saves, saves_at_snapshot, text, restored_keys, restarts = 0, 0, "Magnesium", 0, 0
        started = time.monotonic()

        def check_every_worker(reason):
            # The workers the editor does not use first: none has seen the last save itself.
            for port in reversed(ports):
                outcome = check(port, text)
                counts[outcome] += 1
                if outcome != "fresh":
                    self.stdout.write(f"{outcome} page from port {port} {reason}")

        # Until wrk is done and every event has happened (a slow machine may need longer).
        while events or any(load.poll() is None for load in loads):
            elapsed = time.monotonic() - started
            if elapsed > duration + 30:
                raise CommandError("wrk did not finish")
            # One event a round, so there is always an edit between two of them.
            if events and elapsed >= events[0][0]:
                _, what = events.pop(0)
                if what == "snapshot":
                    redis.cli("save")
                    saves_at_snapshot = saves
                    self.stdout.write(f"{elapsed:.1f} s: Redis wrote a snapshot")
                elif what == "stop":
                    redis.stop()
                    self.stdout.write(f"{elapsed:.1f} s: Redis stopped")
                else:
                    if what == "restart":
                        redis.stop()
                    redis.start()
                    restored_keys = int(redis.cli("dbsize") or 0)
                    restarts += 1
                    self.stdout.write(
                        f"{elapsed:.1f} s: Redis started from the snapshot "
                        f"({restored_keys} keys, written {saves - saves_at_snapshot} saves ago)"
                    )
                    check_every_worker("right after Redis came back from the snapshot")
            if events or elapsed < duration - options["save_every"]:
                text = f"Saved through the admin by the load test, edit {saves + 1}"
                editor.save_and_publish(article_pk, text)
                saves += 1
                check_every_worker(f"after edit {saves}")
            # Saves are paced by the clock, not by how long the last one took.
            time.sleep(max(0.0, options["save_every"] - (time.monotonic() - started - elapsed)))
        requests = errors = 0
        for load in loads:
            output, _ = load.communicate(timeout=60)
            result = parse_wrk(output)
            errors += result["errors"]
            requests += int(next(
                (line.split()[0] for line in output.splitlines() if "requests in" in line), "0"
            ))  # fmt: skip
        self.stdout.write(
            f"{requests} requests from {options['connections']} connections in {duration} s "
            f"({requests / duration:.0f}/s) on {len(ports)} workers; wrk errors {errors}; "
            f"saves through the admin {saves}; worker checks {sum(counts.values())}: "
            f"stale pages {counts['stale']}, timeouts {counts['timeout']}, "
            f"failed {counts['failed']}; Redis started from its snapshot {restarts} times "
            f"({restored_keys} keys the last time)"
        )
        if errors or counts["stale"] or counts["timeout"] or counts["failed"] or not saves:
            raise CommandError("the load test failed")
        if not restored_keys:
            raise CommandError("Redis came back empty: the snapshot restart was not tested")

    def _shell(self):
        return [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell", "-c"]


if __name__ == "__main__":
    Command().run_from_argv(["python", "-m bench.loadtest", *sys.argv[1:]])
