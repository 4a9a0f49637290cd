"""The article change form's presence notice and lock (articles.presence), for ArticleAdmin.

Two endpoints beside the change form, for staff who may change the article, POST only
(CSRF-checked by the admin): `<id>/presence/` is the heartbeat and answers JSON with who
else is editing and the lock; `<id>/lock/` locks, unlocks or breaks the lock, answering the
same JSON to static/js/article-presence.js, or going back to the form with a message when
a button is pressed without JavaScript. The form refuses a save while someone else holds
the lock (articles.forms), and deleting is not offered.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject

from . import presence
from .models import Article

LOCK_DONE = {
    "lock": "Locked: nobody else can save or publish this article until you unlock it.",
    "unlock": "Unlocked: others may save and publish this article again.",
}


def _article_id(object_id):
    """An id as the admin's URLs carry it; anything else is a 404, never a 500."""
    return object_id if str(object_id).isascii() and str(object_id).isdigit() else None


class PresenceAdminMixin:
    @property
    def media(self):
        return super().media + forms.Media(
            js=["js/article-presence.js"], css={"all": ["css/admin-presence.css"]}
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/presence/",
                view(self.presence_view),
                name="articles_article_presence",
            ),
            path("<path:object_id>/lock/", view(self.lock_view), name="articles_article_lock"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editing_user = request.user  # a new class per request: whose lock counts
        return form

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._refusal(request, obj.pk):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = Article.objects.filter(pk=_article_id(object_id)).first()
        if article is not None and self.has_change_permission(request, article):
            if request.method == "GET":
                presence.heartbeat(article, request.user)  # opening the form is being here
            elif notice := presence.take_notice(article, request.user):
                messages.warning(request, notice)  # on the page this save leads to
            extra_context = {
                # Only if the form is shown (a save that redirects shows nothing).
                "presence": SimpleLazyObject(lambda: self._presence_context(request, article)),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def presence_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._editable_article(request, object_id)
        presence.heartbeat(article, request.user)
        return JsonResponse(self._standing(request, article))

    def lock_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._editable_article(request, object_id)
        action = request.POST.get("lock_action")
        if action not in ("lock", "unlock", "break"):
            return HttpResponseBadRequest("lock_action: lock, unlock or break")
        if action == "break" and not request.user.has_perm("articles.break_lock"):
            raise PermissionDenied
        try:
            done = self._lock_step(request, article, action)
        except presence.LockError as error:
            done, failed = str(error), True
        else:
            failed = False
        if request.headers.get("Accept", "").startswith("application/json"):
            answer = {**self._standing(request, article), "message": done}
            return JsonResponse(answer, status=409 if failed else 200)
        messages.add_message(request, messages.ERROR if failed else messages.SUCCESS, done)
        return redirect("admin:articles_article_change", article.pk)

    def _lock_step(self, request, article, action):
        if action != "break":
            getattr(presence, action)(article, request.user)
            return LOCK_DONE[action]
        broken = presence.break_lock(article, request.user)
        holder, breaker = presence.name(broken.locked_by), presence.name(request.user)
        self.log_change(request, article, f"Lock held by {holder} broken by {breaker}.")
        return f"The lock {holder} held is broken (recorded in the history); they will be told."

    def _editable_article(self, request, object_id):
        article = get_object_or_404(Article.objects.only("pk", "title"), pk=_article_id(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def _standing(self, request, article):
        return presence.standing(
            article,
            request.user,
            may_lock=self.has_change_permission(request, article),
            may_break=request.user.has_perm("articles.break_lock"),
        )

    def _presence_context(self, request, article):
        return {
            **self._standing(request, article),
            "interval": settings.PRESENCE_HEARTBEAT_SECONDS,
            "url": reverse("admin:articles_article_presence", args=[article.pk]),
            "lock_url": reverse("admin:articles_article_lock", args=[article.pk]),
        }

    def _refusal(self, request, article_id):
        # Asked several times while one page is drawn: one query per request and article.
        known = request.__dict__.setdefault("_lock_refusals", {})
        if article_id not in known:
            known[article_id] = presence.refusal(article_id, request.user)
        return known[article_id]
