"""Varnish hits against nginx serving the same HTML as a static file, on this machine.

Starts varnishd (deploy/varnish/default.vcl) in front of a server, and nginx serving the
page that server answers, saved as a file; warms Varnish; runs wrk against each; prints
requests per second, p50 and p99, Varnish's ratio to nginx, and the hit ratio of Varnish's
run (varnishstat's MAIN.cache_hit and MAIN.cache_miss). Issue 18 asks for >= 0.45x.

    python -m bench.edge                               # a throwaway site of 10 articles
    python -m bench.edge --backend 127.0.0.1:8000      # in front of `make serve`
    python -m bench.edge --seconds 5 --connections 32 --path /

`edge_rows(backend_port, path, seconds, connections)` is the same, for bench.benchmark.
Needs varnish, varnish-modules, nginx-light and wrk (apt-get install ...).
"""

import argparse
import http.client
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sites import (
    ARTICLE,
    build_site,
    free_port,
    parse_wrk,
    site_environment,
    start_gunicorn,
    wrk_command,
)

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def _wait_for(port, process, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped: {process.stdout.read()}")
        try:
            _get(port, "/", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def _get(port, path, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def start_varnish(workdir, backend_host, backend_port):
    (workdir / "site.vcl").write_text(
        f'backend default {{ .host = "{backend_host}"; .port = "{backend_port}"; }}\n'
        'acl purgers { "127.0.0.1"; "::1"; }\n'
    )
    port = free_port()
    process = subprocess.Popen(
        ["varnishd", "-F", "-n", str(workdir / "varnish"), "-a", f"127.0.0.1:{port}"]
        + ["-f", str(VCL), "-p", f"vcl_path={workdir}:{VCL.parent}", "-s", "malloc,256m"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(port, process, "varnishd")
    return process, port


def start_nginx(workdir, html):
    """nginx with as many workers as cores, serving `html` as /page.html."""
    root = workdir / "www"
    root.mkdir()
    (root / "page.html").write_bytes(html)
    port = free_port()
    (workdir / "nginx.conf").write_text(
        f"""worker_processes auto;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""
    )
    process = subprocess.Popen(
        ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(port, process, "nginx")
    return process, port


def hit_counters(instance):
    """(hits, misses) so far of the varnishd whose working directory (-n) is `instance`."""
    out = subprocess.run(
        ["varnishstat", "-n", str(instance), "-1"]
        + ["-f", "MAIN.cache_hit", "-f", "MAIN.cache_miss"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split()[:2] for line in out.splitlines() if line.strip())
    return int(values["MAIN.cache_hit"]), int(values["MAIN.cache_miss"])


def _wrk(port, path, seconds, connections):
    result = subprocess.run(
        wrk_command(port, path, connections, seconds), capture_output=True, text=True, check=True
    )
    return parse_wrk(result.stdout)


def edge_rows(backend_port, path=ARTICLE, seconds=5, connections=32, backend_host="127.0.0.1"):
    """{"varnish hit": row, "nginx static": row, "hit ratio": float}, each row as
    bench.benchmark.parse_wrk gives it."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    workdir.chmod(0o755)  # varnishd's child runs as its own user
    processes = []
    try:
        varnish, varnish_port = start_varnish(workdir, backend_host, backend_port)
        processes.append(varnish)
        status, _, html = _get(varnish_port, path)  # the page as this host's visitors get it
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        _, headers, body = _get(varnish_port, path)
        if headers.get("X-Cache") != "HIT" or body != html:
            raise RuntimeError(f"Varnish does not keep {path}: X-Cache {headers.get('X-Cache')}")
        nginx, nginx_port = start_nginx(workdir, html)
        processes.append(nginx)
        hits, misses = hit_counters(workdir / "varnish")
        varnish_row = _wrk(varnish_port, path, seconds, connections)
        now_hits, now_misses = hit_counters(workdir / "varnish")
        nginx_row = _wrk(nginx_port, "/page.html", seconds, connections)
        served = (now_hits - hits) + (now_misses - misses)
        return {
            "varnish hit": varnish_row,
            "nginx static": nginx_row,
            "hit ratio": (now_hits - hits) / served if served else float("nan"),
            "bytes": len(html),
        }
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


def print_rows(rows, path, seconds, connections):
    static = rows["nginx static"]["rps"]
    print(
        f"{path} ({rows['bytes']:,} bytes), wrk 2 threads x {connections} connections, {seconds} s"
    )
    print(f"{'served by':<16}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'x nginx':>9}{'errors':>8}")
    for name in ("varnish hit", "nginx static"):
        row = rows[name]
        ratio = row["rps"] / static if static else float("nan")
        print(
            f"{name:<16}{row['rps']:>10,.0f}{row['p50']:>9.2f}{row['p99']:>9.2f}"
            f"{ratio:>9.2f}{row['errors']:>8}"
        )
    print(f"Varnish hit ratio during its run: {rows['hit ratio']:.2%}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", help="HOST:PORT of a running server (else a throwaway site)")
    parser.add_argument("--path", default=ARTICLE)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args(argv)
    for tool in ("varnishd", "varnishstat", "nginx", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(
                f"{tool} is not installed (apt-get install varnish varnish-modules nginx-light wrk)"
            )
    if options.backend:
        host, port = options.backend.rsplit(":", 1)
        rows = edge_rows(int(port), options.path, options.seconds, options.connections, host)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="bench-edge-site-"))
        env = site_environment(workdir)
        build_site(workdir, env, articles=10)
        # Told where to purge, the site sends the headers that let Varnish keep its pages.
        behind = {**env, "EDGE_CACHE_URLS": f"http://127.0.0.1:{free_port()}"}
        server, port = start_gunicorn(behind, workers=2)
        try:
            rows = edge_rows(port, options.path, options.seconds, options.connections)
        finally:
            server.terminate()
            server.wait(timeout=20)
            shutil.rmtree(workdir, ignore_errors=True)
    print_rows(rows, options.path, options.seconds, options.connections)


if __name__ == "__main__":
    main()
