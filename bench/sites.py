"""Throwaway sites for the tools in bench/: settings for one in a directory of its own, built
from the migrations and bench.benchmark_data, served by gunicorn on a free port of
127.0.0.1, and wrk's output read back. Used by the benchmark, the load test, Lighthouse
and Varnish against nginx (bench.edge)."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg
import psycopg.sql
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/articles/magnesium-glycinate-for-sleep/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_wrk(output):
    def number(pattern, text=output):
        match = re.search(pattern, text)
        return match.group(1) if match else None

    def millis(value):  # wrk writes e.g. 850.00us, 4.16ms, 1.08s
        if value is None:
            return float("nan")
        for unit, factor in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)]:
            if value.endswith(unit):
                return float(value[: -len(unit)]) * factor
        return float("nan")

    return {
        "rps": float(number(r"Requests/sec:\s+([\d.]+)") or 0),
        "p50": millis(number(r"50%\s+([\d.]+\w+)")),
        "p99": millis(number(r"99%\s+([\d.]+\w+)")),
        "errors": int(number(r"Non-2xx or 3xx responses: (\d+)") or 0)
        + sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)),
    }


def wrk_command(port, path, connections, seconds, headers=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    return [*command, f"http://127.0.0.1:{port}{path}"]


def site_environment(workdir, database_url="", redis_url=""):
    """Settings for a throwaway site in `workdir`, as production would set them."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MGSITE_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run_python(env, *arguments, quiet=True):
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        text=True,
    )


def recreate_database(database_url):
    """Drop and create the (throwaway) PostgreSQL database `database_url` names, so every
    run starts from the migrations alone, seed article included."""
    config = dj_database_url.parse(database_url)
    admin = psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )
    with admin:
        name = psycopg.sql.Identifier(config["NAME"])
        admin.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))


def build_site(workdir, env, articles, fresh_database=False):
    if fresh_database:
        recreate_database(env["DATABASE_URL"])
    run_python(env, "manage.py", "migrate", "--noinput")
    run_python(env, "manage.py", "collectstatic", "--noinput")
    run_python(env, "-m", "bench.benchmark_data", "--articles", str(articles))


def start_gunicorn(env, workers, wsgi="mgsite.wsgi"):
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            wsgi,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise CommandError("gunicorn did not start")
