"""The editorial domain: supplements, the articles about them, their sections and sources.

An article's Markdown is rendered as one document (`Article.rerender`, through
articles.rendering) into the `*_html` fields beside it, with citations numbered across the
whole article; articles.signals calls it once per change. Views and templates only print
the stored HTML. Nothing here touches a cache: that is the signals' job.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from . import rendering


def validate_markdown(text):
    """One Markdown field may hold MAX_FIELD_CHARS characters (far more than any section
    needs, and few enough that every input renders in well under a second), nested no
    deeper than the renderer reads (deeper, the rest of the text would vanish)."""
    limit = rendering.MAX_FIELD_CHARS
    if len(text) > limit:
        raise ValidationError(
            f"This text has {len(text):,} characters; one field may hold {limit:,}. "
            "Split it into more sections. Nothing has been saved yet; your text is still here.",
            code="too_long",
        )
    if rendering.too_deeply_nested(text):
        raise ValidationError(
            "This text nests lists or quotes too deeply to be shown: readers would not see "
            "what follows the deepest part. Flatten it. Nothing has been saved yet.",
            code="too_deep",
        )


def markdown_field(**kwargs):
    return MarkdownxField(validators=[validate_markdown], **kwargs)


class Supplement(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Magnesium glycinate")
    slug = models.SlugField(max_length=100, unique=True, help_text="e.g. magnesium-glycinate")
    description = models.TextField(
        blank=True, help_text="One or two plain sentences shown on the supplement's page."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:supplement", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What a visitor may see. The only definition of it: views and links all use it.

        Published, past its go-live time and not past its expiry: scheduling needs no job,
        the clock decides at each request.
        """
        now = timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def related_to(self, article, limit=6):
        """Articles to suggest beside `article`: the editors' choices first, then others about
        the same supplements, newest first; visible ones only, each once. One query."""
        chosen = Article.related.through.objects.filter(from_article=article.pk)
        same_supplements = Article.supplements.through.objects.filter(
            supplement__in=Article.supplements.through.objects.filter(article=article.pk).values(
                "supplement"
            )
        )
        return (
            self.published()
            .exclude(pk=article.pk)
            .filter(
                models.Q(pk__in=chosen.values("to_article"))
                | models.Q(pk__in=same_supplements.values("article"))
            )
            .annotate(chosen=models.Exists(chosen.filter(to_article=models.OuterRef("pk"))))
            .order_by("-chosen", "-published_at", "-pk")[:limit]
        )

    def next_scheduled_change(self):
        """When the next published article goes live or expires (a timestamp), or None:
        the page cache starts a new generation then (mgsite.page_cache)."""
        now = timezone.now()
        published = Q(status=Article.Status.PUBLISHED)
        times = self.aggregate(
            go_live=Min("published_at", filter=published & Q(published_at__gt=now)),
            expiry=Min("expires_at", filter=published & Q(expires_at__gt=now)),
        )
        upcoming = [moment.timestamp() for moment in times.values() if moment is not None]
        return min(upcoming, default=None)


def next_scheduled_change():
    return Article.objects.next_scheduled_change()


def new_preview_key():
    return secrets.token_urlsafe(16)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200, help_text="e.g. Magnesium Glycinate for Sleep")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="In the URL: e.g. magnesium-glycinate-for-sleep"
    )
    subtitle = models.CharField(
        max_length=200, blank=True, help_text="e.g. Enhancing Sleep Quality"
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences for lists and search engines (the meta description).",
    )
    intro = markdown_field(blank=True, help_text="Shown before the table of contents. Markdown.")
    intro_html = models.TextField(blank=True, editable=False)
    conclusion = markdown_field(blank=True, help_text="Shown after the last section. Markdown.")
    conclusion_html = models.TextField(blank=True, editable=False)
    supplements = models.ManyToManyField(
        Supplement, blank=True, related_name="articles", help_text="What the article is about."
    )
    related = models.ManyToManyField(
        "self",
        blank=True,
        help_text="Articles to suggest to readers of this one; the link shows on both.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "go-live time",
        null=True,
        blank=True,
        help_text="When a published article becomes visible. A future time schedules it; "
        "left empty, it is set when the article is first published.",
    )
    expires_at = models.DateTimeField(
        "expiry time",
        null=True,
        blank=True,
        help_text="Optional: the article is hidden from visitors from this time on.",
    )
    # Part of every share-preview link; a new key revokes all earlier links at once.
    preview_key = models.CharField(max_length=32, default=new_preview_key, editable=False)
    reviewer_name = models.CharField(
        "medical reviewer", max_length=200, blank=True, help_text="e.g. Dr Jane Smith"
    )
    reviewer_credentials = models.CharField(
        max_length=200, blank=True, help_text="e.g. MD, board-certified in sleep medicine"
    )
    last_reviewed = models.DateField(null=True, blank=True, help_text="When it was last reviewed.")
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Left empty: 12 months after the last review."
    )
    # Moved forward by the database on every change to the article or its sections, from the
    # admin or from a script (articles.signals); never written by save(). An edit form carries
    # the version it was opened on, so a save over a newer one is refused (articles.forms).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Plain text of the whole article, kept for search (SQLite FTS5, PostgreSQL tsvector).
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Browsers send textarea text with CRLF line ends; store one form of each text so
        # revisions compare what changed, not how it was sent.
        self.intro = rendering.normalise(self.intro)
        self.conclusion = rendering.normalise(self.conclusion)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = self.last_reviewed + timedelta(days=365)
        if not self._state.adding and not kwargs.get("force_insert") and not args:
            # Every field but the version: a stale copy of the row must not set it back.
            kwargs.setdefault("update_fields", _FIELDS_BUT_VERSION)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.expires_at and self.published_at and self.expires_at <= self.published_at:
            raise ValidationError({"expires_at": "The expiry time must be after the go-live time."})

    @property
    def state(self):
        """draft, scheduled, live or expired: what a visitor sees depends on it."""
        now = timezone.now()
        if self.status != self.Status.PUBLISHED:
            return "draft"
        if self.published_at and self.published_at > now:
            return "scheduled"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        return "live"

    def rerender(self):
        """Render all of the article's Markdown as one document and store the result.

        Stores the HTML of the intro, conclusion and every section, the article's citations
        (numbered in order of first use) and its plain text for search. Writes with
        update(), so it sends no signals of its own. Returns True if any HTML changed.
        """
        sections = list(self.sections.all())
        texts = [self.intro, *(section.body for section in sections), self.conclusion]
        keys = rendering.cited_keys(*texts)
        known = {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}
        document = rendering.render_document(
            texts, known_keys=known, reserved_ids={section.anchor for section in sections}
        )
        intro_html, *bodies, conclusion_html = document.html
        changed = (intro_html, conclusion_html) != (self.intro_html, self.conclusion_html)
        self.intro_html, self.conclusion_html = intro_html, conclusion_html
        plain = [rendering.to_plain_text(intro_html)]
        for section, html in zip(sections, bodies, strict=True):
            if html != section.body_html:
                changed = True
                Section.objects.filter(pk=section.pk).update(body_html=html)
                section.body_html = html
            plain += [section.heading, rendering.to_plain_text(html)]
        plain.append(rendering.to_plain_text(conclusion_html))
        self.search_text = "\n".join(text for text in plain if text)
        Article.objects.filter(pk=self.pk).update(
            intro_html=self.intro_html,
            conclusion_html=self.conclusion_html,
            search_text=self.search_text,
        )
        numbers = {key: n for n, key in enumerate(document.citations, start=1)}
        existing = dict(self.citations.values_list("reference__key", "number"))
        if existing != numbers:
            self.citations.all().delete()
            Citation.objects.bulk_create(
                Citation(article=self, reference=known[key], number=number)
                for key, number in numbers.items()
            )
        return changed

    @property
    def review_overdue(self):
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def revoke_preview_links(self):
        self.preview_key = new_preview_key()
        Article.objects.filter(pk=self.pk).update(preview_key=self.preview_key)

    @property
    def author_name(self):
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.get_username()


_FIELDS_BUT_VERSION = [
    field.name
    for field in Article._meta.concrete_fields
    if not field.primary_key and field.name != "version"
]


class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(
        default=0, help_text="Sections show in this order, lowest first."
    )
    heading = models.CharField(max_length=200, help_text="e.g. Muscle Relaxation")
    anchor = models.SlugField(
        max_length=100,
        help_text="Its link within the page, unique in the article: e.g. muscle-relaxation",
    )
    body = markdown_field(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "anchor"], name="unique_section_anchor"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = slugify(self.heading)[:100]
        self.body = rendering.normalise(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class SlugRedirect(models.Model):
    """An address an article had before its slug changed; answered with a 301.

    It points at the article, not at the next slug, so any number of renames is one hop
    and no loop can form. Recorded by articles.signals on every slug change.
    """

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class Reference(models.Model):
    """A source an article cites: editors write [@key] in any Markdown field."""

    key = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Cite it in Markdown as [@key]: e.g. abbasi2012 is cited as [@abbasi2012].",
    )
    authors = models.CharField(max_length=500, help_text="e.g. Abbasi B, Kimiagar M, Sadeghniiat K")
    title = models.CharField(max_length=500)
    publisher = models.CharField(
        "journal or publisher", max_length=300, blank=True, help_text="e.g. J Res Med Sci"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1234/abc.")],
        help_text="e.g. 10.1000/xyz123",
    )
    pmid = models.CharField(
        "PubMed ID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{1,10}$", "A PubMed ID is a number.")],
    )
    url = models.URLField("URL", blank=True, max_length=500)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        year = f" ({self.year})" if self.year else ""
        return f"{self.authors}{year}. {self.title}"

    def save(self, *args, **kwargs):
        self.key = self.key.lower()
        super().save(*args, **kwargs)

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class Citation(models.Model):
    """A reference as an article cites it, numbered in order of first citation."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    # PROTECT: a reference still cited cannot be deleted out from under an article.
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_citation_number"),
            models.UniqueConstraint(fields=["article", "reference"], name="unique_citation"),
        ]

    def __str__(self):
        return f"[{self.number}] {self.reference.key}"


class ArticleUpdate(models.Model):
    """A public note, with its date, when an article changes in substance."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=timezone.localdate)
    note = models.CharField(
        max_length=300, help_text="e.g. Added the 2024 trial on sleep onset; updated the dose."
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "update note"

    def __str__(self):
        return f"{self.date}: {self.note}"


class SiteSettings(models.Model):
    """Site-wide text editors keep: one row, edited in the admin."""

    disclaimer = markdown_field(
        help_text="Shown on every article: the site's 'not medical advice' notice. Markdown."
    )
    disclaimer_html = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        self.disclaimer = rendering.normalise(self.disclaimer)
        self.disclaimer_html = rendering.render_markdown(self.disclaimer)
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The one row (made by a migration; unsaved defaults if it was ever deleted)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
