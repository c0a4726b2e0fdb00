"""Sign-in throttling, in the database so that every server process counts together.

Attempts are counted *before* the password is checked, per client address and canonical
name; after ``LOGIN_FAILURES_ALLOWED`` failed ones, further attempts are refused until
``LOGIN_LOCKOUT_SECONDS`` have passed since the last. A successful sign-in clears the
count. Parallel attempts cannot slip through between a check and a count: both happen in
one transaction on the row.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from trellis.web.accounts.names import canonical


class LoginAttempts(models.Model):
    """Recent failed sign-in attempts of one name from one address (hashed together)."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        app_label = "accounts"


def attempt_key(address: str, name: str) -> str:
    """The key of a client address and a name as typed (any way of writing it)."""
    return hashlib.sha256(f"{address}|{canonical(name)}".encode()).hexdigest()


def may_attempt(key: str) -> bool:
    """Count an attempt; False (and not counted) when too many failed recently."""
    now = timezone.now()
    since = now - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    for _ in range(2):  # a parallel first attempt may create the row between our two steps
        try:
            with transaction.atomic():
                row, _created = LoginAttempts.objects.select_for_update().get_or_create(
                    key=key, defaults={"last_at": now}
                )
                if row.last_at < since:
                    row.count = 0
                if row.count >= settings.LOGIN_FAILURES_ALLOWED:
                    return False
                row.count += 1
                row.last_at = now
                row.save(update_fields=["count", "last_at"])
                return True
        except IntegrityError:
            continue
    return False


def succeeded(key: str) -> None:
    """Forget the attempts of a name and address that signed in."""
    LoginAttempts.objects.filter(key=key).delete()


def forget_old() -> int:
    """Remove counts older than the lockout (the worker does so on its schedule)."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    removed, _ = LoginAttempts.objects.filter(last_at__lt=since).delete()
    return removed
