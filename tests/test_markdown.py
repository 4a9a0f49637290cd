"""The renderer: the Markdown the article needs works, and nothing executable survives."""

import re
from html.parser import HTMLParser

import pytest

from articles.rendering import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="java&#10;script:alert(1)">click</a>',
    '<a href=" \x01javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    '![x](x" onerror="alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:red}</style>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src="x" onerror="alert(1)"',
    "<input autofocus onfocus=alert(1)>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<p onclick=alert(1)>text</p>",
    '<a href="x" onmouseover="alert(1)">x</a>',
    "`<script>alert(1)</script>` and <code onclick=alert(1)>c</code>",
]


class ExecutableFinder(HTMLParser):
    """Parses HTML as a browser would and lists every element or attribute that could run."""

    DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "form",
                      "input", "base", "meta", "link", "body", "details"}  # fmt: skip
    URL_ATTRIBUTES = {"href", "src", "action", "data", "formaction", "xlink:href"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            # As browsers read URLs: outer controls and spaces trimmed, tabs and newlines dropped.
            value = re.sub(r"[\t\n\r]", "", (value or "").strip("\x00- ")).lower()
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            elif name in self.URL_ATTRIBUTES and value.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag}[{name}={value[:20]}]")
            elif name == "style" and not re.fullmatch(r"text-align:(left|right|center);?", value):
                self.found.append(f"{tag}[style={value[:20]}]")


def executable_bits(html):
    finder = ExecutableFinder()
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_executable_survives(payload):
    html = render_markdown(payload)
    assert executable_bits(html) == [], html


def test_the_checker_itself_finds_executable_html():
    # Guards the test above: the checker must flag what the renderer is meant to remove.
    assert executable_bits("<img src=x onerror=alert(1)>") == ["img[onerror]"]
    assert executable_bits("<script>x</script>") == ["<script>"]
    assert executable_bits('<a href=" JavaScript:x">') == ["a[href=javascript:x]"]
    assert executable_bits('<p style="position:fixed">') == ["p[style=position:fixed]"]
    assert executable_bits("&lt;img src=x onerror=alert(1)&gt;") == []


def test_article_markdown_renders():
    html = render_markdown(
        "## A heading\n\n"
        "Some *emphasis*, **strong**, `code` and a [link](https://example.org/).\n\n"
        "- one\n- two\n\n"
        "> quoted\n\n"
        "| Dose | Form |\n|:-----|-----:|\n| 200 mg | capsule |\n\n"
        "A claim.[^1]\n\n[^1]: A footnote.\n\n"
        '![Capsules](/media/uploads/a.png "Title")\n'
    )
    assert '<h2 id="a-heading">A heading</h2>' in html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html and "<blockquote>" in html
    assert '<th style="text-align:left">Dose</th>' in html
    assert 'class="footnote-ref"' in html and 'id="fn1"' in html
    assert '<img src="/media/uploads/a.png" alt="Capsules" title="Title">' in html


def test_classes_and_styles_other_than_allowed_are_dropped():
    html = render_markdown(
        '<p class="evil" style="position:fixed">x</p><td style="color:red">y</td>'
    )
    assert "evil" not in html and "fixed" not in html and "color" not in html


def test_empty_input_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
