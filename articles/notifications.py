"""E-mail about medical review, through Django's e-mail framework (EMAIL_BACKEND: the
console by default, so nothing leaves a laptop; tests use the in-memory backend).

Who hears what: a submission goes to the Medical reviewers; an approval to whoever
submitted the draft and to the Publishers; a comment to everyone taking part in the
article's review but its writer. Nobody gets mail about their own action.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse

REVIEWERS, PUBLISHERS = "Medical reviewers", "Publishers"


def group_addresses(name):
    users = get_user_model().objects.filter(groups__name=name, is_active=True)
    return {user.email for user in users if user.email}


def _link(article):
    path = reverse("admin:articles_article_change", args=[article.pk])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send(subject, body, addresses, exclude=None):
    addresses = set(addresses) - {exclude.email if exclude is not None else None} - {""}
    if not addresses:
        return 0
    messages = [(subject, body, None, [address]) for address in sorted(addresses)]
    return send_mass_mail(messages, fail_silently=False)


def submitted(submission):
    article = submission.article
    body = (
        f"{submission.submitted_by} asks for a medical review of “{article}”.\n"
        + (f"\nTheir note: {submission.note}\n" if submission.note else "")
        + f"\nReview it here: {_link(article)}\n"
    )
    return _send(
        f"Medical review requested: {article}",
        body,
        group_addresses(REVIEWERS),
        exclude=submission.submitted_by,
    )


def approved(approval):
    article = approval.article
    submitters = {
        submission.submitted_by.email
        for submission in article.review_submissions.select_related("submitted_by")
        if submission.submitted_by and submission.submitted_by.email
    }
    body = (
        f"{approval.reviewer.display_name} approved the draft of “{article}” as it is now.\n"
        f"Any change to it voids the approval. Publish it here: {_link(article)}\n"
    )
    return _send(
        f"Medically approved: {article}",
        body,
        submitters | group_addresses(PUBLISHERS),
        exclude=approval.approved_by,
    )


def commented(note):
    article = note.article
    taking_part = {
        comment.author.email for comment in article.review_comments.select_related("author")
    } | {
        submission.submitted_by.email
        for submission in article.review_submissions.select_related("submitted_by")
        if submission.submitted_by
    }
    where = f" on “{note.section.heading}”" if note.section else ""
    body = f"{note.author} commented{where}:\n\n{note.body}\n\nReply here: {_link(article)}\n"
    return _send(
        f"Review comment on “{article}”",
        body,
        taking_part | group_addresses(REVIEWERS),
        exclude=note.author,
    )


def review_due(article, addresses):
    body = (
        f"“{article}” is due for its medical review on {article.next_review_due:%d %B %Y}.\n"
        f"Review it here: {_link(article)}\n"
    )
    return _send(f"Medical review due: {article}", body, addresses)
