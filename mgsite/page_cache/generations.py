"""The site's content generation (models.Generation): read once per cached request, moved on
by every content change, and by the first request after a scheduled go-live or expiry."""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from .models import Generation

ROW = 1  # the one row

logger = logging.getLogger(__name__)


def _next_scheduled_change():
    # The site says where its schedule lives (PAGE_CACHE_NEXT_CHANGE): the page cache
    # serves pages for any app and imports none of them.
    return import_string(settings.PAGE_CACHE_NEXT_CHANGE)()


def _moved_on():
    return {
        "token": uuid.uuid4().hex,
        "number": F("number") + 1,
        "changed_at": timezone.now(),
        "next_change_at": None,
        "next_change_known": False,
    }


def _first():
    try:
        with transaction.atomic():
            return Generation.objects.create(
                pk=ROW, token=uuid.uuid4().hex, changed_at=timezone.now()
            )
    except IntegrityError:  # another process made it at the same moment
        return Generation.objects.get(pk=ROW)


def content_changed():
    """Call on any content change readers see, inside its transaction: once it commits no
    page cached before it is served again (on this connection, at once). One query."""
    if not Generation.objects.filter(pk=ROW).update(**_moved_on()):
        _first()


def current():
    """The generation readers' pages belong to now: one query, and one or two more only for
    the first request of a generation (which looks up the next scheduled change) or the first
    after that change comes (which starts a new generation)."""
    generation = _read() or _first()
    if not generation.next_change_known:
        next_change_at = _next_scheduled_change()
        _note(generation, next_change_at=next_change_at, next_change_known=True)
        generation = Read(
            token=generation.token,
            number=generation.number,
            changed_at=generation.changed_at,
            next_change_at=next_change_at,
            next_change_known=True,
        )
    if generation.next_change_at is not None and timezone.now() >= generation.next_change_at:
        # Only the request that still sees this generation moves it on; any other finds the
        # new one. The new one's next change is after now, so this happens once.
        moved = _note(generation, **_moved_on())
        if moved is None:
            # Not recorded: this request still must not get the pages from before.
            return Generation(pk=ROW, token=uuid.uuid4().hex, changed_at=timezone.now())
        if moved:
            _scheduled_change_came(generation.next_change_at)
        generation = Generation.objects.get(pk=ROW)
    return generation


def _scheduled_change_came(since):
    # The site purges what the go-lives and expiries since then changed from an HTTP cache
    # in front (PAGE_CACHE_SCHEDULED_CHANGE_CAME): the one request that moved the generation
    # on does it, once, before its own page is rendered and kept there.
    if path := getattr(settings, "PAGE_CACHE_SCHEDULED_CHANGE_CAME", ""):
        try:
            import_string(path)(since - timedelta(microseconds=1), timezone.now())
        except Exception:  # the visitor's page matters more; the s-maxage ends it anyway
            logger.exception("page cache: the hook for a scheduled change failed")


def _note(generation, **fields):
    # Bookkeeping on a visitor's request: if the database cannot take the write now (SQLite
    # busy with an editor's save), the values read are still right for this request.
    # Returns the rows changed (0: another request did it first), or None if it failed.
    try:
        return Generation.objects.filter(pk=ROW, token=generation.token).update(**fields)
    except DatabaseError:
        return None


# Every visitor's request for a cached page makes this query, often as the only work besides
# sending the bytes: written out, it costs a fraction of what building it with the ORM does.
_READ = "SELECT token, number, changed_at, next_change_at, next_change_known FROM {} WHERE id = %s"


# The last row read and what was made of it: most reads find the row unchanged.
_last_read = (None, None)


def _read():
    """The row, or None. The request's first query, so it is also the connection's health
    check: Django's own (CONN_HEALTH_CHECKS) would spend a round trip on "SELECT 1" first,
    doubling what a hot page costs on PostgreSQL. If the query fails on a connection kept
    from an earlier request (the server restarted since), it is tried once on a new one."""
    check_pending = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not check_pending:
        return _query()
    connection.health_check_done = True
    try:
        return _query()
    except DatabaseError:
        connection.close()
    return _query()


def _query():
    global _last_read
    with connection.cursor() as cursor:
        cursor.execute(_READ.format(connection.ops.quote_name(Generation._meta.db_table)), [ROW])
        row = cursor.fetchone()
    if row is None:
        return None
    if row == _last_read[0]:
        return _last_read[1]
    token, number, changed_at, next_change_at, next_change_known = row
    read = Read(
        token=token,
        number=number,
        changed_at=_aware(changed_at),
        next_change_at=_aware(next_change_at),
        next_change_known=bool(next_change_known),
    )
    _last_read = (row, read)
    return read


@dataclass(frozen=True)
class Read:
    """The row as read: what a model instance would hold, for a fraction of its cost."""

    token: str
    number: int
    changed_at: datetime
    next_change_at: datetime | None
    next_change_known: bool


def _aware(value):
    # SQLite hands back naive UTC datetimes (or text), PostgreSQL aware ones.
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
