"""Medical review, bound to the exact draft it approved.

An editor submits the draft; a medical reviewer comments or approves. An approval records
who approved, when, and the draft's fingerprint (articles.page_content) together with the
revision it was (django-reversion). It holds only while the draft is that text: any change
voids it, and a page claims a review only while its live version is the approved text.

Separation of duties: nobody approves text they changed themselves. A reviewer who saved
the draft since it was last approved (or who submitted it) cannot approve it; another
reviewer must. A second pair of eyes is the point of a medical review.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import Approval, Article, ReviewComment, ReviewSubmission
from .revisions import article_versions
from .signals import render_pending


class ReviewError(Exception):
    """Why a review step cannot be taken, in editors' words."""


@dataclass
class Standing:
    """An article's review, as the change form and the list show it."""

    approval: Approval | None  # the newest approval, valid or not
    submission: ReviewSubmission | None  # the newest submission
    fingerprint: str  # the draft's

    @property
    def approved(self):
        return self.approval is not None and self.approval.fingerprint == self.fingerprint

    @property
    def state(self):
        if self.approved:
            return "approved"
        if self.submission is not None and self.submission.fingerprint == self.fingerprint:
            return "in review"
        if self.approval is not None:
            return "approval void"
        if self.submission is not None:
            return "changed since submitted"
        return "not reviewed"


def standing(article):
    return Standing(
        approval=article.approvals.select_related("reviewer").first(),
        submission=article.review_submissions.select_related("submitted_by").first(),
        fingerprint=article.draft_fingerprint,
    )


def valid_approval(article):
    """The approval of the draft as it is now, or None."""
    return article.approvals.filter(fingerprint=article.draft_fingerprint).first()


def submit(article, user, note=""):
    render_pending(article)
    if valid_approval(article) is not None:
        raise ReviewError("This draft is already approved as it is: nothing to review.")
    submission = ReviewSubmission.objects.create(
        article=article, submitted_by=user, fingerprint=article.draft_fingerprint, note=note
    )
    transaction.on_commit(lambda: notifications.submitted(submission))
    return submission


def approve(article, user, seen=None):
    """Approve the draft as it is now, as the reviewer linked to `user`. `seen`: the
    fingerprint of the draft the reviewer read; if it changed since, nothing is approved."""
    render_pending(article)
    if seen is not None and seen != article.draft_fingerprint:
        raise ReviewError(
            "The draft changed since you opened it: reload the page and read it again "
            "before approving."
        )
    reviewer = getattr(user, "person", None)
    if reviewer is None:
        raise ReviewError(
            "Your account is not linked to a person (Articles › People): approvals carry "
            "the reviewer's name and credentials as readers will see them."
        )
    if valid_approval(article) is not None:
        raise ReviewError("This draft is already approved as it is.")
    if article.review_comments.filter(resolved_at__isnull=True).exists():
        raise ReviewError(
            "Resolve the open comments first (your own too): an approval says nothing is "
            "left to settle."
        )
    last = article.approvals.first()
    since = article_versions(article.pk)
    if last is not None:
        since = since.filter(revision__date_created__gt=last.approved_at)
    submitted_by_them = article.review_submissions.filter(
        submitted_by=user, fingerprint=article.draft_fingerprint
    ).exists()
    if since.filter(revision__user=user).exists() or submitted_by_them:
        raise ReviewError(
            "You changed or submitted this draft yourself: another medical reviewer must "
            "approve it."
        )
    latest = article_versions(article.pk).first()
    approval = Approval.objects.create(
        article=article,
        reviewer=reviewer,
        approved_by=user,
        fingerprint=article.draft_fingerprint,
        revision=latest.revision if latest else None,
    )
    today = timezone.localdate()
    # Reviewed today; due again in a year. Not part of the draft's text, so no change to it.
    Article.objects.filter(pk=article.pk).update(
        last_reviewed=today, next_review_due=today + timedelta(days=365)
    )
    transaction.on_commit(lambda: notifications.approved(approval))
    return approval


def comment(article, user, body, section=None):
    body = body.strip()
    if not body:
        raise ReviewError("Write a comment first.")
    note = ReviewComment.objects.create(article=article, section=section, author=user, body=body)
    transaction.on_commit(lambda: notifications.commented(note))
    return note


def resolve(note, user):
    if note.resolved_at is None:
        note.resolved_at = timezone.now()
        note.resolved_by = user
        note.save(update_fields=["resolved_at", "resolved_by"])
    return note
