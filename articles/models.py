"""The editorial domain: supplements, the articles about them, and their sections.

Markdown fields are rendered once, in `save()`, into the `*_html` fields beside them;
views and templates only print the stored HTML.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import normalize_newlines, slugify
from markdownx.models import MarkdownxField

from .markdown import render_markdown


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
    intro = MarkdownxField(blank=True, help_text="Shown before the table of contents. Markdown.")
    intro_html = models.TextField(blank=True, editable=False)
    conclusion = MarkdownxField(blank=True, help_text="Shown after the last section. Markdown.")
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
        self.intro = normalize_newlines(self.intro)
        self.conclusion = normalize_newlines(self.conclusion)
        self.intro_html = render_markdown(self.intro)
        self.conclusion_html = render_markdown(self.conclusion)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
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

    def revoke_preview_links(self):
        self.preview_key = new_preview_key()
        Article.objects.filter(pk=self.pk).update(preview_key=self.preview_key)

    @property
    def author_name(self):
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.get_username()


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
    body = MarkdownxField(blank=True, help_text="Markdown.")
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
        self.body = normalize_newlines(self.body)
        self.body_html = render_markdown(self.body)
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
