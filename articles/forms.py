"""The article form editors use in the admin: citations, size limits, edit conflicts and
old addresses."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.files.uploadedfile import UploadedFile
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import formats, timezone
from django.utils.functional import cached_property
from markdownx.fields import MarkdownxFormField
from reversion.models import Version

from . import presence, publishing, rendering, uploads
from .models import Article, Image, Reference, Section, SlugRedirect, free_anchor
from .revisions import compare, latest_version


def validate_images(text):
    """Every ![...](image:ID) must name a library image that has alt text or is marked
    decorative: readers who cannot see it get its description, or nothing at all."""
    ids = rendering.image_ids(text)
    images = {image.pk: image for image in Image.objects.filter(pk__in=ids)}
    unknown = [image_id for image_id in ids if image_id not in images]
    if unknown:
        names = ", ".join(f"image:{image_id}" for image_id in unknown)
        raise forms.ValidationError(
            f"No image {names} in the library: insert it again with “Insert image”, or "
            "correct the number."
        )
    undescribed = [image for image in images.values() if not image.described]
    if undescribed:
        names = ", ".join(f"image:{image.pk}" for image in undescribed)
        raise forms.ValidationError(
            f"Describe {names} first: give it alt text in Articles › Images (or mark it "
            "decorative). Nothing has been saved yet; your text is still here."
        )
    return text


def validate_citations(text):
    """Every [@key] must name a known reference: an unknown one is an error, never output.
    Every library image must exist and be described (validate_images)."""
    validate_images(text)
    keys = rendering.cited_keys(text)
    known = set(Reference.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [key for key in keys if key not in known]
    if unknown:
        markers = ", ".join(f"[@{key}]" for key in unknown)
        raise forms.ValidationError(
            f"Unknown reference {markers}: add it under Articles › References first, "
            "or correct the key."
        )
    return text


class MarkdownFormField(MarkdownxFormField):
    """Markdown as the model stores it (LF line ends): a textarea a browser sends back with
    CRLF, untouched, is then no change, and the history does not name it."""

    def to_python(self, value):
        return rendering.normalise(super().to_python(value))


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "heading", "anchor", "body"]
        field_classes = {"body": MarkdownFormField}
        help_texts = {
            "anchor": "The end of this section's link: …/#muscle-relaxation. Made from the "
            "heading when the section is first saved, and kept when the heading is reworded, "
            "so links to it keep working. Change it only if you mean to: links to the old one "
            "then stop leading here."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor"].required = False  # a new section gets one (SectionFormSet)

    def clean_anchor(self):
        anchor = self.cleaned_data["anchor"]
        if anchor and rendering.is_page_id(anchor):
            raise forms.ValidationError(
                f"#{anchor} is a link the page itself uses: choose another anchor."
            )
        return anchor

    def clean_body(self):
        return validate_citations(self.cleaned_data["body"])


class SectionFormSet(forms.BaseInlineFormSet):
    def _kept_forms(self):
        """The forms whose sections the save keeps or adds."""
        return [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]

    def clean(self):
        """Anchors unique in the article, and the whole article (intro, sections,
        conclusion) within MAX_ARTICLE_CHARS. The article form has already put its cleaned
        intro and conclusion on the instance."""
        self._give_anchors()
        super().clean()
        article = self.instance
        bodies = [form.cleaned_data.get("body", "") for form in self._kept_forms()]
        if len(bodies) > rendering.MAX_SECTIONS:
            raise forms.ValidationError(
                f"The article has {len(bodies):,} sections; an article may hold "
                f"{rendering.MAX_SECTIONS:,}. Move part of it into an article of its own and "
                "link the two. Nothing has been saved yet; your text is still here.",
                code="too_many_sections",
            )
        total = sum(map(len, [article.intro or "", article.conclusion or "", *bodies]))
        limit = rendering.MAX_ARTICLE_CHARS
        if total > limit:
            raise forms.ValidationError(
                f"The article has {total:,} characters in all; an article may hold {limit:,}. "
                "Move part of it into an article of its own and link the two. Nothing has "
                "been saved yet; your text is still here.",
                code="article_too_long",
            )

    def _give_anchors(self):
        """A typed anchor another section has is an error; a section without one (a new
        section: editors need not see the field) gets one made from its heading, which it
        keeps whatever its heading becomes."""
        kept = self._kept_forms()
        taken = {}
        for form in kept:
            anchor = form.cleaned_data.get("anchor")
            if anchor and anchor in taken:
                form.add_error(
                    "anchor",
                    f"Another section, “{taken[anchor]}”, already has the link #{anchor}: "
                    "choose another anchor for this one.",
                )
            elif anchor:
                taken[anchor] = form.cleaned_data.get("heading", "")
        for form in kept:
            heading = form.cleaned_data.get("heading")
            if heading and not form.cleaned_data.get("anchor") and "anchor" not in form.errors:
                anchor = free_anchor(heading, taken)
                taken[anchor] = heading
                form.cleaned_data["anchor"] = form.instance.anchor = anchor

    def save_existing_objects(self, commit=True):
        # An anchor may pass from one section to another in one save (two swapped, or one
        # taken from a section deleted): first step the rows that give theirs up aside, to
        # a value no slug can have, so no two rows ever hold the same one.
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk
            and ("anchor" in form.changed_data or self._should_delete_form(form))
        ]
        if moving:
            Section.objects.filter(pk__in=moving).update(
                anchor=Concat(Value("~"), Cast("pk", CharField()))
            )
        return super().save_existing_objects(commit)


# Fields about saving, not about the article: never named in its history.
BOOKKEEPING_FIELDS = {
    "opened_revision", "opened_version", "seen_version", "replace_theirs", "revision_note",
    "take_over_address", "publish_at", "unreviewed_reason",
}  # fmt: skip


class ArticleAdminForm(forms.ModelForm):
    # The article's version when this form was opened (Article.version): if the row has a
    # newer one at save time, someone changed it in between, in the admin or in a script,
    # and this save would overwrite their work.
    opened_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # After a refusal: the version whose changes the editor was shown. "Replace their
    # changes" saves over that version only, never over a change made after it.
    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    replace_theirs = forms.BooleanField(
        required=False,
        label="Replace their changes",
        help_text="Save this form as it is now, over what they saved (shown above). Tick it "
        "only once you have merged what you want to keep of theirs.",
    )
    # The newest revision when this form was opened: what they changed is shown from it.
    opened_revision = forms.CharField(required=False, widget=forms.HiddenInput)
    revision_note = forms.CharField(
        required=False,
        max_length=200,
        label="Note for the history",
        help_text="Optional: what this save changes and why. Shown in the article's history.",
    )
    publish_at = forms.SplitDateTimeField(
        required=False,
        widget=AdminSplitDateTime,
        label="Go-live time",
        help_text="For “Save and publish”: empty publishes now; a later time schedules the "
        "draft as it is then. Readers keep the current version until that time.",
    )
    unreviewed_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Publish without medical approval, because",
        help_text="Superusers only, and only for “Save and publish” of a draft no medical "
        "reviewer approved as it is. The reason is recorded with what readers get; the page "
        "claims no review.",
    )
    take_over_address = forms.BooleanField(
        required=False,
        label="Take over this old address",
        help_text="Only if the slug is an old address of another article: that article's "
        "old link then leads here instead.",
    )

    # Who is saving (set by the admin's get_form): another editor's lock refuses the save.
    editing_user = None

    class Meta:
        model = Article
        fields = [
            "title", "subtitle", "slug", "summary", "intro", "key_takeaways", "conclusion",
            "supplements", "related", "authors", "expires_at", "next_review_due", "lead_image",
        ]  # fmt: skip
        field_classes = {"intro": MarkdownFormField, "conclusion": MarkdownFormField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's date and time boxes share one label; give each a name of its own.
        date_input, time_input = self.fields["publish_at"].widget.widgets
        date_input.attrs["aria-label"] = "Go-live time: date"
        time_input.attrs["aria-label"] = "Go-live time: time"
        self.refused = False  # an edit conflict: the template offers "Replace their changes"
        self.conflict = None  # what they changed, when a revision shows it
        if not self.is_bound and self.instance.pk is not None:
            latest = latest_version(self.instance.pk)
            self.initial["opened_revision"] = str(latest.pk) if latest else ""
            self.initial["opened_version"] = self.instance.version

    @cached_property
    def changed_data(self):
        return [name for name in super().changed_data if name not in BOOKKEEPING_FIELDS]

    def clean_lead_image(self):
        image = self.cleaned_data.get("lead_image")
        if image is not None and not image.described:
            raise forms.ValidationError(
                "Describe this image first: give it alt text in Articles › Images (or mark "
                "it decorative)."
            )
        return image

    def clean_intro(self):
        return validate_citations(self.cleaned_data["intro"])

    def clean_conclusion(self):
        return validate_citations(self.cleaned_data["conclusion"])

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if holder := publishing.slug_holder(slug, self.instance):
            raise forms.ValidationError(
                f"/articles/{slug}/ is the address of “{holder}” on the site. Choose another "
                "slug (or unpublish that article first)."
            )
        redirect = (
            SlugRedirect.objects.filter(old_slug=slug)
            .exclude(article_id=self.instance.pk)
            .select_related("article")
            .first()
        )
        if redirect is None:
            return slug
        live = Article.objects.published().filter(pk=redirect.article_id).exists()
        if live and not self.data.get(self.add_prefix("take_over_address")):
            raise forms.ValidationError(
                f"/articles/{slug}/ is an old address of “{redirect.article}” and still leads "
                "there. Choose another slug, or tick “Take over this old address”."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        reviewed, due = self.instance.last_reviewed, cleaned.get("next_review_due")
        if reviewed and due and due <= reviewed:
            self.add_error("next_review_due", "The next review must be after the last one.")
        go_live, expiry = cleaned.get("publish_at"), cleaned.get("expires_at")
        if expiry and expiry <= (go_live or timezone.now()):
            self.add_error("expires_at", "The expiry time must be after the go-live time.")
        if self.instance.pk is not None:
            self._refuse_locked_save()
            self._refuse_stale_save()
        return cleaned

    def _refuse_locked_save(self):
        if self.editing_user is None:
            return
        if locked := presence.refusal(self.instance.pk, self.editing_user):
            raise forms.ValidationError(
                f"Not saved. {locked} Nothing you typed has been saved or lost: it is all "
                "still in this form, to save once the lock is gone.",
                code="locked",
            )

    def _refuse_stale_save(self):
        # Take the article's write lock until this save commits (the admin wraps it in a
        # transaction): a second save waits here, then sees the first one's version. A no-op
        # UPDATE locks the row on PostgreSQL and the database on SQLite alike.
        article = Article.objects.filter(pk=self.instance.pk)
        article.update(updated_at=F("updated_at"))
        current = article.values_list("version", flat=True).get()
        if self.cleaned_data.get("opened_version") == current:
            return
        if (
            self.cleaned_data.get("replace_theirs")
            and self.cleaned_data.get("seen_version") == current
        ):
            return  # they saw exactly these changes and chose to save over them
        self.refused = True
        # The next submit replaces only what was shown now, and only if ticked again.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = str(current)
        self.data.pop(self.add_prefix("replace_theirs"), None)
        raise forms.ValidationError(self._conflict_message(), code="edit_conflict")

    def _conflict_message(self):
        kept = (
            "Nothing you typed has been saved or lost: it is all still in this form. Compare "
            "it with their changes (below), merge, tick “Replace their changes” and save again."
        )
        latest = latest_version(self.instance.pk)
        opened = self.cleaned_data.get("opened_revision") or ""
        if latest is None or str(latest.pk) == opened:
            return (
                "This article was changed outside the admin (by a script, the shell or a data "
                "migration) after you opened it, so no revision shows what changed: open it "
                f"in a new tab to see it as it is now. {kept}"
            )
        # What they changed: from the revision this form was opened on to theirs. (An article
        # with no revision yet, like the seed before its first save, has nothing to compare.)
        is_id = opened.isascii() and opened.isdigit()
        opened_version = Version.objects.filter(pk=opened).first() if is_id else None
        self.conflict = compare(opened_version, latest) if opened_version else None
        who = latest.revision.user or "someone"
        when = formats.date_format(
            timezone.localtime(latest.revision.date_created), "DATETIME_FORMAT"
        )
        return f"{who} saved this article on {when}, after you opened it. {kept}"


class ImageAdminForm(forms.ModelForm):
    """The library's form: a new file is re-encoded like every upload (articles.uploads),
    and alt text is required unless the image is marked decorative (Image.clean)."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "decorative", "caption", "credit", "licence"]
        fields += ["focal_x", "focal_y"]
        # Opened by uploads.safe_file, which says why a file is refused (a bomb, an
        # animation); Django's ImageField would only say "not an image".
        field_classes = {"file": forms.FileField}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            return uploads.safe_file(upload)
        return upload
