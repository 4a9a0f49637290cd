"""Development tools, not part of the site: the benchmark, its data, the load test, and
the pathological Markdown inputs that the benchmark and tests/test_rendering_speed.py share.

Not an app (not in INSTALLED_APPS) and never imported by the site. Run from the repository
root: `python -m bench.benchmark --smoke`, or `make bench` and `make loadtest`.
"""
