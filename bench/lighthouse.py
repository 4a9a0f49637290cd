"""Lighthouse scores for the home page and the seed article, phone and desktop.

Builds a throwaway site the way `bench.benchmark` does (its own SQLite database, cache,
static files and secret under a temporary directory; DEBUG off; the seed article from the
migrations plus a few benchmark articles, one with library images), starts gunicorn on
127.0.0.1 and runs npm's lighthouse@12 (installed under var/ by `make lighthouse`) with
the system Chromium, three times per page and form factor. It prints the median of each
category's score, and the audits that cost points in any run; it exits 1 if a median is
under TARGETS.

In production the reverse proxy serves uploads; here `bench.media_wsgi` stands in for it.

    python -m bench.lighthouse                 # or: make lighthouse
    python -m bench.lighthouse --runs 1 --pages article --forms mobile
    python -m bench.lighthouse --keep          # leave the site running to look at it
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.sites import build_site, site_environment, start_gunicorn

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "var" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
PAGES = {"home": "/", "article": "/articles/magnesium-glycinate-for-sleep/"}
FORMS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# What issue 19 asks of every page and form factor (medians): it exits 1 below these.
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def run_lighthouse(url, form, output):
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    # Lighthouse itself sometimes fails to record a trace on a busy machine (NO_NAVSTART):
    # that is no score, so the run is made again, up to three times.
    for attempt in range(3):
        done = subprocess.run(command, check=False, env={**os.environ, "CHROME_PATH": CHROME})
        if done.returncode == 0:
            break
        print(f"lighthouse failed on {url} ({form}), attempt {attempt + 1} of 3", flush=True)
    done.check_returncode()
    report = json.loads(Path(output).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    lost = sorted(
        audit_id
        for name in CATEGORIES
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"])
        and (score := report["audits"][audit_id]["score"]) is not None
        and score < 1
    )
    return scores, lost


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--articles", type=int, default=6, help="benchmark articles to add")
    parser.add_argument("--keep", action="store_true", help="serve until Ctrl-C, then clean up")
    parser.add_argument(
        "--no-performance-gate",
        action="store_true",
        help="print performance but fail only on the other categories (CI: a shared machine's "
        "timings are for reading, not gating)",
    )
    options = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `make lighthouse`")

    workdir = Path(tempfile.mkdtemp(prefix="mgsite-lighthouse-"))
    env = site_environment(workdir) | {"MEDIA_ROOT": str(workdir / "media")}
    server = None
    try:
        build_site(workdir, env, options.articles)
        server, port = start_gunicorn(env, workers=2, wsgi="bench.media_wsgi")
        base = f"http://127.0.0.1:{port}"
        if options.keep:
            print(f"Serving {base}/ (Ctrl-C stops)", flush=True)
            server.wait()
            return
        rows = []
        for page in options.pages.split(","):
            for form in options.forms.split(","):
                runs = [
                    run_lighthouse(base + PAGES[page], form, workdir / f"{page}-{form}-{n}.json")
                    for n in range(options.runs)
                ]
                medians = {
                    name: statistics.median(scores[name] for scores, _ in runs)
                    for name in CATEGORIES
                }
                lost = sorted({audit for _, audits in runs for audit in audits})
                rows.append((page, form, medians, lost))
                print(
                    f"{page:8} {form:8} "
                    + "  ".join(f"{name} {medians[name]:g}" for name in CATEGORIES),
                    flush=True,
                )
        print(f"\nMedian of {options.runs} run(s) per row.")
        for page, form, _, lost in rows:
            if lost:
                print(f"{page} {form}: points lost in {', '.join(lost)}")
        short = [
            f"{page} {form} {name} {medians[name]:g} < {target}"
            for page, form, medians, _ in rows
            for name, target in TARGETS.items()
            if medians[name] < target
            and not (name == "performance" and options.no_performance_gate)
        ]
        if short:
            sys.exit("Below target: " + "; ".join(short))
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
