"""People pages (a portrait from the image library; the people a live byline names), key
takeaways, the About / Editorial policy / Corrections pages, and search text that keeps
each block (a heading, a paragraph) on a line of its own.

A small model rather than django.contrib.flatpages: flatpages stores raw HTML that would be
printed unsanitised, and needs the sites framework; these pages go through the same
Markdown-and-nh3 pipeline as articles and the disclaimer."""

import django.db.models.deletion
import markdownx.models
from django.db import migrations, models

import articles.models
from articles.migrations import _permissions
from articles.rendering import render_markdown, to_plain_text

# Placeholders, honest about what they are: the editors write the real pages. They describe
# only what the CMS itself enforces (articles.review, articles.publishing) and claim nothing
# about health.
PAGES = [
    (
        "about",
        "About mgsite",
        "mgsite publishes articles about dietary supplements.\n\n"
        "Each article names who wrote it, the medical reviewer who checked it if one did, "
        "when it was last updated and how many sources it cites. The articles are general "
        "information, not medical advice: ask a doctor or pharmacist about your own health.\n\n"
        "*Placeholder: the editors should replace this text with the site's own description "
        "(who runs mgsite, how it is funded, how to reach the editors).*",
    ),
    (
        "editorial-policy",
        "Editorial policy",
        "## How articles are written\n\n"
        "Editors write and edit each article in the site's editing system. Readers only ever "
        "see a published version: changes to a draft reach the site when the article is "
        "published again.\n\n"
        "## Sources\n\n"
        "Editors cite sources in the text. Each cited source is numbered in order of first "
        "citation and listed under “References”, with a DOI or PubMed link where one is "
        "known. The top of every article says how many sources it cites; an article may "
        "cite none.\n\n"
        "## Medical review\n\n"
        "A medical reviewer is a named person, shown with their credentials on a page of "
        "their own. A reviewer approves one exact text of an article: any later change to "
        "it voids the approval. Nobody may approve a draft they changed since its last "
        "approval, or submitted for review themselves, and every open review comment must "
        "be resolved first.\n\n"
        "By default, only a draft approved exactly as it is may be published. A site "
        "administrator may publish without approval, giving a reason that is recorded; such "
        "an article claims no review. An article says “Medically reviewed by” only when the "
        "version readers see is the text that was approved. Each approval sets the next "
        "review for twelve months later, or sooner if the editors choose.\n\n"
        "## Updates\n\n"
        "Every article shows when it was last updated. Editors can add a dated note when an "
        "article changes in substance; the notes are listed under “Update history”.\n\n"
        "*Placeholder: the editors should review this text and add the site's own standards "
        "(who writes, conflicts of interest, how evidence is weighed).*",
    ),
    (
        "corrections",
        "Corrections",
        "If you find an error in an article, please tell the editors: which article, what "
        "is wrong and, if you can, a source that shows it.\n\n"
        "A correction reaches readers when the corrected article is published again, and "
        "its “Last updated” date changes. Editors can note a correction of substance, with "
        "its date, under the article's “Update history”.\n\n"
        "*Placeholder: the editors should add here how readers can reach them.*",
    ),
]


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("articles", "SitePage")
    for slug, title, body in PAGES:
        SitePage.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "body_html": render_markdown(body)}
        )


def remove_pages(apps, schema_editor):
    SitePage = apps.get_model("articles", "SitePage")
    SitePage.objects.filter(slug__in=[slug for slug, _, _ in PAGES]).delete()


def let_editors_edit_pages(apps, schema_editor):
    """Editors keep the site pages' text, as they keep the articles' (nobody adds or
    deletes them: the admin offers neither)."""
    _permissions.grant(apps, "Editors", {"articles": {"sitepage": ["change", "view"]}})


def link_live_bylines(apps, schema_editor):
    """Existing live versions: the people their frozen bylines name."""
    LiveVersion = apps.get_model("articles", "LiveVersion")
    Person = apps.get_model("articles", "Person")
    for version in LiveVersion.objects.filter(takedown=False):
        slugs = [person.get("slug") for person in version.content.get("authors", [])]
        version.author_people.set(Person.objects.filter(slug__in=[s for s in slugs if s]))


def _plain_text(intro_html, sections, conclusion_html):
    parts = [to_plain_text(intro_html)]
    for heading, body_html in sections:
        parts += [heading, to_plain_text(body_html)]
    parts.append(to_plain_text(conclusion_html))
    return "\n".join(part for part in parts if part)


def rebuild_search_text(apps, schema_editor):
    """Search text with a line per block (rendering.to_plain_text now keeps a heading apart
    from the paragraph after it), for drafts and live versions, and SQLite's index of it.
    PostgreSQL's tsvector column is generated: the database follows by itself."""
    Article = apps.get_model("articles", "Article")
    LiveVersion = apps.get_model("articles", "LiveVersion")
    sqlite = schema_editor.connection.vendor == "sqlite"
    for article in Article.objects.prefetch_related("sections"):
        sections = [(s.heading, s.body_html) for s in article.sections.all()]
        text = _plain_text(article.intro_html, sections, article.conclusion_html)
        Article.objects.filter(pk=article.pk).update(search_text=text)
    for version in LiveVersion.objects.filter(takedown=False):
        content = version.content
        sections = [(s["heading"], s["body_html"]) for s in content.get("sections", [])]
        text = _plain_text(
            content.get("intro_html", ""), sections, content.get("conclusion_html", "")
        )
        LiveVersion.objects.filter(pk=version.pk).update(search_text=text)
        if sqlite:
            schema_editor.execute("DELETE FROM articles_search WHERE rowid = %s", [version.pk])
            schema_editor.execute(
                "INSERT INTO articles_search (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [version.pk, version.title, f"{version.subtitle} {version.summary}", text],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_card_images"),
    ]

    operations = [
        migrations.CreateModel(
            name="SitePage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(help_text="e.g. about", max_length=100, unique=True)),
                ("title", models.CharField(help_text="e.g. About mgsite", max_length=200)),
                (
                    "body",
                    markdownx.models.MarkdownxField(
                        help_text="Markdown.", validators=[articles.models.validate_markdown]
                    ),
                ),
                ("body_html", models.TextField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "site page",
                "ordering": ["title"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="key_takeaways",
            field=models.TextField(
                blank=True,
                help_text="Optional: up to 6 short points readers should remember, one a line, shown in a box under the intro. Plain text: each a short sentence.",
                validators=[articles.models.validate_takeaways],
            ),
        ),
        migrations.AddField(
            model_name="liveversion",
            name="author_people",
            field=models.ManyToManyField(
                blank=True, related_name="live_versions_written", to="articles.person"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                help_text="Optional: a portrait from the image library, shown on their page.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="portrait_of",
                to="articles.image",
            ),
        ),
        migrations.RunPython(create_pages, remove_pages),
        migrations.RunPython(let_editors_edit_pages, migrations.RunPython.noop),
        migrations.RunPython(link_live_bylines, migrations.RunPython.noop),
        migrations.RunPython(rebuild_search_text, migrations.RunPython.noop),
    ]
