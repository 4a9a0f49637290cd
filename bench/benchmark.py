"""How fast the site serves, against the limit of serving the same bytes as a static file.

For each size N it builds a throwaway site (its own database, cache, static files and
secret) with N articles of 8 sections, starts gunicorn on 127.0.0.1, and loads it with wrk
for a fixed time per row:

  article (cold)  the article page rendered for every request (a session cookie bypasses
                  the page cache; the article is the client's, 5 to 9 kB of HTML)
  article (cached) the same page from the page cache (the fast path: each worker's memory)
  article (gzip)  the same, asked for gzipped (as browsers ask)
  3 images (cold), 3 images (cached)   the seed article with a lead image and two figures
                  from the library (<picture>, srcset): rendered, and from the page cache
  home            the home page, from the page cache
  search (most)   /search/?q=magnesium+sleep: common words, nearly every article matches
  search (few)    /search/?q=compound7+sleep: a rare word, at most 1 in 1,000 matches
  static file     the same article HTML saved under STATIC_ROOT, served by whitenoise

It prints requests per second, p50 and p99 latency (the median of --runs runs, 3 by
default, each row's runs back to back) and each row's ratio to the static file, then each
worker's memory before and after two runs of 10,000 requests, and what each worker holds
in its own page copies (/healthz).

First, in this process, the Markdown pipeline: each input of `bench.markdown_inputs` at
10,000 and 100,000 characters through `render_document`, best of 3 (of 1 with `--smoke`),
and the ratio of the two times: about 10 is linear, about 100 quadratic. An input is flagged
if 10,000 characters take over a second or the ratio is over 30.

Timings are for reading, never for gating CI; CI runs `--smoke` to keep the command working.

    python -m bench.benchmark                      # N = 10, 1000, 10000; 3 x 10 s a row
    python -m bench.benchmark --smoke              # N = 10; 1 x 2 s a row; 300 requests
    python -m bench.benchmark --markdown-only      # only the Markdown pipeline
    python -m bench.benchmark --rows article-cold,search-most --sizes 10,10000 --duration 5
                                                   # only these rows and sizes (no Markdown
                                                   # pipeline, no memory runs)
    python -m bench.benchmark --database-url postgres://postgres@127.0.0.1:5432/mgsite_bench \\
        --redis-url redis://127.0.0.1:6379/2       # the production stack
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgsite.settings")
django.setup()

from django.core.management.base import BaseCommand, CommandError

from bench import edge, markdown_inputs
from bench.sites import (
    ARTICLE,
    build_site,
    free_port,
    parse_wrk,
    site_environment,
    start_gunicorn,
    wrk_command,
)

IMAGES_ARTICLE = "/articles/bench-images/"  # bench.benchmark_data: three library images
BYPASS = {"Cookie": "sessionid=benchmark-bypass"}
ROWS = [
    ("article (cold)", ARTICLE, BYPASS),
    ("article (cached)", ARTICLE, {}),
    ("article (gzip)", ARTICLE, {"Accept-Encoding": "gzip"}),
    ("3 images (cold)", IMAGES_ARTICLE, BYPASS),
    ("3 images (cached)", IMAGES_ARTICLE, {}),
    ("home", "/", {}),
    ("search (most)", "/search/?q=magnesium+sleep", {}),  # matches nearly every article
    ("search (few)", "/search/?q=compound7+sleep", {}),  # at most 1 in 1,000 articles
    ("static file", "/static/bench/article.html", {}),
]
MARKDOWN_SIZES = (10_000, 100_000)


def row_names(name):
    """What --rows accepts for a row: its first word, its last word, or its slug
    ("article (cold)": article, cold, article-cold)."""
    words = name.replace("(", "").replace(")", "").split()
    return {words[0], words[-1], "-".join(words)}


def median_run(runs):
    """The run with the median requests per second (its latencies with it); errors: all."""
    middle = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    return {**middle, "errors": sum(run["errors"] for run in runs)}


def page_copies(port):
    """What the worker answering says it holds of hot pages (/healthz)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        report = json.loads(connection.getresponse().read())["page_cache_this_worker"]
    except (OSError, ValueError, KeyError):
        return "unknown"
    finally:
        connection.close()
    return (
        f"{report['pages']} pages, {report['bytes'] / 1024:.0f} KiB of "
        f"{report['limit_bytes'] / 1024 / 1024:.0f} MiB"
    )


def worker_memory(master_pid):
    """{pid: RSS in MiB} of gunicorn's workers."""
    result = subprocess.run(
        ["ps", "--ppid", str(master_pid), "-o", "pid=,rss="],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        int(pid): int(rss) / 1024
        for pid, rss in (line.split() for line in result.stdout.splitlines())
    }


def fire(port, path, count, threads=4):
    """`count` GET requests over `threads` threads; the number that failed."""

    def one(_):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            return connection.getresponse().status != 200
        except OSError:
            return True
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(one, range(count)))


class Command(BaseCommand):
    help = "Benchmark the site under gunicorn against a static file (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10,1000,10000", help="article counts, e.g. 10,1000")
        parser.add_argument("--duration", type=int, default=10, help="seconds per run of a row")
        parser.add_argument("--runs", type=int, default=3, help="runs per row; the median counts")
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--memory-requests", type=int, default=10_000)
        parser.add_argument("--database-url", default="", help="default: a SQLite file")
        parser.add_argument("--redis-url", default="", help="default: the file cache")
        parser.add_argument("--smoke", action="store_true", help="tiny and quick: for CI")
        parser.add_argument(
            "--rows",
            default="",
            help="only these rows, by first or last word or slug: e.g. article-cold,search-most",
        )
        parser.add_argument("--markdown-only", action="store_true", help="no sites, no wrk")
        parser.add_argument(
            "--no-edge", action="store_true", help="skip Varnish against nginx (bench.edge)"
        )

    def handle(self, *args, **options):
        if options["smoke"]:
            options |= {
                "sizes": "10",
                "duration": 2,
                "runs": 1,
                "memory_requests": 300,
                "connections": 4,
            }
        if shutil.which("wrk") is None and not options["markdown_only"]:
            raise CommandError("wrk is not installed: apt-get install -y wrk")
        if not options["rows"]:  # a run of chosen rows is about the pages only
            self._markdown(repeats=1 if options["smoke"] else 3)
        if options["markdown_only"]:
            return
        sizes = [int(size) for size in options["sizes"].split(",")]
        results = {}
        for index, size in enumerate(sizes):
            self.stdout.write(f"\n== {size} articles, 8 sections each")
            # Varnish answers from memory whatever the site's size: measured at the first.
            options["edge_now"] = index == 0 and not options["no_edge"]
            results[size] = self._run_size(size, options)
        self._summary(results, options)

    def _markdown(self, repeats):
        small, large = MARKDOWN_SIZES
        self.stdout.write(
            f"\n== Markdown: ms to render one text (best of {repeats}); ratio = time at "
            f"{large:,} characters / at {small:,} (linear ~10, quadratic ~100)"
        )
        self.stdout.write(f"{'input':24} {small:>10,} {large:>10,} {'ratio':>7}")
        flagged = []
        for name, make in markdown_inputs.INPUTS.items():
            fast, slow = (markdown_inputs.best_time(make(n), repeats) for n in MARKDOWN_SIZES)
            flags = []
            if fast > 1:
                flags.append(f"over 1 s at {small:,}")
            if slow / fast > 30:
                flags.append("ratio over 30")
            if flags:
                flagged.append(name)
            self.stdout.write(
                f"{name:24} {fast * 1000:10.1f} {slow * 1000:10.1f} {slow / fast:7.1f}"
                + (f"  <- {', '.join(flags)}" if flags else "")
            )
        self.stdout.write(f"flagged: {', '.join(flagged) or 'none'}")

    def _run_size(self, size, options):
        workdir = Path(tempfile.mkdtemp(prefix="mgsite-bench-"))
        env = site_environment(workdir, options["database_url"], options["redis_url"])
        try:
            started = time.monotonic()
            build_site(workdir, env, size, fresh_database=bool(options["database_url"]))
            self.stdout.write(f"site built in {time.monotonic() - started:.0f} s")
            return self._load(env, options)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _load(self, env, options):
        server, port = start_gunicorn(env, options["workers"])
        try:
            rows = {}
            chosen = [row.strip() for row in options["rows"].split(",") if row.strip()]
            for name, path, headers in ROWS:
                if chosen and not set(row_names(name)) & set(chosen):
                    continue
                fire(port, path, 20)  # warm: imports, caches, connections
                command = wrk_command(
                    port, path, options["connections"], options["duration"], headers
                )
                runs = [
                    parse_wrk(subprocess.run(command, capture_output=True, text=True).stdout)
                    for _ in range(options["runs"])
                ]
                rows[name] = median_run(runs)
                self.stdout.write(
                    f"{name:18} {rows[name]['rps']:9.0f} req/s  p50 {rows[name]['p50']:7.2f} ms"
                    f"  p99 {rows[name]['p99']:7.2f} ms  errors {rows[name]['errors']}"
                )
            self.stdout.write(f"this worker's page copies: {page_copies(port)}")
            if options.get("edge_now"):
                rows.update(self._edge(env, options))
            memory = [worker_memory(server.pid)]
            failures = 0
            for _ in range(0 if chosen else 2):  # chosen rows: no memory runs either
                failures += fire(port, ARTICLE, options["memory_requests"])
                memory.append(worker_memory(server.pid))
            return {"rows": rows, "memory": memory, "memory_failures": failures}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    def _edge(self, env, options):
        """Varnish hits in front of this site against nginx serving the same HTML as a file
        (bench.edge): the median of --runs runs, by Varnish's ratio to nginx. The site is
        served again as it is behind Varnish: told where to purge (EDGE_CACHE_URLS), it
        sends the headers that let Varnish keep its pages."""
        missing = [tool for tool in ("varnishd", "nginx") if shutil.which(tool) is None]
        if missing:
            self.stdout.write(f"Varnish against nginx: skipped, no {' or '.join(missing)}")
            return {}
        behind = {**env, "EDGE_CACHE_URLS": f"http://127.0.0.1:{free_port()}"}
        server, port = start_gunicorn(behind, options["workers"])
        try:
            runs = [
                edge.edge_rows(
                    port, seconds=options["duration"], connections=options["connections"]
                )
                for _ in range(options["runs"])
            ]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        middle = sorted(
            runs, key=lambda run: run["varnish hit"]["rps"] / run["nginx static"]["rps"]
        )
        run = middle[len(middle) // 2]
        ratio = run["varnish hit"]["rps"] / run["nginx static"]["rps"]
        for name in ("varnish hit", "nginx static"):
            row = run[name]
            self.stdout.write(
                f"{name:18} {row['rps']:9.0f} req/s  p50 {row['p50']:7.2f} ms"
                f"  p99 {row['p99']:7.2f} ms  errors {row['errors']}"
            )
        self.stdout.write(
            f"Varnish / nginx static: {ratio:.2f}x; Varnish hit ratio {run['hit ratio']:.2%}"
        )
        return {"varnish hit": run["varnish hit"]}

    def _summary(self, results, options):
        self.stdout.write("\n== Ratios to the static file (requests per second), per size")
        for size, result in results.items():
            if "static file" not in result["rows"]:
                continue
            static = result["rows"]["static file"]["rps"] or float("nan")
            ratios = "  ".join(
                f"{name} {row['rps'] / static:.2f}"
                for name, row in result["rows"].items()
                if name != "static file"
            )
            self.stdout.write(f"{size:>6}: {ratios}")
        sizes = list(results)
        if len(sizes) > 1:
            small, large = results[sizes[0]]["rows"], results[sizes[-1]]["rows"]
            self.stdout.write(f"\n== p50 at {sizes[-1]} articles / p50 at {sizes[0]}")
            for name in ["article (cold)", "search (most)", "search (few)", "home"]:
                if name not in large:
                    continue
                self.stdout.write(f"{name:17} {large[name]['p50'] / small[name]['p50']:.2f}x")
        self.stdout.write(
            f"\n== Worker memory (MiB): start, after {options['memory_requests']} requests, "
            "after as many again; change from the first run to the second"
        )
        for size, result in results.items():
            if len(result["memory"]) < 3:
                continue
            start, first, second = result["memory"]
            for pid in sorted(start):
                if pid in first and pid in second:
                    growth = (second[pid] - first[pid]) / first[pid] * 100
                    self.stdout.write(
                        f"{size:>6} worker {pid}: {start[pid]:.1f} → {first[pid]:.1f} → "
                        f"{second[pid]:.1f}  ({growth:+.1f}%)"
                    )
            if result["memory_failures"]:
                self.stdout.write(f"{size:>6}: {result['memory_failures']} requests failed")
        errors = sum(row["errors"] for r in results.values() for row in r["rows"].values())
        errors += sum(r["memory_failures"] for r in results.values())
        self.stdout.write(f"\nerrors: {errors}")
        if errors:
            raise CommandError(f"{errors} requests failed")


if __name__ == "__main__":
    Command().run_from_argv(["python", "-m bench.benchmark", *sys.argv[1:]])
