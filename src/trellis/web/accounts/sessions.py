"""Sessions kept on the server, each knowing whose it is (``SESSION_ENGINE``), so that
signing out, a password change, deactivation and ``trellis sessions --revoke`` end them: a
copied session cookie is worth nothing afterwards."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Count
from django.utils import timezone

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
    """Django's database sessions in the ``Session`` table above."""

    @classmethod
    def get_model_class(cls) -> Any:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        row: Session = super().create_model_instance(data)
        try:
            row.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            row.user_id = None
        return row


def end_sessions(user: Any) -> int:
    """End every session of ``user``; how many there were."""
    removed, _ = Session.objects.filter(user=user).delete()
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
