"""Medical review bound to the text it approved: roles, approvals, comments, e-mail."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from articles import publishing, review
from articles.models import Approval, Article, LiveVersion, Person, ReviewComment, Section
from tests.admin_forms import open_form

pytestmark = pytest.mark.review_required


@pytest.fixture
def people(django_user_model):
    """One user per role, each with an e-mail address, and an editor-reviewer."""

    def user(name, *groups, person=False):
        account = django_user_model.objects.create_user(
            name, f"{name}@example.org", f"{name}-long-password", is_staff=True
        )
        account.groups.add(*Group.objects.filter(name__in=groups))
        if person:
            Person.objects.create(
                name=f"Dr {name.title()}", slug=name, credentials="MD", user=account
            )
        return account

    return {
        "editor": user("edith", "Editors"),
        "reviewer": user("rhea", "Medical reviewers", person=True),
        "second_reviewer": user("remi", "Medical reviewers", person=True),
        "publisher": user("pablo", "Publishers"),
        "writing_reviewer": user("wren", "Editors", "Medical reviewers", person=True),
    }


@pytest.fixture
def article(make_article):
    article = make_article("Glycine Before Bed", sections=1, published=False)
    publishing.publish(article, unreviewed_reason="Set up as a live article for the test.")
    return article


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def step_url(article, step):
    return reverse("admin:articles_article_review", args=[article.pk, step])


def page_html(client, article):
    client.logout()
    return client.get(article.get_absolute_url()).content.decode()


def edit(article, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    article.refresh_from_db()


def test_roles_are_made_by_a_migration(db):
    perms = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert "publish_article" not in perms["Editors"] and "change_article" in perms["Editors"]
    assert {"approve_article", "add_reviewcomment"} <= perms["Medical reviewers"]
    assert "change_article" not in perms["Medical reviewers"]
    assert "publish_article" in perms["Publishers"]


def test_publishing_needs_an_approval_of_this_exact_draft(article, people, client):
    edit(article, title="Glycine Before Bed, revised")
    with pytest.raises(publishing.PublishingError, match="no medical approval"):
        publishing.publish(article, by=people["publisher"])
    review.submit(article, people["editor"])
    review.approve(article, people["reviewer"])
    publishing.publish(article, by=people["publisher"])
    html = page_html(client, article)
    assert "Glycine Before Bed, revised" in html
    assert "Medically reviewed by Dr Rhea, MD on" in " ".join(strip_tags(html).split())


def test_any_change_after_approval_voids_it(article, people, admin_client):
    review.approve(article, people["reviewer"])
    assert review.standing(article).state == "approved"
    Section.objects.filter(article=article).first().save()  # unchanged: still approved
    article.refresh_from_db()
    assert review.standing(article).state == "approved"
    section = article.sections.get()
    section.body = "A changed sentence."
    section.save()
    article.refresh_from_db()
    assert review.standing(article).state == "approval void"
    form = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Approval void" in form.content.decode()
    changelist = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "approval void" in changelist
    with pytest.raises(publishing.PublishingError):
        publishing.publish(article, by=people["publisher"])


def test_a_reviewer_cannot_approve_what_they_wrote(article, people):
    """Separation of duties: the second pair of eyes is the point of a medical review."""
    writer = people["writing_reviewer"]
    url = reverse("admin:articles_article_change", args=[article.pk])
    client = Client()
    client.force_login(writer)
    data = open_form(client, url)
    data["title"] = "Glycine Before Bed, by a writing reviewer"
    assert client.post(url, data).status_code == 302
    response = client.post(step_url(article, "approve"), follow=True)
    assert "another medical reviewer must approve it" in response.content.decode()
    assert not Approval.objects.filter(article=article).exists()
    review.approve(article, people["second_reviewer"])  # someone else may
    assert review.standing(article).state == "approved"


def test_the_submitter_cannot_approve_their_own_submission(article, people):
    review.submit(article, people["writing_reviewer"])
    with pytest.raises(review.ReviewError, match="another medical reviewer"):
        review.approve(article, people["writing_reviewer"])


@pytest.mark.parametrize(
    ("role", "step", "allowed"),
    [
        ("reviewer", "submit", False),
        ("publisher", "submit", True),
        ("editor", "submit", True),
        ("editor", "approve", False),
        ("publisher", "approve", False),
        ("reviewer", "approve", True),
        ("publisher", "comment", False),
        ("editor", "comment", True),
        ("reviewer", "comment", True),
    ],
)
def test_every_review_step_checks_its_permission(client, article, people, role, step, allowed):
    response = post(client, people[role], step_url(article, step), {"review_comment": "Hm."})
    assert (response.status_code == 403) is not allowed


def test_publish_url_and_actions_need_the_publish_permission(client, article, people):
    review.approve(article, people["reviewer"])
    edit(article)  # (no change: still approved)
    publish_url = reverse("admin:articles_article_publish", args=[article.pk])
    assert post(client, people["editor"], publish_url).status_code == 403
    changelist = reverse("admin:articles_article_changelist")
    post(
        client,
        people["editor"],
        changelist,
        {"action": "publish", "_selected_action": [article.pk]},
    )
    assert LiveVersion.objects.filter(article=article).count() == 1  # the set-up one only
    assert post(client, people["publisher"], publish_url).status_code == 302
    assert LiveVersion.objects.filter(article=article).count() == 2


def test_only_a_superuser_publishes_without_approval_and_the_reason_is_kept(
    article, people, admin_user, client
):
    edit(article, title="Urgent correction")
    with pytest.raises(publishing.PublishingError, match="Only a superuser"):
        publishing.publish(article, by=people["publisher"], unreviewed_reason="Urgent.")
    version = publishing.publish(article, by=admin_user, unreviewed_reason="Dose typo fixed.")
    assert version.unreviewed_reason == "Dose typo fixed." and version.approval is None
    html = page_html(client, article)
    assert "Urgent correction" in html and "Medically reviewed" not in html


def test_the_page_and_json_ld_claim_a_review_only_for_approved_text(
    article, people, admin_user, client
):
    review.approve(article, people["reviewer"])
    publishing.publish(article, by=people["publisher"])
    html = page_html(client, article)
    assert "Medically reviewed by Dr Rhea, MD" in strip_tags(html)
    assert '"reviewedBy": {"@type": "Person", "name": "Dr Rhea", "jobTitle": "MD", "url": ' in html
    assert '"lastReviewed"' in html

    edit(article, summary="Changed after the review.")
    publishing.publish(article, by=admin_user, unreviewed_reason="Summary only.")
    html = page_html(client, article)
    assert "Medically reviewed" not in html and "reviewedBy" not in html


def test_the_seed_stays_live_claims_no_review_and_needs_approval(seed_article, client, people):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert "Medically reviewed" not in html and "reviewedBy" not in html
    assert seed_article.publishing().state == "live"
    with pytest.raises(publishing.PublishingError):
        publishing.publish(seed_article, by=people["publisher"])


def test_comments_on_the_article_or_a_section_resolvable_and_listed(
    admin_client, article, people, client
):
    section = article.sections.get()
    client.force_login(people["reviewer"])
    client.post(step_url(article, "comment"), {"review_comment": "Cite a trial here."})
    client.post(
        step_url(article, "comment"),
        {"review_comment": "Dose wording is vague.", "review_section": section.pk},
    )
    notes = list(ReviewComment.objects.filter(article=article))
    assert [n.section_id for n in notes] == [None, section.pk]
    form = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = form.content.decode()
    assert "Cite a trial here." in html and f"on “{section.heading}”" in html

    # Someone else's comment needs the right to change comments: editors have it.
    client.force_login(people["publisher"])
    forbidden = client.post(step_url(article, "resolve"), {"comment": notes[0].pk})
    assert forbidden.status_code == 403
    client.force_login(people["editor"])
    client.post(step_url(article, "resolve"), {"comment": notes[0].pk})
    notes[0].refresh_from_db()
    assert notes[0].resolved_by == people["editor"]
    assert (
        "resolved by edith"
        in admin_client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).content.decode()
    )


def test_submit_approve_and_comment_send_email(article, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review.submit(article, people["editor"], "Please check the dose.")
    assert {m.to[0] for m in mail.outbox} == {
        "rhea@example.org",
        "remi@example.org",
        "wren@example.org",
    }
    assert "Please check the dose." in mail.outbox[0].body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        note = review.comment(article, people["reviewer"], "Which trial?")
    recipients = {m.to[0] for m in mail.outbox}
    assert "edith@example.org" in recipients and "rhea@example.org" not in recipients
    mail.outbox.clear()
    review.resolve(note, people["editor"])

    with django_capture_on_commit_callbacks(execute=True):
        review.approve(article, people["second_reviewer"])
    assert {m.to[0] for m in mail.outbox} == {"edith@example.org", "pablo@example.org"}
    assert "Dr Remi, MD approved" in mail.outbox[0].body


def test_review_reminders_by_email(article, people, approve):
    approval = review.approve(article, people["reviewer"])
    Article.objects.filter(pk=article.pk).update(
        next_review_due=timezone.localdate() + timedelta(days=10)
    )
    out = StringIO()
    call_command("remind_reviews", stdout=out)
    assert "Sent 1 reminder(s)." in out.getvalue()
    assert mail.outbox[-1].to == ["rhea@example.org"]
    assert approval.reviewer.user == people["reviewer"]
    assert "due for its medical review" in mail.outbox[-1].body


def test_open_comments_must_be_resolved_before_approving(article, people):
    note = review.comment(article, people["reviewer"], "Source for the dose?")
    with pytest.raises(review.ReviewError, match="Resolve the open comments"):
        review.approve(article, people["reviewer"])
    review.resolve(note, people["reviewer"])
    assert review.approve(article, people["reviewer"]).reviewer.name == "Dr Rhea"


def test_save_and_publish_without_approval_keeps_the_editor_on_the_form(admin_client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = open_form(admin_client, url)
    data["title"] = "Glycine Before Bed, unapproved"
    data["_publish"] = "Save and publish"
    response = admin_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    page = admin_client.get(url).content.decode()
    assert "Saved as a draft, not published" in page and "was changed successfully" not in page
    assert "Publish without medical approval, because" in page
    assert Article.objects.get(pk=article.pk).title == "Glycine Before Bed, unapproved"


def test_only_superusers_see_the_reason_box(client, article, people):
    client.force_login(people["publisher"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert "Publish without medical approval" not in client.get(url).content.decode()


def test_approving_needs_a_person_for_the_account(article, django_user_model):
    anonymous_reviewer = django_user_model.objects.create_user("nobody", "n@example.org", "x" * 20)
    with pytest.raises(review.ReviewError, match="not linked to a person"):
        review.approve(article, anonymous_reviewer)


def test_an_approval_is_of_the_text_the_reviewer_read(client, article, people):
    """Reviewer opens the form; an editor saves a change; the reviewer's approve refuses."""
    client.force_login(people["reviewer"])
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    seen = form.content.decode().split('name="seen_fingerprint" value="')[1].split('"')[0]
    section = article.sections.get()
    section.body = "Take 50 grams a day."
    section.save()
    response = client.post(step_url(article, "approve"), {"seen_fingerprint": seen}, follow=True)
    assert "The draft changed since you opened it" in response.content.decode()
    assert not Approval.objects.filter(article=article).exists()


def test_publishing_attaches_only_the_approval_of_the_published_text(article, people):
    """A byline changed by renaming its author leaves no approval on different text."""
    author = Person.objects.create(name="Ann Author", slug="ann")
    article.authors.add(author)
    review.approve(article, people["reviewer"])
    author.name = "Ann Other"
    author.save()  # the byline is content: the draft changed, the approval no longer holds
    with pytest.raises(publishing.PublishingError, match="no medical approval"):
        publishing.publish(article, by=people["publisher"])


def test_a_reviewers_new_credentials_reach_the_cached_page(client, article, people):
    review.approve(article, people["reviewer"])
    publishing.publish(article, by=people["publisher"])
    assert "Dr Rhea, MD" in page_html(client, article)
    person = people["reviewer"].person
    person.credentials = "MD, PhD"
    person.save()
    assert "Dr Rhea, MD, PhD" in page_html(client, article)


def test_a_bad_section_in_a_comment_is_not_an_error(client, article, people):
    client.force_login(people["reviewer"])
    response = client.post(
        step_url(article, "comment"), {"review_comment": "Hm.", "review_section": "abc"}
    )
    assert response.status_code == 302
    assert ReviewComment.objects.get(article=article).section is None


def test_publish_action_adds_an_approval_given_after_publishing(
    admin_client, client, make_article, approve
):
    """The text readers get was approved afterwards: "Publish selected articles now" is not
    a no-op, it gives readers the review line (it used to skip, "readers already get this
    draft")."""
    article = make_article("Approved later", published=False)
    publishing.publish(article, unreviewed_reason="An urgent correction, reviewed after.")
    approve(article, "Dr Late", "MD")
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "is live now" in response.content.decode()
    assert "Medically reviewed by" in client.get(article.get_absolute_url()).content.decode()
    again = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "readers already get this draft" in again.content.decode()
