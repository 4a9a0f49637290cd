"""The editors' admin: articles with their sections inline, revisions, previews, trash."""

from dataclasses import asdict
from datetime import timedelta

import reversion
from adminsortable2.admin import (
    CustomInlineFormSetMixin,
    SortableAdminBase,
    SortableInlineAdminMixin,
)
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion import set_comment
from reversion.admin import VersionAdmin

from . import (
    autosave,
    checks,
    notifications,
    presence,
    previews,
    publishing,
    rendering,
    review,
    typed_drafts,
    views,
)
from .forms import ArticleAdminForm, ImageAdminForm, SectionForm, SectionFormSet
from .models import (
    Approval,
    Article,
    ArticleUpdate,
    Image,
    LiveVersion,
    Person,
    Reference,
    ReviewComment,
    ReviewSubmission,
    Section,
    SitePage,
    SiteSettings,
    SlugRedirect,
    Supplement,
)
from .presence_admin import PresenceAdminMixin
from .revision_admin import ArticleRevisionsAdmin, ChangesOnceAdmin
from .revisions import compare_pages


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _newly_approved(publishing):
    """Readers get this text, but without the medical approval it has since received:
    publishing it again adds the review line."""
    shown = publishing.shown
    approved = shown.article.approvals.filter(fingerprint=shown.fingerprint)
    return shown.approval_id is None and approved.exists()


def _clock(moment):
    """A time today as the change form's notices print it, e.g. 14:52."""
    return formats.date_format(timezone.localtime(moment), "H:i")


# The admin maps TextField (MarkdownxField's parent) to a plain textarea; put the editor back.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class SortableSectionFormSet(CustomInlineFormSetMixin, SectionFormSet):
    """Positions come from the form's order (dragged, or moved with the Move up and Move
    down buttons); a new section goes after the last one."""


class SectionInline(SortableInlineAdminMixin, admin.StackedInline):
    """Sections in page order. django-admin-sortable2 drags saved sections by their title
    bar and keeps `position` in a hidden field; its own move controls are click-only, so
    the template has Move up and Move down buttons instead (static/js/section-order.js)."""

    model = Section
    form = SectionForm
    formset = SortableSectionFormSet
    template = "admin/articles/article/sections_inline.html"
    extra = 0
    max_num = rendering.MAX_SECTIONS  # "Add another Section" goes away at the limit
    # The anchor is made from the heading on the first save (SectionFormSet): folded away
    # for those who mean to change it.
    fieldsets = [
        (None, {"fields": ["heading", "body", "position"]}),
        ("Link within the page", {"fields": ["anchor"], "classes": ["collapse"]}),
    ]
    formfield_overrides = MARKDOWN_WIDGETS


class UpdateNoteInline(admin.StackedInline):
    model = ArticleUpdate
    extra = 0
    fields = ["date", "note"]
    verbose_name_plural = "Update notes (public: shown on the article with their dates)"


class ReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Review overdue"),
            ("due30", "Due in the next 30 days"),
            ("never", "Never reviewed"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "overdue":
                return queryset.filter(next_review_due__lt=today)
            case "due30":
                return queryset.filter(
                    next_review_due__gte=today, next_review_due__lte=today + timedelta(days=30)
                ).order_by("next_review_due")
            case "never":
                return queryset.filter(last_reviewed__isnull=True)
        return queryset


def _digits(value):
    return value if _is_id(value) else None


def _is_id(value):
    """An article id as the admin's URLs carry it: anything else is a 404, not a 500.
    (str.isdigit() alone accepts "²" and other digits int() refuses.)"""
    return str(value).isascii() and str(value).isdigit()


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("changed", "Live, draft changed"),
            ("scheduled", "Scheduled"),
            ("unpublished", "Not published (draft, expired or taken down)"),
        ]

    def queryset(self, request, queryset):
        shown = Q(live_fingerprint__isnull=False)
        match self.value():
            case "live":
                return queryset.filter(shown, live_fingerprint=F("draft_fingerprint"))
            case "changed":
                return queryset.filter(shown).exclude(live_fingerprint=F("draft_fingerprint"))
            case "scheduled":
                return queryset.filter(scheduled_at__isnull=False)
            case "unpublished":
                return queryset.filter(live_fingerprint__isnull=True, scheduled_at__isnull=True)
        return queryset


STATE_LABELS = {
    "live": "live",
    "changed": "live, draft changed",
    "scheduled": "scheduled",
    "expired": "expired",
    "draft": "not published",
}


@admin.register(Article)
class ArticleAdmin(PresenceAdminMixin, SortableAdminBase, ArticleRevisionsAdmin):
    form = ArticleAdminForm
    inlines = [SectionInline, UpdateNoteInline]
    formfield_overrides = MARKDOWN_WIDGETS
    list_display = [
        "title", "state_label", "review_label", "supplement_names", "next_review_due",
        "first_published_at", "updated_at",
    ]  # fmt: skip
    list_filter = [StateFilter, ReviewFilter, "supplements"]
    search_fields = ["title", "subtitle", "summary"]
    date_hierarchy = "first_published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["supplements", "related", "authors", "lead_image"]
    actions = ["publish", "unpublish"]
    # In page order: the writing fields (title, subtitle, intro), the sections (inline),
    # the conclusion; then what is about the article rather than in it, the rarely used
    # parts collapsed; the note for the history last, beside the save buttons.
    # change_form.html places the sections inline after the first FIELDSETS_BEFORE_SECTIONS
    # fieldsets and the other inlines before the last one.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "subtitle",
                    "lead_image",
                    "intro",
                    "key_takeaways",
                    "opened_revision",
                    "opened_version",
                    "seen_version",
                ]
            },
        ),  # fmt: skip
        (None, {"fields": ["conclusion"]}),
        ("Topics and related articles", {"fields": ["supplements", "related"]}),
        ("Authors", {"fields": ["authors"]}),
        (
            "Search engines and address",
            {"fields": ["summary", "slug"], "classes": ["collapse"]},
        ),
        (
            "Publishing",
            {
                "fields": ["publish_at", "expires_at", "unreviewed_reason"],
                "classes": ["collapse"],
            },
        ),
        ("Review schedule", {"fields": ["next_review_due"], "classes": ["collapse"]}),
        (
            "Old addresses",
            {"fields": ["take_over_address"], "classes": ["collapse"]},
        ),
        ("Saving", {"fields": ["revision_note"]}),
    ]
    FIELDSETS_BEFORE_SECTIONS = 1

    class Media:
        # Editors in new inline rows, and upload errors shown (see the script).
        js = [
            "js/markdownx-admin.js",
            "js/admin-accessibility.js",
            "js/article-form.js",
            "js/section-order.js",
            "js/content-checks.js",
            "js/autosave.js",
            "js/insert-image.js",
        ]
        css = {
            "all": [
                "css/admin-markdown.css",
                "css/admin-images.css",
                "css/admin-revisions.css",
                "css/admin-live-preview.css",
            ]
        }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            # Up to 300 characters: easier to read and edit in a box than on one line.
            kwargs["widget"] = widgets.AdminTextareaWidget(attrs={"rows": 3})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            # The admin's date and time boxes share one label; give each a name of its own.
            date_input, time_input = field.widget.widgets
            date_input.attrs["aria-label"] = f"{db_field.verbose_name.capitalize()}: date"
            time_input.attrs["aria-label"] = f"{db_field.verbose_name.capitalize()}: time"
        return field

    def get_queryset(self, request):
        # What readers get of each article, in two subqueries, for the state column and filter.
        live = LiveVersion.objects.visible().filter(article=OuterRef("pk"))
        scheduled = LiveVersion.objects.scheduled().filter(article=OuterRef("pk"))
        approvals = Approval.objects.filter(article=OuterRef("pk"))
        submissions = ReviewSubmission.objects.filter(article=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                live_fingerprint=Subquery(live.values("fingerprint")[:1]),
                scheduled_at=Subquery(scheduled.values("live_from")[:1]),
                approved_fingerprint=Subquery(approvals.values("fingerprint")[:1]),
                submitted_fingerprint=Subquery(submissions.values("fingerprint")[:1]),
            )
            .prefetch_related("supplements")
        )

    @admin.display(description="Supplements")
    def supplement_names(self, article):
        return ", ".join(supplement.name for supplement in article.supplements.all())

    @admin.display(description="Medical review")
    def review_label(self, article):
        draft = article.draft_fingerprint
        if article.approved_fingerprint == draft:
            state = "approved"
        elif article.submitted_fingerprint == draft:
            state = "in review"
        elif article.approved_fingerprint:
            state = "approval void"
        else:
            state = "not approved"
        return format_html(
            '<span class="review-state review-state-{}">{}</span>', slugify(state), state
        )

    @admin.display(description="State")
    def state_label(self, article):
        if article.live_fingerprint is not None:
            state = "live" if article.live_fingerprint == article.draft_fingerprint else "changed"
        else:
            state = "scheduled" if article.scheduled_at else "draft"
        label = STATE_LABELS[state]
        if article.scheduled_at:
            label += (
                f" (next version {_when(article.scheduled_at)})"
                if state != "scheduled"
                else (f" for {_when(article.scheduled_at)}")
            )
        return format_html('<span class="article-state article-state-{}">{}</span>', state, label)

    def save_model(self, request, obj, form, change):
        request.revision_note = form.cleaned_data.get("revision_note", "").strip()
        request.publish_at = form.cleaned_data.get("publish_at")
        request.unreviewed_reason = form.cleaned_data.get("unreviewed_reason", "")
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        autosave.discard(request.user, obj)  # saved: nothing unsaved left to offer back

    # The revision's comment: the editor's note, if any, before Django's summary of the change.

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._note_revision(request, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._note_revision(request, entry)
        return entry

    def _note_revision(self, request, entry):
        note = getattr(request, "revision_note", "")
        if note and reversion.is_active():
            set_comment(f"{note} ({entry.get_change_message()})")

    # Actions: each is in the audit log (and the live versions record who published), and
    # says per article what it did or why it left it alone.

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish(self, request, queryset):
        """Make each draft what readers get, now (a scheduled version is replaced)."""
        for article in queryset:
            before = article.publishing()
            if before.state == "live" and before.scheduled is None and not _newly_approved(before):
                self._report(request, f"“{article}” skipped: readers already get this draft.")
                continue
            if locked := presence.refusal(article.pk, request.user):
                self._report(request, f"“{article}” not published. {locked}")
                continue
            try:
                publishing.publish(article, by=request.user)
            except publishing.PublishingError as error:
                self._report(request, f"“{article}” not published: {error}", messages.ERROR)
                continue
            self.log_change(request, article, "Published.")
            was = {
                "changed": "its changes replace the version readers had",
                "expired": "it had expired; its expiry time is removed",
            }.get(before.state)
            if before.scheduled is not None:
                was = f"it was scheduled for {_when(before.scheduled.live_from)}"
            detail = f" ({was})" if was else ""
            self._report(request, f"“{article}” is live now{detail}.", messages.SUCCESS)
        set_comment("Published.")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        """Take each article away from readers now; its draft stays as it is."""
        for article in queryset:
            state = article.publishing().state
            if state in ("draft", "expired"):
                self._report(request, f"“{article}” skipped: readers do not see it.")
                continue
            publishing.unpublish(article, by=request.user)
            self.log_change(request, article, "Unpublished.")
            self._report(
                request,
                f"“{article}” is no longer published (it was {STATE_LABELS[state]}); "
                "its draft is kept.",
                messages.SUCCESS,
            )
        set_comment("Unpublished.")

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm("articles.publish_article")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Only superusers may publish without approval: nobody else needs the reason box.
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f != "unreviewed_reason"]},
            )
            for name, options in fieldsets
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        fieldsets = len(context["adminform"].fieldsets)
        context.update(
            fieldsets_before_sections=self.FIELDSETS_BEFORE_SECTIONS,
            fieldsets_before_saving=fieldsets - 1,
            # What one save may send: the form checks it before sending (article-form.js).
            request_limits={
                "max_fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                "max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                "max_sections": rendering.MAX_SECTIONS,
                "max_chars": rendering.MAX_ARTICLE_CHARS,
            },
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        if self._publish_from_form(request, obj) is False:
            return redirect("admin:articles_article_change", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._publish_from_form(request, obj) is False:
            return redirect("admin:articles_article_change", obj.pk)
        return super().response_change(request, obj)

    def _publish_from_form(self, request, article):
        """“Save and publish”: the draft just saved goes live now, or at the go-live time.
        False if it could not: the editor stays on the form, told why (the draft is saved)."""
        if "_publish" not in request.POST:
            return None
        if not self.has_publish_permission(request, article):
            messages.error(request, "Saved as a draft only: you may not publish articles.")
            return False
        try:
            version = publishing.publish(
                article,
                by=request.user,
                at=getattr(request, "publish_at", None),
                unreviewed_reason=getattr(request, "unreviewed_reason", ""),
            )
        except publishing.PublishingError as error:
            messages.error(request, f"Saved as a draft, not published: {error}")
            return False
        self.log_change(request, article, "Published.")
        if version.live_from > timezone.now():
            messages.success(
                request,
                f"“{article}” is scheduled to go live {_when(version.live_from)}; readers get "
                "what they get now until then.",
            )
        else:
            messages.success(request, f"“{article}” is live now: readers get this draft.")

    def _report(self, request, text, level=messages.WARNING):
        self.message_user(request, text, level)

    # Extra pages: share or revoke previews (revision pages: articles.revision_admin).

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/share-preview/",
                view(self.share_preview_view),
                name="articles_article_share_preview",
            ),
            path(
                "<path:object_id>/revoke-previews/",
                view(self.revoke_previews_view),
                name="articles_article_revoke_previews",
            ),
            path(
                "<path:object_id>/review/<str:step>/",
                view(self.review_view),
                name="articles_article_review",
            ),
            path(
                "<path:object_id>/checks/",
                view(self.live_checks_view),
                name="articles_article_checks",
            ),
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name="articles_article_publish",
            ),
            path(
                "<path:object_id>/autosave/",
                view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<path:object_id>/autosave/discard/",
                view(self.discard_autosave_view),
                name="articles_article_autosave_discard",
            ),
            path(
                "<path:object_id>/live-preview/",
                view(self.live_preview_view),
                name="articles_article_live_preview",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id, permission):
        if not _is_id(object_id):
            raise Http404("No such article.")
        article = get_object_or_404(Article, pk=object_id)
        if not permission(request, article):
            raise PermissionDenied
        return article

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = Article.objects.filter(pk=object_id).first() if _is_id(object_id) else None
        if article is not None:
            if request.method == "GET":
                self._ensure_first_revision(request, article)
            # Run only if the form is shown (not for a save that redirects).
            content_checks = SimpleLazyObject(lambda: checks.run_checks(article))
            standing = SimpleLazyObject(article.publishing)
            against_live = SimpleLazyObject(
                lambda: compare_pages(
                    standing.shown or standing.scheduled, LiveVersion.from_draft(article)
                )
            )
            extra_context = {
                "content_checks": content_checks,
                "review": SimpleLazyObject(lambda: review.standing(article)),
                # What the page shows, so approving or publishing it is of exactly this.
                "seen_fingerprint": SimpleLazyObject(
                    lambda: LiveVersion.from_draft(article).fingerprint
                ),
                "review_comments": article.review_comments.select_related(
                    "author", "resolved_by", "section"
                ),
                "review_sections": article.sections.all(),
                "may_approve": request.user.has_perm("articles.approve_article"),
                "may_comment": request.user.has_perm("articles.add_reviewcomment"),
                "may_publish": self.has_publish_permission(request),
                "publishing": standing,
                "against_live": against_live,
                "autosaved": autosave.found(request.user, article),
                "autosave_idle_ms": settings.AUTOSAVE_IDLE_MS,
                "autosave_max_wait_ms": settings.AUTOSAVE_MAX_WAIT_MS,
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # Nothing lost (articles.autosave): the editor's unsaved form, kept while they type, and
    # the page it would make. Each answers only the editor's own slot.

    def autosave_view(self, request, object_id):
        article = self._article_or_404(request, object_id, self.has_change_permission)
        if request.method == "POST":
            try:
                slot = autosave.store(request.user, article, request.POST)
            except autosave.TooLarge as error:
                return JsonResponse({"error": str(error)}, status=413)
            return JsonResponse({"saved_at": _clock(slot.saved_at)})
        slot = autosave.found(request.user, article)
        if slot is None:
            return JsonResponse({"error": "Nothing unsaved is kept for this article."}, status=404)
        return JsonResponse({"saved_at": _clock(slot.saved_at), "data": slot.data})

    def discard_autosave_view(self, request, object_id):
        article = self._article_or_404(request, object_id, self.has_change_permission)
        if request.method != "POST":
            return JsonResponse({"error": "POST to discard."}, status=405)
        autosave.discard(request.user, article)
        return JsonResponse({"discarded": True})

    def live_preview_view(self, request, object_id):
        """The whole page as the editor's unsaved form would make it (their autosave slot),
        or as the saved draft makes it if nothing is unsaved."""
        article = self._article_or_404(request, object_id, self.has_change_permission)
        slot = autosave.found(request.user, article)
        try:
            version = (
                autosave.page_from_form(article, slot.data)
                if slot
                else LiveVersion.from_draft(article)
            )
        except autosave.TooLarge as error:
            return views.unsaved_preview_problem(request, str(error))
        return views.unsaved_preview(
            request, version, publishing=article.publishing(), unsaved=slot is not None
        )

    # Medical review (articles.review): each step checks its own permission, whatever the
    # buttons the page showed.

    REVIEW_STEPS = {
        "submit": "articles.change_article",
        "approve": "articles.approve_article",
        "comment": "articles.add_reviewcomment",
        "resolve": None,  # the comment's writer, or whoever may change comments
    }

    def review_view(self, request, object_id, step):
        if step not in self.REVIEW_STEPS:
            raise Http404("No such review step.")
        article = self._article_or_404(request, object_id, self.has_view_permission)
        if request.method != "POST":
            return redirect("admin:articles_article_change", article.pk)
        needed = self.REVIEW_STEPS[step]
        if needed and not request.user.has_perm(needed):
            raise PermissionDenied
        try:
            self._review_step(request, article, step)
        except review.ReviewError as error:
            messages.error(request, str(error))
        return redirect("admin:articles_article_change", article.pk)

    def _review_step(self, request, article, step):
        post = request.POST
        if step == "submit":
            review.submit(article, request.user, post.get("review_note", "").strip()[:500])
            self.log_change(request, article, "Submitted for medical review.")
            told = notifications.group_addresses(notifications.REVIEWERS) - {request.user.email}
            messages.success(
                request,
                f"Submitted for medical review: {len(told)} reviewer(s) told by e-mail."
                if told
                else "Submitted for medical review. No medical reviewer has an e-mail address "
                "here, so tell them yourself.",
            )
        elif step == "approve":
            approval = review.approve(article, request.user, seen=post.get("seen_fingerprint"))
            self.log_change(request, article, "Medically approved.")
            messages.success(
                request,
                f"Approved as {approval.reviewer.display_name}: this draft, exactly as it is, "
                "may be published. Any change to it voids the approval.",
            )
        elif step == "comment":
            section = article.sections.filter(pk=_digits(post.get("review_section"))).first()
            review.comment(article, request.user, post.get("review_comment", ""), section)
            messages.success(request, "Comment added.")
        else:
            note = get_object_or_404(
                ReviewComment, pk=_digits(post.get("comment")), article=article
            )
            if note.author_id != request.user.pk and not request.user.has_perm(
                "articles.change_reviewcomment"
            ):
                raise PermissionDenied
            review.resolve(note, request.user)
            messages.success(request, "Comment resolved.")

    def publish_view(self, request, object_id):
        """Publish the saved draft now (for Publishers, who need not edit it)."""
        article = self._article_or_404(request, object_id, self.has_publish_permission)
        if request.method == "POST" and (locked := presence.refusal(article.pk, request.user)):
            messages.error(request, f"Not published. {locked}")
        elif request.method == "POST":
            try:
                publishing.publish(
                    article,
                    by=request.user,
                    unreviewed_reason=request.POST.get("unreviewed_reason", ""),
                    seen=request.POST.get("seen_fingerprint"),
                )
            except publishing.PublishingError as error:
                messages.error(request, f"Not published: {error}")
            else:
                self.log_change(request, article, "Published.")
                messages.success(request, f"“{article}” is live now: readers get this draft.")
        return redirect("admin:articles_article_change", article.pk)

    def live_checks_view(self, request, object_id):
        """The content checks of the draft as typed in its change form (POSTed by
        static/js/content-checks.js): rendered in memory, written nowhere, answered as JSON
        to those who may change the article."""
        article = self._article_or_404(request, object_id, self.has_change_permission)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            draft = typed_drafts.typed_draft(article, request.POST)
        except typed_drafts.TooLong:
            return JsonResponse(
                {"error": "Too long to check as you type: saving says what to shorten."},
                status=413,
            )
        return JsonResponse(
            {"checks": [asdict(check) for check in checks.run_checks(article, draft)]}
        )

    def share_preview_view(self, request, object_id):
        article = self._article_or_404(request, object_id, self.has_change_permission)
        if request.method == "POST":
            link = request.build_absolute_uri(previews.preview_url(article))
            until = timezone.localtime(timezone.now() + previews.max_age())
            self.log_change(request, article, "Shared a preview link.")
            messages.success(
                request,
                format_html(
                    "Preview link, valid until {}: <a href='{}'>{}</a> Anyone with it can read "
                    "this article as it is now saved, without logging in.",
                    until.strftime("%d %b %Y %H:%M"),
                    link,
                    link,
                ),
            )
        return redirect("admin:articles_article_change", article.pk)

    def revoke_previews_view(self, request, object_id):
        article = self._article_or_404(request, object_id, self.has_change_permission)
        if request.method == "POST":
            article.revoke_preview_links()
            self.log_change(request, article, "Revoked all preview links.")
            messages.success(
                request, "Every preview link to this article shared so far is revoked."
            )
        return redirect("admin:articles_article_change", article.pk)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        messages.info(request, "It is in the trash: “Recover deleted articles” brings it back.")


@admin.register(Supplement)
class SupplementAdmin(ChangesOnceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Reference)
class ReferenceAdmin(ChangesOnceAdmin):
    # A URL typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["key", "authors", "year", "title", "publisher"]
    search_fields = ["key", "authors", "title", "doi", "pmid"]
    list_filter = ["year"]
    fieldsets = [
        (None, {"fields": ["key", "authors", "title", "publisher", "year"]}),
        ("Identifiers", {"fields": ["doi", "pmid", "url"]}),
    ]


@admin.register(SiteSettings)
class SiteSettingsAdmin(ChangesOnceAdmin):
    """One row: the changelist goes straight to it."""

    formfield_overrides = MARKDOWN_WIDGETS

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Reading writes nothing: the row is made by a migration. If it was ever deleted,
        # its change form shows the defaults and saving it makes it again.
        return redirect("admin:articles_sitesettings_change", 1)

    def get_object(self, request, object_id, from_field=None):
        return SiteSettings.load() if str(object_id) == "1" else None


@admin.register(SitePage)
class SitePageAdmin(ChangesOnceAdmin):
    """About, Editorial policy, Corrections: made by a migration and linked from every
    page's footer by their slugs, so they are edited here, never added, renamed or deleted."""

    formfield_overrides = MARKDOWN_WIDGETS
    list_display = ["title", "slug", "updated_at"]
    fields = ["title", "slug", "body"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old addresses, kept by the system on every slug change: read-only here."""

    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """Who did what and when, across the admin: Django's own action log, read-only."""

    list_display = [
        "action_time",
        "user",
        "content_type",
        "object_repr",
        "action_flag",
        "change_message",
    ]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(VersionAdmin):
    """Authors and medical reviewers as readers see them."""

    list_display = ["name", "credentials", "user"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "photo"]
    fieldsets = [
        (None, {"fields": ["name", "credentials", "bio", "links", "photo"]}),
        (
            "Address and account",
            {
                "fields": ["slug", "user"],
                "classes": ["collapse"],
                "description": "The slug is their page's address, and published bylines "
                "link to it as it was when they were published: a changed slug leaves those "
                "links leading nowhere until the articles are published again.",
            },
        ),
    ]

    def view_on_site(self, person):
        # Their page exists only while a published article names them.
        if Person.objects.public().filter(pk=person.pk).exists():
            return person.get_absolute_url()
        return None


class ImageUseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [
            ("used", "Used"),
            ("unused", "Unused"),
            ("stale", "Unused for over a week (purge)"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "used":
            return queryset.exclude(pk__in=Image.objects.unused().values("pk"))
        if self.value() == "unused":
            return queryset.unused()
        if self.value() == "stale":
            return queryset.stale()
        return queryset


@admin.register(Image)
class ImageAdmin(ChangesOnceAdmin):
    """The image library: find an image by what it shows, see where it is used, and the
    live pages that show an older state of it (to publish again)."""

    form = ImageAdminForm
    list_display = ["thumbnail", "__str__", "size", "credit", "used", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["alt_text", "caption", "credit", "licence"]
    list_filter = [ImageUseFilter, "decorative"]
    readonly_fields = ["preview", "reference", "used_on", "to_republish"]
    actions = ["purge_stale"]
    fieldsets = [
        (None, {"fields": ["file", "preview", "reference"]}),
        ("Words", {"fields": ["alt_text", "decorative", "caption", "credit", "licence"]}),
        ("Where it is used", {"fields": ["used_on", "to_republish"]}),
        ("Focal point", {"fields": ["focal_x", "focal_y"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(draft_count=models.Count("article_uses", distinct=True))
        )

    def _thumbnail(self, image, width):
        sources = image.renditions.get("sources")
        if not sources:
            return "—"
        url = sources[-1]["srcset"][0][0]
        height = round(width * image.height / image.width) if image.width else width
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">', url, width, height, image.alt_text
        )

    @admin.display(description="Image")
    def thumbnail(self, image):
        return self._thumbnail(image, 80)

    @admin.display(description="Preview")
    def preview(self, image):
        return self._thumbnail(image, 320) if image.pk else "—"

    @admin.display(description="In Markdown")
    def reference(self, image):
        return f"![{image.alt_text}]({image.reference})" if image.pk else "—"

    @admin.display(description="Pixels")
    def size(self, image):
        return f"{image.width} × {image.height}"

    @admin.display(description="Drafts using it", ordering="draft_count")
    def used(self, image):
        return image.draft_count

    @admin.display(description="Used on")
    def used_on(self, image):
        articles = Article.objects.filter(image_uses__image=image.pk).order_by("title")
        live = (
            LiveVersion.objects.filter(image_uses__image=image.pk)
            .values_list("title", flat=True)
            .distinct()
        )
        people = Person.objects.filter(photo=image.pk) if image.pk else Person.objects.none()
        if not image.pk or not (articles or live or people):
            return "Not used: it can be deleted."
        drafts = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:articles_article_change", args=[a.pk]), a.title) for a in articles),
        )
        portraits = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:articles_person_change", args=[p.pk]), p.name) for p in people),
        )
        return format_html(
            "Drafts: {}. Published versions (kept as readers saw them): {}. Portrait of: {}.",
            drafts or "none",
            ", ".join(sorted(set(live))) or "none",
            portraits or "nobody",
        )

    @admin.display(description="Publish again to show this version")
    def to_republish(self, image):
        """Live articles that show the image as it was before its last change: their drafts
        have it as it is now (signals re-render them), so they differ from what is live."""
        if not image.pk:
            return "—"
        stale = [
            article
            for article in Article.objects.filter(image_uses__image=image.pk).order_by("title")
            if article.state == "changed"
        ]
        if not stale:
            return "None: every live page shows it as it is now."
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:articles_article_change", args=[a.pk]), a.title) for a in stale),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Purge: delete these if unused for over a week (with their files)")
    def purge_stale(self, request, queryset):
        stale = queryset.stale()
        kept = queryset.count() - stale.count()
        purged = 0
        for image in stale:
            image.delete()
            purged += 1
        self.message_user(request, f"Purged {purged} unused image(s) and their files.")
        if kept:
            self.message_user(
                request,
                f"Kept {kept}: in use, or uploaded less than a week ago.",
                messages.WARNING,
            )
