"""Sessions kept on the server, each knowing whose it is (``SESSION_ENGINE``), so that
signing out, a password change, deactivation and ``trellis sessions --revoke`` end them: a
copied session cookie is worth nothing afterwards."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections, models, router
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from trellis.web.accounts.names import person_named


class Session(AbstractBaseSession):
    """A session with the person it belongs to (none before signing in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )

    class Meta:
        app_label = "accounts"

    @classmethod
    def get_session_store_class(cls) -> Any:
        return SessionStore


class SessionStore(DatabaseStore):
    """Django's database sessions in the ``Session`` table above.

    Every request reads its session, so that read is one prepared statement rather than a
    queryset: building and compiling the query cost more than running it (0.5 ms of a
    cached page's 2 ms)."""

    @classmethod
    def get_model_class(cls) -> Any:
        return Session

    def _get_session_from_db(self) -> Session | None:
        connection = connections[router.db_for_read(Session)]
        table = connection.ops.quote_name(Session._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table}"  # noqa: S608 - our table
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(
            session_key=self.session_key, session_data=row[0], expire_date=_moment(row[1])
        )

    @classmethod
    def forget(cls, keys: list[str]) -> None:
        """Drop what is kept of these ended sessions outside the database (nothing here)."""

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        row: Session = super().create_model_instance(data)
        try:
            row.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            row.user_id = None
        return row


def _moment(raw: Any) -> datetime:
    """A datetime read by a plain cursor (SQLite gives text, PostgreSQL a datetime)."""
    if isinstance(raw, datetime):
        moment = raw
    else:
        parsed = parse_datetime(str(raw))
        assert parsed is not None
        moment = parsed
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def end_sessions(user: Any) -> int:
    """End every session of ``user``; how many there were."""
    keys = list(Session.objects.filter(user=user).values_list("session_key", flat=True))
    removed, _ = Session.objects.filter(session_key__in=keys).delete()
    import_module(settings.SESSION_ENGINE).SessionStore.forget(keys)
    return removed


def revoke(name: str) -> int | None:
    """End every session of the person named ``name`` (written any way); how many there
    were, or None when nobody has that name."""
    user = person_named(name)
    return None if user is None else end_sessions(user)


def open_sessions() -> list[tuple[str, int]]:
    """People with sessions that have not expired, and how many each has."""
    found = (
        Session.objects.filter(user__isnull=False, expire_date__gt=timezone.now())
        .values_list("user__username")
        .annotate(n=Count("session_key"))
        .order_by("user__username")
    )
    return [(name, n) for name, n in found]
