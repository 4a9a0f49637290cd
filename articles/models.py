"""The editorial domain: supplements, the articles about them, their sections and sources.

An article's rows (Article, its Sections, update notes, relations) are its *draft*: what
editors change in the admin. Its Markdown is rendered as one document (`Article.rerender`,
through articles.rendering) into the `*_html` fields beside it; articles.signals calls it
once per change. Readers never see the draft: publishing freezes it into a `LiveVersion`
(articles.publishing), and every public page reads live versions only
(`LiveVersion.objects.visible()`). Views and templates only print stored HTML. Nothing here
touches a cache: that is the signals' job.
"""

import functools
import math
import operator
import re
import secrets
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from . import page_content, rendering, renditions


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


_WEB_ADDRESS = re.compile(r"https?://\S+\Z")

MAX_TAKEAWAYS = 6
MAX_TAKEAWAY_CHARS = 200


# A list marker an editor types out of habit ("- ", "* ", "• ", "1. "): the box has its own.
_LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")


def takeaway_lines(text):
    """The key takeaways in `text`: one a line, blank lines and typed list markers dropped."""
    lines = (_LIST_MARKER.sub("", line.strip()).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def validate_takeaways(text):
    """A short list readers take in at a glance: MAX_TAKEAWAYS lines at most, each short."""
    lines = takeaway_lines(text)
    if len(lines) > MAX_TAKEAWAYS:
        raise ValidationError(
            f"{len(lines)} takeaways: keep to {MAX_TAKEAWAYS} at most, the points a reader "
            "should remember. Nothing has been saved yet; your text is still here.",
            code="too_many",
        )
    long = [n for n, line in enumerate(lines, start=1) if len(line) > MAX_TAKEAWAY_CHARS]
    if long:
        raise ValidationError(
            f"Takeaway {', '.join(map(str, long))} is longer than {MAX_TAKEAWAY_CHARS} "
            "characters: keep each to a sentence. Nothing has been saved yet.",
            code="too_long",
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
        """Articles a visitor can read now: those with a visible live version."""
        return self.filter(pk__in=LiveVersion.objects.visible().values("article"))


class PersonQuerySet(models.QuerySet):
    def public(self):
        """People a visitor may see: those named on a visible live version, as one of its
        authors or as the medical reviewer whose approval it carries. Drafts name nobody
        publicly, however many of them a person is on."""
        visible = LiveVersion.objects.visible()
        return self.filter(
            Q(pk__in=visible.values("author_people"))
            | Q(pk__in=visible.filter(approval__isnull=False).values("approval__reviewer"))
        )


class Person(models.Model):
    """Someone behind the content, as readers see them: an author or a medical reviewer.

    Bylines and review lines print these names, never user names. A person may be tied to
    an account: a medical reviewer's approvals carry their person's name and credentials.
    Their public page (/people/<slug>/) exists while a visible article names them.
    """

    name = models.CharField(max_length=200, help_text="As readers see it: e.g. Dr Jane Smith")
    slug = models.SlugField(max_length=200, unique=True, help_text="e.g. jane-smith")
    credentials = models.CharField(
        max_length=200, blank=True, help_text="e.g. MD, board-certified in sleep medicine"
    )
    bio = models.TextField(blank=True, help_text="Two or three plain sentences for readers.")
    links = models.TextField(
        blank=True, help_text="One address a line: a professional profile, ORCID, a clinic page."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="Their account, if they work in the admin (medical reviewers must have one).",
    )
    photo = models.ForeignKey(
        "Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portrait_of",
        help_text="Optional: a portrait from the image library, shown on their page.",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("articles:person", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo is not None and not self.photo.described:
            raise ValidationError(
                {
                    "photo": "Describe this image first: give it alt text in Articles › "
                    "Images (e.g. the person's name), or mark it decorative."
                }
            )

    @property
    def link_list(self):
        """The links as the page prints them: web addresses only, one a line."""
        return [
            line.strip() for line in self.links.splitlines() if _WEB_ADDRESS.match(line.strip())
        ]

    @property
    def display_name(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


IMAGE_DIR = "images"
# An upload no article uses after this long was most likely dropped from a form that was
# never saved: the library lists such images so they can be purged.
UNUSED_AFTER = timedelta(days=7)


def image_file_name(image, filename):
    """A random name: the uploader's own file name says nothing readers need (and the
    extension was already chosen from the detected format, articles.uploads)."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"{IMAGE_DIR}/{uuid.uuid4().hex}.{extension}"


class ImageQuerySet(models.QuerySet):
    def unused(self):
        """Images no draft, live version, lead image or person's portrait refers to."""
        return self.filter(
            article_uses__isnull=True,
            live_uses__isnull=True,
            lead_of__isnull=True,
            portrait_of__isnull=True,
        ).distinct()

    def figures(self, ids):
        """{id: Image.figure()} for the images among `ids` that exist (one query)."""
        if not ids:
            return {}
        return {image.pk: image.figure() for image in self.filter(pk__in=ids)}

    def stale(self, now=None):
        """Unused images uploaded more than UNUSED_AFTER ago: safe to purge."""
        return self.unused().filter(uploaded_at__lt=(now or timezone.now()) - UNUSED_AFTER)


def _fraction(name):
    return models.FloatField(
        name,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Optional: 0 is the left (top) edge, 1 the right (bottom). Crops keep it.",
    )


class Image(models.Model):
    """A picture in the library: its file (re-encoded on upload, articles.uploads), what it
    shows in words, and its renditions. Markdown refers to it as `![...](image:ID)`.

    Its alt text is required unless it is marked decorative; an upload dropped onto the
    editor has neither until someone describes it, and an article cannot be saved using it
    until then (articles.forms)."""

    file = models.ImageField(
        upload_to=image_file_name, width_field="width", height_field="height", max_length=200
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it: e.g. “White capsules "
        "spilling from a brown glass bottle”. Required unless the image is decorative.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Adds nothing the text does not say: screen readers skip it (empty alt).",
    )
    caption = models.CharField(max_length=500, blank=True, help_text="Shown under the image.")
    credit = models.CharField(max_length=200, blank=True, help_text="e.g. Photo: Jane Doe")
    licence = models.CharField(max_length=200, blank=True, help_text="e.g. CC BY 4.0")
    focal_x = _fraction("focal point, across")
    focal_y = _fraction("focal point, down")
    # articles.renditions.make: URLs and widths, made once when the file is stored.
    renditions = models.JSONField(default=dict, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.alt_text or self.caption or ("Decorative image" if self.decorative else "Image")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_name = self.file.name if self.file else ""
        self._stored_focal = self.focal_point

    def save(self, *args, **kwargs):
        self.alt_text = self.alt_text.strip()
        super().save(*args, **kwargs)
        changed = (self.file.name, self.focal_point) != (self._stored_name, self._stored_focal)
        if changed or not self.renditions:
            self.renditions = renditions.make(self.file, self.width, self.height, self.focal_point)
            Image.objects.filter(pk=self.pk).update(renditions=self.renditions)
            self._stored_name, self._stored_focal = self.file.name, self.focal_point

    @property
    def focal_point(self):
        """(across, down) as fractions: the middle unless an editor chose a point."""
        x, y = self.focal_x, self.focal_y
        return (0.5 if x is None else x, 0.5 if y is None else y)

    @property
    def reference(self):
        """What Markdown holds for it."""
        return f"image:{self.pk}"

    @property
    def described(self):
        return bool(self.alt_text.strip()) or self.decorative

    def clean(self):
        if not self.described:
            raise ValidationError(
                {
                    "alt_text": "Describe the image for readers who cannot see it, or mark it "
                    "decorative if it adds nothing the text does not say."
                }
            )

    def figure(self):
        """What the renderer needs to print it (plain data, frozen into live versions)."""
        return {
            "id": self.pk,
            "alt": "" if self.decorative else self.alt_text,
            "caption": self.caption,
            "credit": self.credit,
            "licence": self.licence,
            **self.renditions,
        }


def next_scheduled_change():
    return LiveVersion.objects.next_scheduled_change()


def new_preview_key():
    return secrets.token_urlsafe(16)


class Article(models.Model):
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
    key_takeaways = models.TextField(
        blank=True,
        validators=[validate_takeaways],
        help_text=f"Optional: up to {MAX_TAKEAWAYS} short points readers should remember, one a "
        "line, shown in a box under the intro. Plain text: each a short sentence.",
    )
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
    expires_at = models.DateTimeField(
        "expiry time",
        null=True,
        blank=True,
        help_text="Optional: readers stop seeing the article at this time. Takes effect when "
        "the article is next published.",
    )
    first_published_at = models.DateTimeField(
        "first published", null=True, blank=True, editable=False
    )
    # page_content.fingerprint of the draft, kept by rerender(): a live version with another
    # fingerprint means the draft has changes readers do not see yet.
    draft_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Part of every share-preview link; a new key revokes all earlier links at once.
    preview_key = models.CharField(max_length=32, default=new_preview_key, editable=False)
    authors = models.ManyToManyField(
        Person, blank=True, related_name="articles_written", help_text="The byline, in order."
    )
    lead_image = models.ForeignKey(
        "Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_of",
        help_text="Shown at the top of the article and when it is shared (og:image). "
        "Best at least 1200 pixels wide.",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, editable=False, help_text="Set by each medical approval."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Set to a year after each approval; change it if sooner."
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
        ordering = ["-first_published_at", "-created_at"]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("approve_article", "Can approve the medical review of articles"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Browsers send textarea text with CRLF line ends; store one form of each text so
        # revisions compare what changed, not how it was sent.
        self.intro = rendering.normalise(self.intro)
        self.conclusion = rendering.normalise(self.conclusion)
        self.key_takeaways = "\n".join(takeaway_lines(self.key_takeaways))
        # Search marks matches with private-use characters; typed ones must not forge marks.
        for name in ("title", "subtitle", "summary", "key_takeaways"):
            setattr(self, name, rendering.without_placeholders(getattr(self, name)))
        if not self._state.adding and not kwargs.get("force_insert") and not args:
            # Every field but the version: a stale copy of the row must not set it back.
            kwargs.setdefault("update_fields", _FIELDS_BUT_VERSION)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def publishing(self):
        """Where the article stands with readers (a `Publishing`): two queries."""
        return Publishing(
            live=LiveVersion.objects.current().filter(article=self.pk).first(),
            scheduled=LiveVersion.objects.scheduled().filter(article=self.pk).first(),
            draft_fingerprint=self.draft_fingerprint,
        )

    @property
    def state(self):
        """draft, scheduled, live, changed (live, with a draft that differs) or expired."""
        return self.publishing().state

    def render(self, sections):
        """The article's Markdown (its intro, these sections in this order, its conclusion)
        rendered as one document, written nowhere: (the Document, the cited references by
        key). rerender() stores it; the change form's live content checks only read it."""
        texts = [self.intro, *(section.body for section in sections), self.conclusion]
        keys, image_ids = rendering.references(*texts)
        known = {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}
        document = rendering.render_document(
            texts,
            known_keys=known,
            reserved_ids={section.anchor for section in sections},
            figures=Image.objects.figures(image_ids),
        )
        return document, known

    def rerender(self):
        """Render all of the article's Markdown as one document and store the result.

        Stores the HTML of the intro, conclusion and every section, the article's citations
        (numbered in order of first use) and its plain text for search. Writes with
        update(), so it sends no signals of its own. Returns True if any HTML changed.
        """
        sections = list(self.sections.all())
        document, known = self.render(sections)
        intro_html, *bodies, conclusion_html = document.html
        changed = (intro_html, conclusion_html) != (self.intro_html, self.conclusion_html)
        self.intro_html, self.conclusion_html = intro_html, conclusion_html
        for section, html in zip(sections, bodies, strict=True):
            if html != section.body_html:
                changed = True
                Section.objects.filter(pk=section.pk).update(body_html=html)
                section.body_html = html
        self.search_text = plain_text(self, sections)
        Article.objects.filter(pk=self.pk).update(
            intro_html=self.intro_html,
            conclusion_html=self.conclusion_html,
            search_text=self.search_text,
        )
        used = set(document.images) | ({self.lead_image_id} if self.lead_image_id else set())
        if used != set(self.image_uses.values_list("image", flat=True)):
            self.image_uses.all().delete()
            ImageUse.objects.bulk_create(
                ImageUse(article=self, image_id=image_id) for image_id in sorted(used)
            )
        numbers = {key: n for n, key in enumerate(document.citations, start=1)}
        existing = dict(self.citations.values_list("reference__key", "number"))
        if existing != numbers:
            self.citations.all().delete()
            Citation.objects.bulk_create(
                Citation(article=self, reference=known[key], number=number)
                for key, number in numbers.items()
            )
        fingerprint = LiveVersion.from_draft(self, sections=sections).fingerprint
        if fingerprint != self.draft_fingerprint:
            self.draft_fingerprint = fingerprint
            Article.objects.filter(pk=self.pk).update(draft_fingerprint=fingerprint)
        return changed

    @property
    def review_overdue(self):
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    def revoke_preview_links(self):
        self.preview_key = new_preview_key()
        Article.objects.filter(pk=self.pk).update(preview_key=self.preview_key)

    @property
    def byline(self):
        """The authors as readers see them: names, never user names."""
        return ", ".join(person.name for person in self.authors.all())


WORDS_PER_MINUTE = 200


def reading_minutes(title, text):
    """About how many minutes `text` (an article's plain text) takes to read, at least 1."""
    words = len(text.split()) + len(title.split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def plain_text(article, sections):
    """The rendered article as plain text, for search and word counts: intro, key
    takeaways, each section's heading and body, conclusion; one block a line, so search
    snippets keep a heading apart from the text after it."""
    plain = [rendering.to_plain_text(article.intro_html), *takeaway_lines(article.key_takeaways)]
    for section in sections:
        plain += [section.heading, rendering.to_plain_text(section.body_html)]
    plain.append(rendering.to_plain_text(article.conclusion_html))
    return "\n".join(text for text in plain if text)


# Fields the system keeps with update(), never from a form: a stale copy of the row must
# not set them back (an old version, a revoked preview key, a cleared publish date).
_SYSTEM_FIELDS = {
    "version", "preview_key", "first_published_at", "draft_fingerprint", "last_reviewed",
}  # fmt: skip
_FIELDS_BUT_VERSION = [
    field.name
    for field in Article._meta.concrete_fields
    if not field.primary_key and field.name not in _SYSTEM_FIELDS
]


class ImageUse(models.Model):
    """A draft shows a library image: kept by Article.rerender from its Markdown. An image
    in use cannot be deleted (PROTECT): the admin says where it is used instead."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="image_uses")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="article_uses")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "image"], name="unique_image_use")
        ]

    def __str__(self):
        return f"the draft of “{self.article}”"


class Publishing:
    """An article's standing with readers: its live version, a scheduled one, and whether
    the draft differs from what readers see."""

    def __init__(self, live, scheduled, draft_fingerprint):
        self.live, self.scheduled = live, scheduled
        self.draft_fingerprint = draft_fingerprint

    @property
    def shown(self):
        """The live version readers get now (None: taken down, expired or never published)."""
        return self.live if self.live is not None and self.live.is_visible else None

    @property
    def changed(self):
        """The draft differs from what readers get now (or, if they get nothing yet, from
        the version scheduled)."""
        latest = self.shown or self.scheduled
        return latest is not None and latest.fingerprint != self.draft_fingerprint

    @property
    def state(self):
        if self.shown is not None:
            return "changed" if self.changed else "live"
        if self.scheduled is not None:
            return "scheduled"
        if self.live is not None and not self.live.takedown:
            return "expired"
        return "draft"


def free_anchor(heading, taken):
    """A new section's anchor, made from its heading: a slug that no other section of the
    article (`taken`) and nothing else on the page has. "Dosage" twice: dosage, dosage-2."""
    base = slugify(heading)[:90] or "section"
    anchor, n = base, 1
    while anchor in taken or rendering.is_page_id(anchor):
        n += 1
        anchor = f"{base}-{n}"
    return anchor


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
            # Made once, then kept when the heading is reworded: links to it keep working.
            taken = Section.objects.filter(article_id=self.article_id).exclude(pk=self.pk)
            self.anchor = free_anchor(self.heading, set(taken.values_list("anchor", flat=True)))
        self.body = rendering.normalise(self.body)
        self.heading = rendering.without_placeholders(self.heading)
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


class SourceLinks:
    """The links a reference list prints for a source with `doi` and `pmid`."""

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class Reference(SourceLinks, models.Model):
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
    review_required = models.BooleanField(
        "approval before publishing",
        default=True,
        help_text="Only a draft a medical reviewer approved, exactly as it is, may be "
        "published. A superuser may publish without it, giving a reason that is recorded.",
    )

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


class SitePage(models.Model):
    """A page about the site itself (About, Editorial policy, Corrections): Markdown editors
    keep in the admin, rendered on save through the same sanitising pipeline as articles.

    The pages are made by a migration and linked from every page's footer by their slugs,
    so the admin edits them but neither adds, deletes nor renames them."""

    slug = models.SlugField(max_length=100, unique=True, help_text="e.g. about")
    title = models.CharField(max_length=200, help_text="e.g. About mgsite")
    body = markdown_field(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = "site page"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = rendering.normalise(self.body)
        self.body_html = rendering.render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:page", kwargs={"slug": self.slug})


class LiveVersionQuerySet(models.QuerySet):
    def current(self, now=None):
        """Each article's newest version whose go-live time has come: what readers get,
        unless it is a takedown or has expired. The clock decides at each request, so
        scheduling needs no job.

        Read from the versions' `place` (kept by `restack`), so no row is compared with its
        article's other versions: the newest version once its time has come, and until
        then the one before it, which is marked only while a newer one is still waiting."""
        now = now or timezone.now()
        waiting = LiveVersion.objects.filter(
            article=OuterRef("article"), place=LiveVersion.NEWEST, live_from__gt=now
        )
        return self.filter(live_from__lte=now).filter(
            Q(place=LiveVersion.NEWEST) | Q(Q(place=LiveVersion.BEFORE_SCHEDULED), Exists(waiting))
        )

    def visible(self):
        """What a visitor may see. The only definition of it: views, search, feeds, sitemaps
        and related links all use it."""
        now = timezone.now()
        return (
            self.current(now)
            .filter(takedown=False)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        )

    def restack(self, article_id, now=None):
        """Mark the article's versions for `current`: its newest NEWEST; the one before it
        BEFORE_SCHEDULED while the newest is still to go live (once that time comes it is
        never shown again, whenever the next restack is); all others none. Called on every
        version saved or deleted (articles.signals); at most four queries."""
        now = now or timezone.now()
        versions = LiveVersion.objects.filter(article=article_id)
        top = list(versions.order_by("-live_from", "-pk").values_list("pk", "live_from")[:2])
        places = {}
        if top:
            places[top[0][0]] = LiveVersion.NEWEST
            if len(top) == 2 and top[0][1] > now:
                places[top[1][0]] = LiveVersion.BEFORE_SCHEDULED
        versions.exclude(pk__in=places).exclude(place=None).update(place=None)
        for pk, place in places.items():
            versions.filter(pk=pk).exclude(place=place).update(place=place)

    def scheduled(self):
        """Versions waiting for their go-live time."""
        return self.filter(live_from__gt=timezone.now()).order_by("live_from")

    def related_to(self, version, limit=6):
        """Live articles to suggest beside `version`: the editors' choices first (either
        way round), then others about the same supplements, newest first. One query.

        For each supplement only its `limit` newest visible articles are candidates, read
        from its newest-first index (`live_supplement_newest`), stopping there: the query
        costs the same whether a supplement has one article or ten thousand."""
        content = version.content
        chosen_by_others = LiveVersion.related.through.objects.filter(article=version.article_id)
        chosen = Q(article__in=content.get("related", [])) | Q(
            pk__in=chosen_by_others.values("liveversion")
        )
        others = self.visible().exclude(article=version.article_id)
        newest_about = [
            LiveSupplement.objects.filter(
                Exists(others.filter(pk=OuterRef("liveversion"))), supplement=supplement
            )
            .order_by("-first_published_at", "-liveversion")
            .values("liveversion")[:limit]
            for supplement in content.get("supplements", [])
        ]
        if connection.features.supports_slicing_ordering_in_compound:
            # PostgreSQL: one IN over a UNION, looked up by primary key; it cannot use an
            # index for an OR of IN subqueries and would read every row instead.
            candidates = LiveVersion.objects.filter(
                pk__in=others.filter(chosen).values("pk").union(*newest_about, all=True)
            )
        else:
            # SQLite takes no LIMIT inside a UNION, and looks up each IN list by itself.
            candidates = others.filter(
                functools.reduce(
                    operator.or_, [Q(pk__in=newest) for newest in newest_about], chosen
                )
            )
        return candidates.annotate(
            chosen=models.ExpressionWrapper(chosen, output_field=models.BooleanField())
        ).order_by("-chosen", "-first_published_at", "-pk")[:limit]

    def next_scheduled_change(self):
        """When a version next goes live or expires, or None: the page cache starts a new
        generation then (mgsite.page_cache)."""
        now = timezone.now()
        times = self.filter(takedown=False).aggregate(
            go_live=Min("live_from", filter=Q(live_from__gt=now)),
            expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
        )
        upcoming = [moment for moment in times.values() if moment is not None]
        return min(upcoming, default=None)


# The key in a live version's content for its lead image as cards show it.
CARD_IMAGE = "card_image"
CARD_IMAGE_KEYS = ("alt", "width", "height", "sources")


class LiveVersion(models.Model):
    """An article as readers see it: its draft, frozen when it was published.

    Every publish adds one (`live_from` now, or later: scheduled); an unpublish adds a
    takedown. Readers get each article's newest version whose time has come, so the rows
    are also the record of what readers saw, and when.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_versions")
    slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    content = models.JSONField(default=dict)  # articles.page_content.build
    fingerprint = models.CharField(max_length=64)
    supplements = models.ManyToManyField(
        Supplement, blank=True, related_name="live_versions", through="LiveSupplement"
    )
    related = models.ManyToManyField(Article, blank=True, related_name="+")
    # The people its byline names (content["authors"] as frozen), so a person's page can
    # list what readers get with their name on it without reading drafts.
    author_people = models.ManyToManyField(Person, blank=True, related_name="live_versions_written")
    search_text = models.TextField(blank=True)
    live_from = models.DateTimeField("go-live time")
    expires_at = models.DateTimeField("expiry time", null=True, blank=True)
    first_published_at = models.DateTimeField()
    takedown = models.BooleanField(default=False, help_text="An unpublish: nothing is shown.")
    # Where the version stands among its article's versions (LiveVersionQuerySet.restack):
    # what lets `current` pick each article's version without comparing it with the others.
    place = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The medical approval of exactly this text, if there was one: the page claims a review
    # only then (and JSON-LD's reviewedBy follows it).
    approval = models.ForeignKey(
        "Approval", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unreviewed_reason = models.TextField(
        blank=True, help_text="Why a superuser published it without medical approval."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    NEWEST = 0  # the article's newest version: current once its go-live time has come
    BEFORE_SCHEDULED = 1  # the one before it, while the newest was still scheduled

    objects = LiveVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-live_from", "-pk"]
        indexes = [
            models.Index(fields=["article", "live_from"]),
            models.Index(fields=["slug"]),
            # Lists and related links walk it newest first, stopping at a page's worth;
            # counts read it alone. It holds every column visible() tests, so neither
            # reads the rows themselves (large: their content and search text).
            models.Index(
                fields=[
                    *["-first_published_at", "-id", "place", "live_from", "expires_at"],
                    *["takedown", "article"],
                ],
                name="live_newest",
            ),
        ]

    def __str__(self):
        return f"{self.title} (from {self.live_from:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_draft(cls, article, sections=None, **unsaved):
        """The draft as a live version would show it, unsaved: what publishing saves and
        what a preview shows. The editor's live preview passes what its form holds instead
        of the saved rows (`sections`, and `citations`, `updates`, `supplements`,
        `related_ids`, `authors`)."""
        sections = list(article.sections.all()) if sections is None else sections
        supplements = unsaved.get("supplements")
        if supplements is None:
            supplements = list(article.supplements.all())
        content = page_content.build(
            article=article,
            sections=sections,
            citations=unsaved.get("citations", article.citations.select_related("reference")),
            updates=unsaved.get("updates", article.updates.all()),
            supplement_ids=[supplement.pk for supplement in supplements],
            related_ids=(
                unsaved["related_ids"] if "related_ids" in unsaved else _related_ids(article)
            ),
            authors=unsaved.get("authors", article.authors.all()),
        )
        lead = article.lead_image if article.lead_image_id else None
        if lead is not None:
            # Only when there is one: a key more in every article's content would change
            # every fingerprint, and with them every approval.
            url, width, height = renditions.share_image(lead.renditions)
            figure = lead.figure()
            # What a card on a list prints (articles.templatetags.cards): the same
            # renditions the lead figure names, without its caption.
            content[CARD_IMAGE] = {key: figure[key] for key in CARD_IMAGE_KEYS}
            content["lead_image"] = {
                "html": rendering.figure_html(figure),
                "share": {
                    "url": url,
                    "width": width,
                    "height": height,
                    "alt": lead.figure()["alt"],
                },
            }
        version = cls(
            article=article,
            slug=article.slug,
            title=article.title,
            subtitle=article.subtitle,
            summary=article.summary,
            content=content,
            search_text=article.search_text,
            live_from=timezone.now(),
            expires_at=article.expires_at,
            first_published_at=article.first_published_at or timezone.now(),
        )
        version.fingerprint = page_content.fingerprint(
            slug=version.slug,
            title=version.title,
            subtitle=version.subtitle,
            summary=version.summary,
            # The card image repeats what lead_image already names: leaving it out keeps
            # the fingerprints (and the approvals matched by them) it had before cards.
            content={key: value for key, value in content.items() if key != CARD_IMAGE},
        )
        version.draft_supplements = supplements
        version.approval = (
            article.approvals.filter(fingerprint=version.fingerprint)
            .select_related("reviewer")
            .first()
        )
        return version

    @property
    def is_visible(self):
        now = timezone.now()
        return (
            not self.takedown
            and self.live_from <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    # What the article template prints, the same for a live version and a draft preview.

    @property
    def published_at(self):
        return self.first_published_at

    @property
    def updated_at(self):
        return self.live_from

    @property
    def intro_html(self):
        return mark_safe(self.content.get("intro_html", ""))  # noqa: S308  (stored, sanitised)

    @property
    def conclusion_html(self):
        return mark_safe(self.content.get("conclusion_html", ""))  # noqa: S308  (as above)

    @property
    def sections(self):
        return [SimpleNamespace(**section) for section in self.content.get("sections", [])]

    @property
    def citations(self):
        return [
            SimpleNamespace(number=ref["number"], reference=_Source(ref))
            for ref in self.content.get("references", [])
        ]

    @property
    def updates(self):
        return [
            SimpleNamespace(date=date.fromisoformat(update["date"]), note=update["note"])
            for update in self.content.get("updates", [])
        ]

    @property
    def authors(self):
        return [SimpleNamespace(**person) for person in self.content.get("authors", [])]

    @property
    def takeaways(self):
        return self.content.get("takeaways", [])

    @property
    def source_count(self):
        return len(self.content.get("references", []))

    @property
    def reading_minutes(self):
        return reading_minutes(self.title, self.search_text)

    @property
    def lead_image_html(self):
        lead = self.content.get("lead_image")
        return mark_safe(lead["html"]) if lead else ""  # noqa: S308  (made by rendering)

    @property
    def card_image(self):
        """The lead image's alt text, size and renditions for a card, or None."""
        return self.content.get(CARD_IMAGE)

    @property
    def share_image(self):
        """The lead image for link previews and JSON-LD: url, width, height, alt; or None."""
        lead = self.content.get("lead_image")
        return SimpleNamespace(**lead["share"]) if lead else None

    @property
    def byline(self):
        return ", ".join(person.name for person in self.authors)

    @property
    def supplement_list(self):
        if hasattr(self, "draft_supplements"):
            return self.draft_supplements
        return self.supplements.all()


class LiveSupplement(models.Model):
    """A live version is about a supplement. Holds the version's first publication time
    too (which never changes once published), so that a supplement's newest articles are
    read from one index in order (LiveVersionQuerySet.related_to); publishing sets it."""

    liveversion = models.ForeignKey(LiveVersion, on_delete=models.CASCADE)
    supplement = models.ForeignKey(Supplement, on_delete=models.CASCADE)
    first_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "articles_liveversion_supplements"  # the table Django made for it before
        unique_together = [("liveversion", "supplement")]
        indexes = [
            models.Index(
                fields=["supplement", "-first_published_at", "-liveversion"],
                name="live_supplement_newest",
            )
        ]

    def __str__(self):
        return f"{self.liveversion} is about {self.supplement}"


class LiveImageUse(models.Model):
    """A live version shows a library image (frozen in its HTML, renditions included).
    Live versions are the record of what readers saw, so their images stay."""

    live_version = models.ForeignKey(
        LiveVersion, on_delete=models.CASCADE, related_name="image_uses"
    )
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="live_uses")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["live_version", "image"], name="unique_live_image_use")
        ]

    def __str__(self):
        version = self.live_version
        return f"“{version.title}” as published from {version.live_from:%Y-%m-%d}"


def _related_ids(article):
    """The article's related articles, read from both directions of the symmetrical
    relation: when Django's m2m_changed fires, it has written one of the two rows only."""
    rows = Article.related.through.objects.filter(
        Q(from_article=article.pk) | Q(to_article=article.pk)
    ).values_list("from_article", "to_article")
    return sorted({pk for row in rows for pk in row} - {article.pk})


class _Source(SourceLinks, SimpleNamespace):
    """A reference as a live version froze it, with the links the list prints."""

    def __init__(self, data):
        super().__init__(**data)


class ReviewSubmission(models.Model):
    """An editor asking for a medical review of the draft as it was then."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="review_submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64)  # the draft's, when submitted
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.article} submitted by {self.submitted_by} on {self.submitted_at:%Y-%m-%d}"


class Approval(models.Model):
    """A medical reviewer's approval of one exact text of an article's draft.

    It vouches for the text whose fingerprint it holds (and the revision that was), nothing
    else: a later change to the draft leaves it behind (articles.review).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="approvals")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64)
    revision = models.ForeignKey(
        "reversion.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-approved_at", "-pk"]

    def __str__(self):
        return f"{self.article} approved by {self.reviewer.name} on {self.approved_at:%Y-%m-%d}"


class ReviewComment(models.Model):
    """A reviewer's or editor's comment on a draft, on the article or one section."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_comments")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author}: {self.body[:60]}"


class Autosave(models.Model):
    """An editor's unsaved change form for one article, kept while they type
    (articles.autosave): their own, never the draft others see, never live. Writing it has
    no consequence at all: no revision, no version, no rendering, no cache change."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    # The form's fields as the browser would submit them: {name: [values]}.
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="one_autosave_per_editor")
        ]

    def __str__(self):
        return f"{self.user}'s unsaved “{self.article}”"


class EditingSession(models.Model):
    """An editor with an article's change form open, as their last heartbeat reported it
    (articles.presence): "NAME is also editing this article (since 10:42)".

    Not content: it is outside the draft, its fingerprint, version and revisions, and no
    signal listens to it, so a heartbeat renders, revises and invalidates nothing. It also
    carries the one-off notice that the editor's lock was broken, until they have seen it.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    lock_broken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lock_broken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="one_editing_session_per_user_and_article"
            )
        ]
        default_permissions = ()  # not edited by anyone: the heartbeat keeps it

    def __str__(self):
        return f"{self.user} editing {self.article} since {self.started_at:%Y-%m-%d %H:%M}"


class ArticleLock(models.Model):
    """One editor's lock on an article: nobody else may save or publish its draft in the
    admin until they unlock it or someone allowed to breaks it (articles.presence).

    A row of its own, not fields on Article, so taking or breaking a lock is no change to the
    draft: no revision, no new version, no edit conflict, no rendering, no cache renewed.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()  # taken and released on the change form, never edited
        # Superusers have it anyway; grant it to a user or group in the admin for others.
        permissions = [("break_lock", "Can break another editor's lock on an article")]

    def __str__(self):
        return f"{self.article} locked by {self.locked_by}"
