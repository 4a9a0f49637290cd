"""The Markdown pipeline stays linear on pathological input (bench/markdown_inputs.py).

No absolute timings: each input is rendered at 5,000 and 20,000 characters, and four times
the characters may take at most eight times as long. Linear time gives about 4 (4.4 at most
measured here); a quadratic step anywhere in the pipeline gives up to 16: the task-list
plugin's quadratic parent lookup, which rendering.py replaces, measured 9.2 to 9.6.
"""

import pytest

from bench.markdown_inputs import INPUTS, best_time

SMALL, LARGE = 5_000, 20_000


@pytest.mark.parametrize("name", INPUTS)
def test_render_time_grows_linearly_with_input(name):
    small = best_time(INPUTS[name](SMALL))
    large = best_time(INPUTS[name](LARGE))
    ratio = large / small
    assert ratio < 8, (
        f"{name!r}: {LARGE:,} characters took {large * 1000:.0f} ms, {ratio:.1f} times the "
        f"{small * 1000:.0f} ms of {SMALL:,} (linear is about 4, quadratic about 16)"
    )
