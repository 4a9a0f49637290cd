"""Pathological Markdown for the rendering pipeline, at any size.

The pipeline (`articles.rendering.render_document`) promises linear time; these inputs are
the ones that break that promise in Markdown parsers: runs of brackets and delimiters that
never close, deep nesting, and many of one thing that needs a unique number or id. Each
input is a function of the size in characters, so the benchmark can time it at 10,000 and
100,000 characters and the tests at 5,000 and 20,000; linear time means ten times the
characters take about ten times as long. Each input is one text: at 100,000 characters
twice what a field accepts (MAX_FIELD_CHARS), a margin above the worst an editor can send.
"""

import gc
import time

from articles.rendering import render_document

# Cited below; the pipeline numbers only citations of keys that exist.
KNOWN_KEYS = tuple(f"ref{n}" for n in range(100))


def _repeat(unit, size):
    """`unit` repeated to exactly `size` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def _lines(line, size):
    """Lines line(1), line(2), ... until they fill `size` characters."""
    lines, total, n = [], 0, 0
    while total < size:
        n += 1
        lines.append(line(n))
        total += len(lines[-1])
    return "".join(lines)[:size]


def _footnotes(size):
    # References in one paragraph, their definitions below it: half the characters each.
    references = _lines(lambda n: f"Text[^{n}] ", size // 2)
    notes = _lines(lambda n: f"[^{n}]: Note {n}.\n", size // 2)
    return references + "\n\n" + notes


INPUTS = {
    "[ runs": lambda size: _repeat("[", size),
    "[ nested, closed": lambda size: "[" * (size // 2) + "a" + "]" * (size // 2),
    "[@ runs": lambda size: _repeat("[@", size),
    "[^ runs": lambda size: _repeat("[^", size),
    "[a](<b unclosed links": lambda size: _repeat("[a](<b", size),
    "*a runs": lambda size: _repeat("*a", size),
    "*a **a nesting": lambda size: _repeat("*a **a ", size // 2) + _repeat(" a** a*", size // 2),
    "** * alternating": lambda size: _repeat("a**b*c ", size),
    "a*** runs": lambda size: _repeat("a***", size),
    "_a runs": lambda size: _repeat("_a ", size),
    "*a_ mismatched": lambda size: _repeat("*a_ ", size),
    # Code-span openers of ever longer runs, none closed: e` e`` e``` ...
    "backticks": lambda size: _lines(lambda n: "e" + "`" * n, size),
    "< runs": lambda size: _repeat("<", size),
    "<a runs": lambda size: _repeat("<a ", size),
    # markdown-it nests at most 20 levels (maxNesting) and drops what lies deeper (after a
    # list that deep, the rest of the text too), so past that these four cost next to nothing.
    "- indented deeper": lambda size: _lines(lambda n: "  " * n + "- item\n", size),
    "- - on one line": lambda size: _repeat("- ", size - 1) + "a",
    "> on one line": lambda size: _repeat(">", size - 1) + "a",
    "> deeper": lambda size: _lines(lambda n: ">" * n + " quoted\n", size),
    "table rows": lambda size: (
        "| Dose | Form | Note |\n|---|:-:|--:|\n"
        + _lines(lambda n: f"| {n} mg | capsule | *ok* |\n", size)
    ),
    "same heading": lambda size: _lines(lambda n: "## Magnesium and sleep\n\n", size),
    "task items": lambda size: _lines(lambda n: f"- [ ] x\n- [x] done {n}\n", size),
    "citations": lambda size: _lines(lambda n: f"See [@ref{n % 100}] and [@ref1; @ref2]. ", size),
    "footnotes": _footnotes,
    "bare URLs": lambda size: _lines(lambda n: f"https://example.com/sleep/{n} ", size),
    "bare domains": lambda size: _lines(lambda n: f"see www.example{n}.com or ex{n}.org, ", size),
}


def render(text):
    """The site's pipeline on one text, with every key in KNOWN_KEYS known."""
    return render_document([text], known_keys=KNOWN_KEYS)


def best_time(text, repeats=3):
    """The fastest of `repeats` renders of `text`, in seconds of this process's CPU time:
    other processes busy on the same cores (a test suite beside it) do not count."""
    gc.collect()  # not the garbage of whatever ran before
    times = []
    for _ in range(repeats):
        started = time.process_time()
        render(text)
        times.append(time.process_time() - started)
    return min(times)
