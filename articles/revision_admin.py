"""The article admin's revision pages: history, compare, restore, recover and purge.

django-reversion's VersionAdmin gives history, restore and the trash; here are what mgsite
adds: a word-by-word comparison of two revisions (articles.revisions), restores that refuse
with a message instead of a database error and bring back content only (never the
publishing state or revoked preview links), and purging the trash for superusers only.
Every write (a save, an action, a delete, a restore) is one content change
(`ChangesOnceAdmin`).
"""

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from .models import Article, Section
from .revisions import article_versions, compare, latest_version, restored_parts
from .signals import changes


class ChangesOnceAdmin(VersionAdmin):
    """Every write through the admin is one content change: whatever rows a save, an action,
    a delete or a restore touches, the article is rendered, indexed and its pages renewed
    once, inside the same transaction (articles.signals.changes)."""

    def _changes(self):
        return transaction.atomic(using=router.db_for_write(self.model))

    def changeform_view(self, *args, **kwargs):
        with self._changes(), changes():
            return super().changeform_view(*args, **kwargs)

    def changelist_view(self, *args, **kwargs):
        with self._changes(), changes():
            return super().changelist_view(*args, **kwargs)

    def delete_view(self, *args, **kwargs):
        with self._changes(), changes():
            return super().delete_view(*args, **kwargs)

    def revision_view(self, *args, **kwargs):
        with self._changes(), changes():
            return super().revision_view(*args, **kwargs)

    def recover_view(self, *args, **kwargs):
        with self._changes(), changes():
            return super().recover_view(*args, **kwargs)


# Recorded in no revision: HTML and search text are made from the Markdown again (signals),
# preview keys are secrets whose revocation must last, the version only moves forward.
NOT_RECORDED = {
    Article: (
        "intro_html", "conclusion_html", "search_text", "preview_key", "version",
        "first_published_at", "draft_fingerprint",
    ),
    Section: ("body_html",),
}  # fmt: skip
# What a restore leaves as the article has it now. A restore changes the draft only, never
# what readers get (that takes a publish); these are not the draft's text. Revisions saved
# before NOT_RECORDED hold some of them too; they are kept out all the same.
KEPT_ON_RESTORE = ["expires_at", "preview_key", "version", "first_published_at"]
PUBLISHING_FIELDS = {"expires_at"}


class ArticleRevisionsAdmin(ChangesOnceAdmin):
    """The revision pages of ArticleAdmin."""

    history_latest_first = True

    def reversion_register(self, model, **kwargs):
        super().reversion_register(model, exclude=NOT_RECORDED.get(model, ()), **kwargs)

    # VersionAdmin names its own; ours adds "compare" to it.
    object_history_template = "reversion/articles/article/object_history.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "recover/<int:version_id>/purge/",
                view(self.purge_view),
                name="articles_article_purge",
            ),
            *super().get_urls(),
        ]

    def _ensure_first_revision(self, request, article):
        """Record an article made outside the admin (the seed, an import) as it is now.

        Edit conflicts and comparisons start from the revision a form was opened on, so
        every article an editor opens needs one.
        """
        if not self.has_change_permission(request, article):
            return
        if article_versions(article.pk).exists():
            return
        with reversion.create_revision():
            reversion.set_comment("First revision: the article as it was before editing here.")
            reversion.add_to_revision(article)

    def history_view(self, request, object_id, extra_context=None):
        context = {"versions": article_versions(object_id), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id, self.has_view_or_change_permission)
        versions = article_versions(article.pk)
        chosen = [request.GET.get("from", ""), request.GET.get("to", "")]
        if not all(pk.isascii() and pk.isdigit() for pk in chosen):
            raise Http404("Choose two revisions to compare.")
        older, newer = (get_object_or_404(versions, pk=pk) for pk in chosen)
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Compare revisions of “{article}”",
            "comparison": compare(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def purge_view(self, request, version_id):
        """Delete a deleted article's revisions for good: superusers only."""
        if not request.user.is_superuser:
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(Article), pk=version_id)
        if request.method == "POST":
            versions = Version.objects.get_for_object_reference(Article, version.object_id)
            Revision.objects.filter(version__in=versions).delete()
            messages.success(request, f"“{version.object_repr}” is deleted for good.")
            return redirect("admin:articles_article_recoverlist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Delete “{version.object_repr}” for good?",
            "version": version,
        }
        return TemplateResponse(request, "admin/articles/article/purge_confirm.html", context)

    # Restores: a revision that no longer fits (its slug or anchor now taken) is a message.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if problem := self._restore_problem(version_id):
            messages.error(request, problem)
            return redirect("admin:articles_article_history", object_id)
        article = Article.objects.filter(pk=object_id).first()
        restored = article_versions(object_id).filter(pk=version_id).first()
        if article is None or restored is None:
            return super().revision_view(request, object_id, version_id, extra_context)
        current = latest_version(article.pk)
        # Read by changeform_view and get_fieldsets below, once reversion has reverted.
        request.kept_on_restore = {name: getattr(article, name) for name in KEPT_ON_RESTORE}
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            messages.success(request, self._restore_report(article, current, restored))
        return response

    def _restore_report(self, article, current, restored):
        when = formats.date_format(
            timezone.localtime(restored.revision.date_created), "DATETIME_FORMAT"
        )
        who = f" by {restored.revision.user}" if restored.revision.user else ""
        parts = restored_parts(current, restored) if current else []
        what = f"brought back {', '.join(parts)}" if parts else "its text was the same as now"
        return (
            f"Restored the revision of {when}{who} into the draft: {what}. Readers still get "
            "what was last published until you publish again; the expiry time and preview "
            "links are unchanged."
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        kept = getattr(request, "kept_on_restore", None)
        if kept is not None and object_id is not None:
            # reversion has just written the revision's row: put back what is not restored
            # (no signals: this is no change), so the form shows and saves it as it is now.
            Article.objects.filter(pk=unquote(object_id)).update(**kept)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "kept_on_restore", None) is None:
            return fieldsets
        restore_fieldsets = []
        for name, options in fieldsets:
            fields = [field for field in options["fields"] if field not in PUBLISHING_FIELDS]
            if len(fields) < len(options["fields"]):
                options = {
                    **options,
                    "description": "Not restored: the expiry time stays as it is now. "
                    "Change it after restoring, if you mean to.",
                }
            restore_fieldsets.append((name, {**options, "fields": fields}))
        return restore_fieldsets

    def recover_view(self, request, version_id, extra_context=None):
        if problem := self._restore_problem(version_id):
            messages.error(request, problem)
            return redirect("admin:articles_article_recoverlist")
        response = super().recover_view(request, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = Version.objects.get(pk=version_id)
            article = Article.objects.filter(pk=version.object_id).first()
            if article is not None:
                self.log_change(request, article, "Recovered from the trash.")
                messages.success(
                    request,
                    f"“{article}” is recovered with its sections, as a draft: publish it to "
                    "show it to readers again.",
                )
        return response

    def _restore_problem(self, version_id):
        """Why a revision cannot be restored as it is, in words; None if it can.

        reversion would report a slug taken since as a database error ("missing
        dependency"); say what it is instead. Sections cannot clash: a restore replaces them.
        """
        version = Version.objects.get_for_model(Article).filter(pk=version_id).first()
        if version is None:
            return None  # reversion answers 404
        slug = version.field_dict.get("slug")
        holder = Article.objects.filter(slug=slug).exclude(pk=version.object_id).first()
        if holder is None:
            return None
        return (
            f"That revision cannot be restored as it is: its slug “{slug}” is now used by "
            f"“{holder}”. Change one of the two slugs first. Nothing was changed."
        )
