"""Fill a throwaway database with N articles of 8 sections each, for `bench.benchmark`.

Bulk inserts with HTML rendered once per distinct text, so 10,000 articles take seconds.
The words vary from article to article so that search has real work to do. Also saves one
article page as a static file, for the benchmark's static-file row.

    python -m bench.benchmark_data --articles 1000    # on the database DATABASE_URL names
"""

import io
import os
import random
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgsite.settings")
django.setup()

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from PIL import Image as PILImage

from articles import page_content, publishing, search_index
from articles.models import Article, Image, LiveVersion, Section, Supplement
from articles.rendering import render_markdown, to_plain_text
from articles.signals import changes
from articles.uploads import safe_file

WORDS = [
    "magnesium",
    "glycine",
    "melatonin",
    "theanine",
    "sleep",
    "onset",
    "latency",
    "deep",
    "rem",
    "cortisol",
    "stress",
    "anxiety",
    "muscle",
    "tension",
    "circadian",
    "rhythm",
    "dose",
    "capsule",
    "powder",
    "evening",
    "trial",
    "placebo",
    "adults",
    "insomnia",
    "quality",
    "duration",
    "night",
    "restful",
    "calm",
    "relaxation",
    "nervous",
    "system",
    "gaba",
    "receptor",
    "mineral",
    "absorption",
    "bioavailable",
    "tolerance",
    "morning",
    "alertness",
    "mood",
]
SUPPLEMENTS = [
    "Magnesium glycinate", "Melatonin", "Glycine", "L-theanine", "Ashwagandha",
    "Valerian", "Chamomile", "Lavender", "Tart cherry", "5-HTP",
]  # fmt: skip
SECTIONS_PER_ARTICLE = 8
BATCH = 1000


class Command(BaseCommand):
    help = "Create N benchmark articles (8 sections each) and a static copy of one page."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10)
        parser.add_argument("--static-copy", default="bench/article.html")

    def handle(self, *args, articles, static_copy, **options):
        rng = random.Random(20261126)  # the same site every run
        with transaction.atomic():
            supplements = [
                Supplement.objects.get_or_create(
                    slug=f"bench-{n}", defaults={"name": f"{name} (benchmark)"}
                )[0]
                for n, name in enumerate(SUPPLEMENTS)
            ]
            self._create(articles, supplements, rng)
        self._article_with_images()
        self._save_static_copy(static_copy)
        self.stdout.write(f"{Article.objects.count()} articles, {Section.objects.count()} sections")

    def _paragraph(self, rng, words=60):
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    def _create(self, count, supplements, rng):
        now = timezone.now()
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, count)):
                # One rare word per article (a thousand of them): a selective search matches
                # at most count / 1000 articles, a common-word search nearly all of them.
                intro = f"{self._paragraph(rng)} Compound{n % 1000}."
                batch.append(
                    Article(
                        title=f"Benchmark article {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                        slug=f"bench-{n}",
                        subtitle="A generated article",
                        summary=self._paragraph(rng, 20),
                        intro=intro,
                        intro_html=render_markdown(intro),
                        first_published_at=now - timezone.timedelta(minutes=n),
                    )
                )
            created = Article.objects.bulk_create(batch)
            sections = []
            for article in created:
                for position in range(1, SECTIONS_PER_ARTICLE + 1):
                    body = "\n\n".join(self._paragraph(rng) for _ in range(2))
                    sections.append(
                        Section(
                            article=article,
                            position=position,
                            heading=f"Section {position}: {rng.choice(WORDS)}",
                            anchor=f"section-{position}",
                            body=body,
                            body_html=render_markdown(body),
                        )
                    )
            Section.objects.bulk_create(sections)
            by_article = {}
            for section in sections:
                by_article.setdefault(section.article_id, []).append(section)
            for article in created:
                parts = [to_plain_text(article.intro_html)]
                for section in by_article[article.pk]:
                    parts += [section.heading, to_plain_text(section.body_html)]
                article.search_text = "\n".join(parts)
            about = {article.pk: rng.choice(supplements) for article in created}
            Article.supplements.through.objects.bulk_create(
                Article.supplements.through(article=article, supplement=about[article.pk])
                for article in created
            )
            # Each published: a live version of its draft, as articles.publishing makes one.
            versions = []
            for article in created:
                content = page_content.build(
                    article=article,
                    sections=by_article[article.pk],
                    citations=[],
                    updates=[],
                    supplement_ids=[about[article.pk].pk],
                    related_ids=[],
                    authors=[],
                )
                fields = dict(
                    slug=article.slug,
                    title=article.title,
                    subtitle=article.subtitle,
                    summary=article.summary,
                    content=content,
                )
                article.draft_fingerprint = page_content.fingerprint(**fields)
                versions.append(
                    LiveVersion(
                        article=article,
                        **fields,
                        fingerprint=article.draft_fingerprint,
                        search_text=article.search_text,
                        live_from=article.first_published_at,
                        first_published_at=article.first_published_at,
                        place=LiveVersion.NEWEST,  # bulk_create sends no signals to restack
                    )
                )
            Article.objects.bulk_update(created, ["search_text", "draft_fingerprint"])
            versions = LiveVersion.objects.bulk_create(versions)
            LiveVersion.supplements.through.objects.bulk_create(
                LiveVersion.supplements.through(
                    liveversion=version,
                    supplement=about[version.article_id],
                    first_published_at=version.first_published_at,
                )
                for version in versions
            )
            if connection.vendor == "sqlite":
                for version in versions:
                    search_index.update(version)

    def _article_with_images(self):
        """The seed article's text again, as `bench-images`, with three library images
        made as an upload would make them (2400 x 1600, renditions and all): a lead image
        and two figures. Published through articles.publishing, like an editor would."""
        seed = Article.objects.get(slug="magnesium-glycinate-for-sleep")
        images = []
        for n, colour in enumerate(["teal", "navy", "olive"]):
            # A gradient, so the JPEG has something of a photo's work in it.
            picture = PILImage.linear_gradient("L").resize((2400, 1600)).convert("RGB")
            picture.paste(colour, (0, 0, 800, 1600))
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=90)
            upload = SimpleUploadedFile(f"photo{n}.jpg", buffer.getvalue())
            images.append(
                Image.objects.create(
                    file=safe_file(upload),
                    alt_text=f"Benchmark photo {n}",
                    caption=f"Caption {n}",
                    credit="Photo: benchmark",
                )
            )
        sections = list(seed.sections.all())
        with changes():
            article = Article.objects.create(
                title=f"{seed.title} (with images)",
                slug="bench-images",
                summary=seed.summary,
                lead_image=images[0],
                intro=f"{seed.intro}\n\n![]({images[1].reference})",
                conclusion=f"![]({images[2].reference})\n\n{seed.conclusion}",
            )
            for section in sections:
                Section.objects.create(
                    article=article,
                    position=section.position,
                    heading=section.heading,
                    anchor=section.anchor,
                    body=section.body,
                )
        publishing.publish(article, unreviewed_reason="A benchmark page.")

    def _save_static_copy(self, relative_path):
        article = Article.objects.get(slug="magnesium-glycinate-for-sleep")
        response = Client().get(article.get_absolute_url())
        target = Path(settings.STATIC_ROOT) / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.content)


if __name__ == "__main__":
    Command().run_from_argv(["python", "-m bench.benchmark_data", *sys.argv[1:]])
