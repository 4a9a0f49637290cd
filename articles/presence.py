"""Who else is editing an article, and the lock one editor may take on it.

Presence is a heartbeat: an open change form posts every PRESENCE_HEARTBEAT_SECONDS
(static/js/article-presence.js, articles.presence_admin), and anyone seen within the last
PRESENCE_WINDOW_SECONDS is "also editing this article (since 10:42)". Leaving needs no
message: an editor not seen within the window is gone.

A lock lets only its holder save the draft or publish it from the admin (the change form,
"Save and publish", "Publish this draft", the list's publish action, restoring a revision,
deleting). The holder unlocks it; a superuser, or a user with `articles.break_lock`, may
break it, which the admin's log entries record on the article, and the holder is told on
their next heartbeat or page. Locks do not expire: their age is shown instead. Unpublishing
is not locked (a takedown must not wait), nor are review steps (submit, comment, approve),
which change no draft, nor scripts.

Neither is content: no revision, version, fingerprint, rendering or cache follows from them.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.timesince import timesince

from .models import ArticleLock, EditingSession


class LockError(Exception):
    """Why a lock step cannot be taken, in editors' words."""


def name(user):
    """A user as the admin names them to colleagues: their full name, else the user name."""
    return user.get_full_name() or user.get_username()


def when(moment):
    """10:42 today, else 26 Nov 2026, 10:42: in the site's time zone."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return formats.date_format(local, "j M Y, H:i")


def _age(moment):
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago".replace("\xa0", " ")


def _locked_by(lock):
    return f"Locked by {name(lock.locked_by)} since {when(lock.locked_at)} ({_age(lock.locked_at)})"


def current_lock(article_id):
    return ArticleLock.objects.select_related("locked_by").filter(article_id=article_id).first()


def refusal(article_id, user):
    """Why `user` may not save or publish this article's draft now (another editor holds
    its lock), or None."""
    lock = current_lock(article_id)
    if lock is None or lock.locked_by_id == user.pk:
        return None
    return _refused(lock)


def _refused(lock):
    return (
        f"{_locked_by(lock)}: only they can save or publish it until they unlock it "
        "(or an administrator breaks the lock)."
    )


def heartbeat(article, user):
    """Record that `user` has the article's change form open now."""
    now = timezone.now()
    mine = EditingSession.objects.filter(article=article, user=user)
    if not mine.filter(last_seen__gte=now - _window()).update(last_seen=now):
        # A new visit, or back after the window: "since" starts again.
        EditingSession.objects.update_or_create(
            article=article, user=user, defaults={"started_at": now, "last_seen": now}
        )


def take_notice(article, user):
    """The notice that `user`'s lock on the article was broken, once; else ""."""
    session = (
        EditingSession.objects.filter(article=article, user=user, lock_broken_at__isnull=False)
        .select_related("lock_broken_by")
        .first()
    )
    return _told(session) if session else ""


def _told(session):
    EditingSession.objects.filter(pk=session.pk).update(lock_broken_by=None, lock_broken_at=None)
    by = name(session.lock_broken_by) if session.lock_broken_by else "someone"
    return (
        f"Your lock on this article was broken by {by} at {when(session.lock_broken_at)}: "
        "others may save it now."
    )


def standing(article, user, *, may_lock, may_break):
    """What the change form shows `user`: who else is editing, the lock, which lock buttons
    apply, and a notice that their lock was broken (given once). Two or three queries."""
    sessions = (
        EditingSession.objects.filter(article=article)
        .filter(Q(last_seen__gte=timezone.now() - _window()) | Q(user=user))
        .select_related("user", "lock_broken_by")
    )
    others, notice = [], ""
    for session in sessions:
        if session.user_id != user.pk:
            others.append(
                {
                    "name": name(session.user),
                    "since": when(session.started_at),
                    "text": f"{name(session.user)} is also editing this article "
                    f"(since {when(session.started_at)}).",
                }
            )
        elif session.lock_broken_at is not None:
            notice = _told(session)
    lock = current_lock(article.pk)
    mine = lock is not None and lock.locked_by_id == user.pk
    return {
        "others": others,
        "lock": None
        if lock is None
        else {
            "holder": name(lock.locked_by),
            "since": when(lock.locked_at),
            "mine": mine,
            "text": (
                f"You locked this article at {when(lock.locked_at)} ({_age(lock.locked_at)}): "
                "nobody else can save or publish it until you unlock it."
            )
            if mine
            else f"{_locked_by(lock)}: only they can save or publish it until they unlock it.",
        },
        "can_lock": may_lock and lock is None,
        "can_unlock": mine,
        "can_break": may_break and lock is not None and not mine,
        "notice": notice,
    }


def lock(article, user):
    held, _ = ArticleLock.objects.get_or_create(article=article, defaults={"locked_by": user})
    if held.locked_by_id != user.pk:
        raise LockError(_refused(held))


def unlock(article, user):
    if not ArticleLock.objects.filter(article=article, locked_by=user).delete()[0]:
        raise LockError("You do not hold the lock on this article (any more).")


def break_lock(article, user):
    """Take another editor's lock away; they are told (see standing()). Returns the lock."""
    held = current_lock(article.pk)
    if held is None:
        raise LockError("This article is not locked (any more).")
    if held.locked_by_id == user.pk:
        raise LockError("This is your own lock: unlock it instead.")
    # Only that lock: if it changed hands meanwhile, nothing is broken.
    if not ArticleLock.objects.filter(article=article, locked_by=held.locked_by).delete()[0]:
        raise LockError("This article is not locked by them any more.")
    now = timezone.now()
    told = {"lock_broken_by": user, "lock_broken_at": now}
    EditingSession.objects.update_or_create(
        article=article,
        user=held.locked_by,
        defaults=told,
        # Not seen editing since they took the lock: not shown as editing now.
        create_defaults={**told, "started_at": held.locked_at, "last_seen": held.locked_at},
    )
    return held


def _window():
    return timedelta(seconds=settings.PRESENCE_WINDOW_SECONDS)
