"""The client's article is carried word for word and shown in order."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "magnesium-glycinate-for-sleep.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "seed" / DATA.name


def paragraphs(text):
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


class TextBlocks(HTMLParser):
    """The page's text, block by block, and the text of each h2."""

    BLOCKS = {"h1", "h2", "h3", "p", "li"}

    def __init__(self):
        super().__init__()
        self.blocks, self.h2s, self._open = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._open.append([tag, ""])

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            tag, text = self._open.pop()
            text = " ".join(text.split())
            self.blocks.append(text)
            if tag == "h2":
                self.h2s.append(text)

    def handle_data(self, data):
        if self._open:
            self._open[-1][1] += data


def page_blocks(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = TextBlocks()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.skipif(not SHARED.exists(), reason="shared/seed is not beside this checkout")
def test_project_copy_matches_the_clients_file():
    assert DATA.read_text() == SHARED.read_text()


def test_every_paragraph_is_on_the_page_in_order(client, seed_article):
    blocks = page_blocks(client, seed_article.get_absolute_url()).blocks
    position = 0
    for paragraph in paragraphs(DATA.read_text()):
        assert paragraph in blocks[position:], f"missing or out of order: {paragraph[:60]}"
        position = blocks.index(paragraph, position) + 1


def test_title_subtitle_and_six_section_headings(client, seed_article):
    page = page_blocks(client, seed_article.get_absolute_url())
    assert page.blocks[page.blocks.index("Magnesium Glycinate for Sleep") + 1] == (
        "Enhancing Sleep Quality"
    )
    headings = [
        "Relaxation and Stress Reduction:",
        "Regulation of GABA Receptors:",
        "Muscle Relaxation:",
        "Regulation of Circadian Rhythms:",
        "Improvement of Sleep Architecture:",
        "Reduction of Insomnia Symptoms:",
    ]
    assert [h for h in page.h2s if h in headings] == headings
    assert "Magnesium Glycinate Capsules" in page.h2s


def test_seed_article_is_published_about_magnesium_glycinate(seed_article):
    standing = seed_article.publishing()
    assert standing.state == "live"  # live, and its draft is what readers get
    assert seed_article.first_published_at is not None
    assert [s.name for s in seed_article.supplements.all()] == ["Magnesium glycinate"]
    assert [s.name for s in standing.shown.supplements.all()] == ["Magnesium glycinate"]
    assert seed_article.sections.count() == 6
