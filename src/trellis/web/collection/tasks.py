"""Background work of data collection: removing what has expired."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from trellis.web.accounts import throttle
from trellis.web.accounts.sessions import Session
from trellis.web.collection.services import uploads


@task()
def housekeeping() -> dict[str, int]:
    """Remove what has expired: previewed uploads nobody imported in time, sessions and
    counts of failed sign-ins; how many of each."""
    ended, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {
        "uploads": uploads.remove_expired(),
        "sessions": ended,
        "sign_in_counts": throttle.forget_old(),
    }
