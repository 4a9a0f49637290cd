"""The public pages are valid HTML: the W3C Nu HTML checker finds no errors in them.

The checker is npm's vnu-jar (`make vnu` puts it under var/; VNU_JAR points elsewhere) run
with Debian's Java. Where either is missing the test is skipped and says what to install.
The pages' HTML does not depend on the database, so it runs on SQLite only: CI's second
pass, on PostgreSQL, skips it.
"""

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from articles import previews, publishing
from articles.models import ArticleUpdate, Person, Reference

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "var/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))

# Everything the Markdown pipeline makes, so the checker sees all of it on one page.
RICH_INTRO = """Magnesium citrate is absorbed well [@nielsen2010; @abbasi2012], and a
footnote says more.[^1]

| Form | Elemental Mg | Notes |
|:-----|-------------:|:-----:|
| Citrate | 16% | *laxative* at high doses |
| Glycinate | 14% | ~~rarely~~ well tolerated |

- [x] Take with food
- [ ] Check with a pharmacist

```python
dose_mg = 200
```

See https://example.org/magnesium for more, or <abbr title="milligram">mg</abbr>.

![A bottle of capsules](/media/capsules.png "Capsules")

[^1]: A footnote with a citation [@nielsen2010].
"""


@pytest.fixture
def pages(seed_article, make_article, make_supplement, approve, make_image):
    """Each page readers can get, with everything it can show: a reviewed article with
    references, footnotes, tables and update notes, home with a second page, a shared
    preview link, and the 404 and 500 pages."""
    Reference.objects.create(
        key="nielsen2010",
        authors="Nielsen FH, Johnson LK, Zeng H",
        title="Magnesium supplementation improves indicators of low magnesium status",
        publisher="Magnesium Research",
        year=2010,
        doi="10.1684/mrh.2010.0220",
        pmid="21199787",
    )
    Reference.objects.create(
        key="abbasi2012", authors="Abbasi B", title="Magnesium and insomnia", year=2012
    )
    supplement = seed_article.supplements.get()
    # Library images: a lead image, a figure with caption and credit, one inside a sentence.
    lead = make_image(size=(1600, 900), alt_text="Capsules & <tablets>", caption="Lead")
    figure = make_image(size=(900, 600), caption="Citrate", credit="Photo: A", licence="CC0")
    inline = make_image(size=(64, 64), fmt="PNG", alt_text="", decorative=True)
    rich = make_article(
        "Magnesium citrate & sleep",
        subtitle="Forms <compared>",
        lead_image=lead,
        intro=f"{RICH_INTRO}\n![]({figure.reference})\n\nA dot ![]({inline.reference}) inline.\n",
        conclusion="Ask a pharmacist [@abbasi2012].",
        key_takeaways="Two forms <compared>.\nAsk a pharmacist & a doctor.",
        sections=3,
        published=False,
    )
    rich.supplements.add(supplement, make_supplement("Magnesium citrate"))
    rich.related.add(seed_article)
    rich.authors.add(
        Person.objects.create(
            name="Jane Smith",
            slug="jane-smith",
            credentials="RD",
            bio="Writes.\n\nAbout <minerals> & more.",
            links="https://orcid.org/0000-0002-1825-0097",
            photo=make_image(size=(400, 500), alt_text="Jane Smith"),
        )
    )
    ArticleUpdate.objects.create(article=rich, date=date(2026, 1, 5), note="Added a table.")
    reviewer = approve(rich, "Dr Ada Lovelace", "MD").reviewer
    publishing.publish(rich)
    for _ in range(10):  # more than a page of articles on home
        make_article()
    draft = make_article("Unreleased melatonin piece", published=False, sections=2)
    return {
        "home": "/",
        "home-page-2": "/?page=2",
        "article": seed_article.get_absolute_url(),
        "article-rich": rich.get_absolute_url(),
        "supplements": "/supplements/",
        "supplement": supplement.get_absolute_url(),
        "search": "/search/?q=magnesium",
        "search-nothing": "/search/?q=zzzz",
        "preview-link": f"/preview/{previews.make_token(draft)}/",
        "person": "/people/jane-smith/",
        "reviewer": reviewer.get_absolute_url(),
        "about": "/about/",
        "editorial-policy": "/editorial-policy/",
        "404": "/articles/no-such-article/",
        "500": "/boom/",
    }


@pytest.fixture
def checker():
    """The command that runs the checker, or a skip that says what is missing. First among
    the test's fixtures, so a skip costs no database set-up."""
    if connection.vendor != "sqlite":
        pytest.skip("HTML checker: runs once, on SQLite (the pages do not depend on the database)")
    java = shutil.which("java")
    if java is None:
        pytest.skip("HTML checker: no java (apt-get install -y default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.skip(f"HTML checker: no {VNU_JAR} (`make vnu` installs it; or set VNU_JAR)")
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


@pytest.mark.urls("tests.urls_error")  # the site's URLs and /boom/, which fails
def test_public_pages_have_no_html_errors(checker, pages, tmp_path):
    client = Client(raise_request_exception=False)
    files = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == {"404": 404, "500": 500}.get(name, 200), path
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    # One run for every page: the JVM takes seconds to start.
    result = subprocess.run(
        [*checker, *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        f" [{' '.join(m.get('extract', '').split())}]"
        for m in messages
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stdout + result.stderr
