"""A reviewed publish in Chromium, with four people: an editor, a medical reviewer, a
publisher and a superuser, each in a browser of their own."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Person
from tests.browser import log_in, open_fieldset

pytestmark = [pytest.mark.browser, pytest.mark.review_required]

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def sign_in(browser, live_server, django_user_model):
    def sign_in(username, *groups, superuser=False, person=None):
        if superuser:
            user = django_user_model.objects.create_superuser(username, "", PASSWORD)
        else:
            user = django_user_model.objects.create_user(
                username, f"{username}@example.org", PASSWORD, is_staff=True
            )
            user.groups.add(*Group.objects.filter(name__in=groups))
        if person:
            Person.objects.create(name=person, slug=username, credentials="MD", user=user)
        return log_in(browser.new_context().new_page(), live_server, username, PASSWORD)

    return sign_in


def test_editor_reviewer_publisher_and_superuser(browser, live_server, sign_in, seed_article):
    change_url = f"{live_server.url}/admin/articles/article/{seed_article.pk}/change/"
    article_url = f"{live_server.url}{seed_article.get_absolute_url()}"
    reader = browser.new_context().new_page()
    editor = sign_in("edith", "Editors")
    reviewer = sign_in("rhea", "Medical reviewers", person="Dr Rhea Park")
    publisher = sign_in("pablo", "Publishers")
    admin = sign_in("root", superuser=True)

    # The editor changes the live article, saves, and submits it for review.
    editor.goto(change_url)
    editor.locator("#id_subtitle").fill("Enhancing Sleep Quality, reviewed")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.get_by_label("Note for the reviewer").fill("New subtitle; please check.")
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator(".review-state")).to_contain_text("Waiting for medical review")

    # The reviewer comments on a section.
    reviewer.goto(change_url)
    reviewer.get_by_label("Comment").fill("Say which trial supports this.")
    reviewer.get_by_label("on", exact=True).select_option(label="Muscle Relaxation:")
    reviewer.get_by_role("button", name="Add comment").click()
    expect(reviewer.locator(".review-comments")).to_contain_text("Say which trial")

    # The editor resolves it, changes the text, and submits again.
    editor.goto(change_url)
    expect(editor.locator(".review-comments")).to_contain_text("on “Muscle Relaxation:”")
    editor.get_by_role("button", name="Resolve").click()
    expect(editor.locator(".review-comments")).to_contain_text("resolved by edith")
    editor.locator("#id_subtitle").fill("Enhancing Sleep Quality, reviewed twice")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.get_by_role("button", name="Submit for review").click()

    # The reviewer approves; the editor cannot publish; the publisher does.
    reviewer.goto(change_url)
    reviewer.get_by_role("button", name="Approve this draft").click()
    expect(reviewer.locator(".review-state")).to_contain_text("Approved by Dr Rhea Park, MD")
    editor.goto(change_url)
    expect(editor.get_by_role("button", name="Save and publish")).to_have_count(0)
    expect(editor.get_by_role("button", name="Publish this draft")).to_have_count(0)
    publisher.goto(change_url)
    publisher.get_by_role("button", name="Publish this draft").click()
    expect(publisher.locator(".messagelist")).to_contain_text("is live now")

    reader.goto(article_url)
    expect(reader.locator(".subtitle")).to_have_text("Enhancing Sleep Quality, reviewed twice")
    expect(reader.locator(".review")).to_contain_text("Medically reviewed by Dr Rhea Park, MD")

    # A later change published by a superuser without approval claims no review.
    admin.goto(change_url)
    expect(admin.locator(".review-state")).to_contain_text("Approved by")
    admin.locator("#id_subtitle").fill("Enhancing Sleep Quality, corrected")
    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.locator(".errornote, .messagelist .error")).to_contain_text("no medical approval")
    admin.goto(change_url)
    expect(admin.locator(".review-state")).to_contain_text("Approval void")
    open_fieldset(admin, "Publishing")
    admin.get_by_label("Publish without medical approval, because").fill("Typo in the subtitle.")
    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.locator(".messagelist")).to_contain_text("is live now")

    reader.goto(article_url)
    expect(reader.locator(".subtitle")).to_have_text("Enhancing Sleep Quality, corrected")
    expect(reader.locator(".review")).to_have_count(0)
    assert "reviewedBy" not in reader.content()
