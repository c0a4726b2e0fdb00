"""Uploaded data files between their preview and their import: kept in the database for
their person only, for a limited time, a few per person."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.web.collection.models import PendingUpload


def keep(user: Any, file_name: str, content: bytes) -> str:
    """Keep a previewed file for ``user`` and return the token that imports it. Expired
    files of anyone, and this person's oldest beyond the allowed number, are removed."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        remove_expired()
        PendingUpload.objects.create(
            token=token, user=user, file_name=file_name[:300], content=content
        )
        theirs = PendingUpload.objects.filter(user=user, queued_at=None).order_by(
            "-created_at", "-pk"
        )
        extra = list(theirs.values_list("pk", flat=True)[settings.TRELLIS_PENDING_UPLOADS :])
        PendingUpload.objects.filter(pk__in=extra).delete()
    return token


def take(user: Any, token: str) -> PendingUpload | None:
    """The file ``user`` previewed under ``token``, unless it expired, is someone else's
    or is already queued for import."""
    return PendingUpload.objects.filter(
        user=user, token=token, created_at__gte=_expiry(), queued_at=None
    ).first()


def queue(upload: PendingUpload, confirmed: bool) -> None:
    """Hand the import of a previewed file to the worker (kept until it is committed)."""
    upload.queued_at = timezone.now()
    upload.confirmed = confirmed
    upload.failure = ""
    upload.save(update_fields=["queued_at", "confirmed", "failure"])


def queued(user: Any) -> list[PendingUpload]:
    """This person's imports handed to the worker and not committed yet (or refused)."""
    return list(PendingUpload.objects.filter(user=user).exclude(queued_at=None).defer("content"))


def waiting_in_queue() -> list[int]:
    """Every queued import not refused: what a worker starting runs (again)."""
    return list(
        PendingUpload.objects.exclude(queued_at=None)
        .filter(failure="")
        .values_list("pk", flat=True)
    )


def discard(upload: PendingUpload) -> None:
    """Remove a file once imported."""
    upload.delete()


def remove_expired() -> int:
    """Remove every file older than the allowed time; how many there were."""
    old = _expiry()
    removed, _ = PendingUpload.objects.filter(
        Q(created_at__lt=old, queued_at=None) | Q(queued_at__lt=old) & ~Q(failure="")
    ).delete()
    return removed


def _expiry() -> Any:
    return timezone.now() - timedelta(minutes=settings.TRELLIS_UPLOAD_MINUTES)
