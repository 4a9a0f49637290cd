"""Who else is editing an article (a heartbeat), and the lock one editor may take on it."""

from datetime import UTC, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import ArticleLock, EditingSession, LiveVersion
from mgsite.page_cache import generations
from tests.admin_forms import form_data, open_form

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def people(django_user_model):
    def user(name, *groups, **fields):
        account = django_user_model.objects.create_user(
            name, f"{name}@example.org", f"{name}-long-password", is_staff=True, **fields
        )
        account.groups.add(*Group.objects.filter(name__in=groups))
        return account

    return {
        "edith": user("edith", "Editors", first_name="Edith", last_name="Wharton"),
        "ed": user("ed", "Editors"),
        "rhea": user("rhea", "Medical reviewers"),
        "pablo": user("pablo", "Publishers"),
    }


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def presence_url(article_id):
    return reverse("admin:articles_article_presence", args=[article_id])


def lock_url(article_id):
    return reverse("admin:articles_article_lock", args=[article_id])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def beat(user, article):
    response = as_user(user).post(presence_url(article.pk))
    assert response.status_code == 200
    return response.json()


def step(user, article, action):
    return as_user(user).post(lock_url(article.pk), {"lock_action": action}, **JSON)


# The heartbeat ---------------------------------------------------------------------------


def test_heartbeat_is_for_signed_in_staff_only(client, seed_article):
    response = client.post(presence_url(seed_article.pk))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_heartbeat_needs_the_permission_to_change_the_article(people, seed_article):
    assert as_user(people["rhea"]).post(presence_url(seed_article.pk)).status_code == 403
    assert not EditingSession.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "²", "1.0", "0x1", "999999", "1/2", "-1"])
def test_malformed_or_unknown_ids_are_404(admin_client, bad):
    assert admin_client.post(f"/admin/articles/article/{bad}/presence/").status_code == 404
    assert admin_client.post(f"/admin/articles/article/{bad}/lock/").status_code == 404


def test_heartbeat_answers_post_only_and_checks_csrf(admin_user, seed_article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(presence_url(seed_article.pk)).status_code == 405
    assert client.post(presence_url(seed_article.pk)).status_code == 403  # no CSRF token
    assert not EditingSession.objects.exists()


def test_an_editor_sees_who_else_is_editing_and_since_when(people, seed_article):
    assert beat(people["edith"], seed_article)["others"] == []
    started = timezone.localtime(EditingSession.objects.get().started_at)

    others = beat(people["ed"], seed_article)["others"]
    assert others == [
        {
            "name": "Edith Wharton",  # the full name, else the user name
            "since": started.strftime("%H:%M"),
            "text": f"Edith Wharton is also editing this article (since {started:%H:%M}).",
        }
    ]
    assert [other["name"] for other in beat(people["edith"], seed_article)["others"]] == ["ed"]


def test_since_is_in_the_sites_time_zone(settings, people, seed_article):
    settings.TIME_ZONE = "Asia/Kathmandu"  # UTC+05:45: no time there reads like UTC's
    beat(people["edith"], seed_article)
    started = EditingSession.objects.get().started_at
    others = beat(people["ed"], seed_article)["others"]
    assert others[0]["since"] == timezone.localtime(started).strftime("%H:%M")
    assert others[0]["since"] != started.astimezone(UTC).strftime("%H:%M")


def test_editors_not_seen_within_the_window_are_gone(settings, people, seed_article):
    beat(people["edith"], seed_article)
    EditingSession.objects.update(
        last_seen=timezone.now() - timedelta(seconds=settings.PRESENCE_WINDOW_SECONDS + 1)
    )
    assert beat(people["ed"], seed_article)["others"] == []


def test_coming_back_after_the_window_starts_a_new_since(settings, people, seed_article):
    long_ago = timezone.now() - timedelta(hours=3)
    EditingSession.objects.create(
        article=seed_article, user=people["edith"], started_at=long_ago, last_seen=long_ago
    )
    beat(people["edith"], seed_article)
    assert EditingSession.objects.get().started_at > long_ago + timedelta(hours=2)


def test_heartbeat_changes_no_content_and_costs_few_queries(
    people, seed_article, django_assert_max_num_queries
):
    as_user(people["edith"]).get(change_url(seed_article))  # its first revision
    seed_article.refresh_from_db()
    before = (
        seed_article.version,
        seed_article.updated_at,
        seed_article.draft_fingerprint,
        Version.objects.count(),
        generations.current(),
    )
    client = as_user(people["ed"])
    beat(people["edith"], seed_article)
    assert client.post(presence_url(seed_article.pk)).status_code == 200  # the first: an insert
    # Session and user (2), article, permissions (2), the heartbeat, who is here, the lock.
    with django_assert_max_num_queries(8):
        assert client.post(presence_url(seed_article.pk)).status_code == 200
    step(people["ed"], seed_article, "lock")
    step(people["ed"], seed_article, "unlock")
    seed_article.refresh_from_db()
    after = (
        seed_article.version,
        seed_article.updated_at,
        seed_article.draft_fingerprint,
        Version.objects.count(),
        generations.current(),
    )
    assert after == before


def test_the_change_form_polls_at_the_configured_interval(settings, people, seed_article):
    settings.PRESENCE_HEARTBEAT_SECONDS = 7
    beat(people["edith"], seed_article)
    html = as_user(people["ed"]).get(change_url(seed_article)).content.decode()
    assert 'data-interval="7"' in html
    assert "Edith Wharton is also editing this article (since" in html
    assert "js/article-presence.js" in html
    assert 'role="status"' in html
    # Opening the form counts as a heartbeat: the first editor sees the second at once.
    assert [other["name"] for other in beat(people["edith"], seed_article)["others"]] == ["ed"]


# The lock ----------------------------------------------------------------------------------


def test_a_locked_article_refuses_another_editors_save_and_keeps_their_text(people, seed_article):
    assert step(people["edith"], seed_article, "lock").status_code == 200
    client = as_user(people["ed"])
    form = open_form(client, change_url(seed_article))
    assert "Locked by Edith Wharton since" in client.get(change_url(seed_article)).text
    form["title"] = "Ed's title"
    form["sections-0-body"] = "Ed's rewritten first section."

    response = client.post(change_url(seed_article), form)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Locked by Edith Wharton since" in html
    assert "Nothing you typed has been saved or lost" in html
    assert "Ed&#x27;s title" in html and "Ed&#x27;s rewritten first section." in html
    seed_article.refresh_from_db()
    assert seed_article.title == "Magnesium Glycinate for Sleep"


def test_the_lock_refuses_save_and_publish_and_the_publish_tool(people, seed_article):
    seed_article.subtitle = "A draft change readers do not have yet"
    seed_article.save()
    step(people["edith"], seed_article, "lock")
    client = as_user(people["pablo"])
    live = LiveVersion.objects.filter(article=seed_article).count()
    form = open_form(client, change_url(seed_article))
    form["subtitle"] = "Pablo's subtitle"
    form["_publish"] = "Save and publish"
    assert client.post(change_url(seed_article), form).status_code == 200
    publish = reverse("admin:articles_article_publish", args=[seed_article.pk])
    response = client.post(publish, follow=True)
    assert "Not published. Locked by Edith Wharton since" in response.content.decode()
    changelist = reverse("admin:articles_article_changelist")
    response = client.post(
        changelist, {"action": "publish", "_selected_action": [seed_article.pk]}, follow=True
    )
    assert "not published. Locked by Edith Wharton" in response.content.decode()
    assert LiveVersion.objects.filter(article=seed_article).count() == live
    seed_article.refresh_from_db()
    assert seed_article.subtitle != "Pablo's subtitle"


def test_restoring_a_revision_is_refused_while_another_editor_holds_the_lock(
    admin_client, people, seed_article
):
    form = open_form(admin_client, change_url(seed_article))
    form["subtitle"] = "A subtitle to go back from"
    assert admin_client.post(change_url(seed_article), form).status_code == 302
    first = Version.objects.get_for_object(seed_article).last()
    step(people["edith"], seed_article, "lock")
    url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    response = admin_client.post(url, form_data(admin_client.get(url).content.decode()))
    assert response.status_code == 200
    assert "Locked by Edith Wharton since" in response.content.decode()
    seed_article.refresh_from_db()
    assert seed_article.subtitle == "A subtitle to go back from"


def test_a_locked_article_cannot_be_deleted_by_another_editor(admin_client, people, seed_article):
    step(people["edith"], seed_article, "lock")
    delete = reverse("admin:articles_article_delete", args=[seed_article.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ArticleLock.objects.filter(article=seed_article).exists()


def test_the_holder_saves_and_unlocks_and_then_others_save(people, seed_article):
    step(people["edith"], seed_article, "lock")
    holder = as_user(people["edith"])
    form = open_form(holder, change_url(seed_article))
    assert "You locked this article at" in holder.get(change_url(seed_article)).text
    form["subtitle"] = "Edith's subtitle"
    assert holder.post(change_url(seed_article), form).status_code == 302
    assert ArticleLock.objects.filter(article=seed_article).exists()  # kept across saves

    assert step(people["ed"], seed_article, "unlock").status_code == 409  # not theirs
    state = step(people["edith"], seed_article, "unlock").json()
    assert state["lock"] is None and state["can_lock"]
    other = as_user(people["ed"])
    form = open_form(other, change_url(seed_article))
    form["subtitle"] = "Ed's subtitle"
    assert other.post(change_url(seed_article), form).status_code == 302
    seed_article.refresh_from_db()
    assert seed_article.subtitle == "Ed's subtitle"


def test_a_second_lock_is_refused(people, seed_article):
    step(people["edith"], seed_article, "lock")
    response = step(people["ed"], seed_article, "lock")
    assert response.status_code == 409
    assert response.json()["message"].startswith("Locked by Edith Wharton since")
    assert ArticleLock.objects.get().locked_by == people["edith"]


def test_lock_state_in_the_heartbeat_says_who_and_how_long(people, seed_article):
    step(people["edith"], seed_article, "lock")
    ArticleLock.objects.update(locked_at=timezone.now() - timedelta(hours=2, minutes=5))
    state = beat(people["ed"], seed_article)
    assert state["lock"]["holder"] == "Edith Wharton"
    assert state["lock"]["text"].startswith("Locked by Edith Wharton since ")
    assert "(2 hours ago)" in state["lock"]["text"]
    assert not state["lock"]["mine"]
    assert (state["can_lock"], state["can_unlock"], state["can_break"]) == (False, False, False)
    mine = beat(people["edith"], seed_article)
    assert mine["lock"]["mine"] and mine["can_unlock"]


def test_an_administrator_breaks_a_lock_recorded_and_the_holder_is_told(
    admin_client, admin_user, people, seed_article
):
    beat(people["edith"], seed_article)
    step(people["edith"], seed_article, "lock")
    assert beat(admin_user, seed_article)["can_break"]

    response = admin_client.post(lock_url(seed_article.pk), {"lock_action": "break"}, **JSON)

    assert response.status_code == 200 and response.json()["lock"] is None
    assert not ArticleLock.objects.exists()
    entry = LogEntry.objects.filter(object_id=str(seed_article.pk)).latest("action_time")
    assert entry.user == admin_user
    assert entry.get_change_message() == "Lock held by Edith Wharton broken by admin."
    notice = beat(people["edith"], seed_article)["notice"]
    assert notice.startswith("Your lock on this article was broken by admin at ")
    assert beat(people["edith"], seed_article)["notice"] == ""  # told once


def test_the_holder_is_told_on_their_next_save_too(admin_client, people, seed_article):
    step(people["edith"], seed_article, "lock")
    holder = as_user(people["edith"])
    form = open_form(holder, change_url(seed_article))
    admin_client.post(lock_url(seed_article.pk), {"lock_action": "break"})
    form["subtitle"] = "Edith's subtitle"
    response = holder.post(change_url(seed_article), form, follow=True)
    assert "Your lock on this article was broken by admin at" in response.content.decode()


def test_only_administrators_break_locks(people, seed_article):
    step(people["edith"], seed_article, "lock")
    for name in ["ed", "pablo"]:
        assert step(people[name], seed_article, "break").status_code == 403
    assert ArticleLock.objects.get().locked_by == people["edith"]
    assert not LogEntry.objects.filter(change_message__contains="broken").exists()

    people["ed"].user_permissions.add(Permission.objects.get(codename="break_lock"))
    assert step(people["ed"], seed_article, "break").status_code == 200
    assert not ArticleLock.objects.exists()


def test_the_lock_buttons_work_without_javascript(people, seed_article):
    client = as_user(people["edith"])
    response = client.post(lock_url(seed_article.pk), {"lock_action": "lock"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(seed_article)
    assert "Locked: nobody else can save or publish this article" in response.content.decode()
    assert client.post(lock_url(seed_article.pk), {"lock_action": "nonsense"}).status_code == 400
    assert client.get(lock_url(seed_article.pk)).status_code == 405
