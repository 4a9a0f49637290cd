"""Load with faults: many visitors, editors saving, and the cache server dying mid-run.

On a throwaway site (see `bench.benchmark`) with its own Redis on a free local port, gunicorn
serves the article page to `--connections` wrk connections for `--duration` seconds while:

- an editor saves the article every `--save-every` seconds (through the model, as the admin
  does); right after each save a fresh anonymous request must show the new text, or the
  save counts as a stale page;
- at half time the Redis server is shut down: pages must keep coming, uncached.

It prints the saves, the stale pages, wrk's requests and errors; it fails if any request
failed or any page was stale. Loopback only; every loop is bounded in count and time.

    python -m bench.loadtest                  # 60 s, 64 connections
    python -m bench.loadtest --smoke          # 6 s, 8 connections (CI)
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgsite.settings")
django.setup()

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.benchmark import (
    ARTICLE,
    build_site,
    free_port,
    parse_wrk,
    site_environment,
    start_gunicorn,
    wrk_command,
)

# An editor's change, then its publish: saving alone changes nothing readers see.
EDIT = (
    "from articles import publishing\n"
    "from articles.models import Article\n"
    "article = Article.objects.get(slug='magnesium-glycinate-for-sleep')\n"
    "article.subtitle = {text!r}\n"
    "article.save()\n"
    "publishing.publish(article, unreviewed_reason='The load test publishes its own edits.')\n"
)


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Load the site while editors save and Redis stops (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=60)
        parser.add_argument("--connections", type=int, default=64)
        parser.add_argument("--save-every", type=float, default=3.0)
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument("--database-url", default="")
        parser.add_argument("--smoke", action="store_true")

    def handle(self, *args, **options):
        if options["smoke"]:
            options |= {"duration": 6, "connections": 8, "save_every": 1.5, "articles": 10}
        for tool in ["wrk", "redis-server", "redis-cli"]:
            if shutil.which(tool) is None:
                raise CommandError(f"{tool} is not installed")
        workdir = Path(tempfile.mkdtemp(prefix="mgsite-load-"))
        redis_port = free_port()
        redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
        )
        try:
            env = site_environment(
                workdir, options["database_url"], f"redis://127.0.0.1:{redis_port}/0"
            )
            build_site(
                workdir, env, options["articles"], fresh_database=bool(options["database_url"])
            )
            self._run(env, options, redis_port)
        finally:
            redis.kill()
            redis.wait(timeout=10)
            shutil.rmtree(workdir, ignore_errors=True)

    def _run(self, env, options, redis_port):
        server, port = start_gunicorn(env, workers=2)
        try:
            status, _ = fetch(port, ARTICLE)
            if status != 200:
                raise CommandError(f"the article page answered {status}")
            load = subprocess.Popen(
                wrk_command(port, ARTICLE, options["connections"], options["duration"]),
                stdout=subprocess.PIPE,
                text=True,
            )
            saves, stale, redis_stopped = 0, 0, False
            started = time.monotonic()
            while load.poll() is None and time.monotonic() - started < options["duration"] + 30:
                if not redis_stopped and time.monotonic() - started > options["duration"] / 2:
                    subprocess.run(
                        ["redis-cli", "-p", str(redis_port), "shutdown", "nosave"],
                        capture_output=True,
                        check=False,
                    )
                    redis_stopped = True
                    self.stdout.write(f"Redis stopped after {time.monotonic() - started:.0f} s")
                text = f"Saved by the load test, edit {saves + 1}"
                subprocess.run(
                    [*self._shell(env), EDIT.format(text=text)],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                saves += 1
                status, body = fetch(port, ARTICLE)
                if status != 200 or text not in body:
                    stale += 1
                    self.stdout.write(f"stale or failed page after edit {saves} (HTTP {status})")
                time.sleep(options["save_every"])
            output, _ = load.communicate(timeout=60)
            result = parse_wrk(output)
            requests = int(next(
                (line.split()[0] for line in output.splitlines() if "requests in" in line), "0"
            ))  # fmt: skip
            self.stdout.write(
                f"{requests} requests from {options['connections']} connections in "
                f"{options['duration']} s ({result['rps']:.0f}/s, p99 {result['p99']:.1f} ms); "
                f"errors {result['errors']}; saves {saves}; stale pages {stale}; "
                f"Redis stopped mid-run: {'yes' if redis_stopped else 'no'}"
            )
            if result["errors"] or stale or not saves:
                raise CommandError("the load test failed")
        finally:
            server.terminate()
            server.wait(timeout=30)

    def _shell(self, env):
        return [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell", "-c"]


if __name__ == "__main__":
    Command().run_from_argv(["python", "-m bench.loadtest", *sys.argv[1:]])
