"""Background work of data collection: large imports, and removing what has expired."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from trellis.web.accounts import throttle
from trellis.web.accounts.sessions import Session
from trellis.web.collection.models import PendingUpload
from trellis.web.collection.services import data, uploads


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


@task()
def import_upload(upload_id: int) -> str:
    """Import a previewed file handed to the worker, as its person, checked again. The
    import and the removal of the kept file commit together: a worker stopped half-way
    leaves the file queued and nothing written, and the next worker runs it again; a
    second run of one already committed finds nothing to do."""
    pending = PendingUpload.objects.filter(pk=upload_id).exclude(queued_at=None).first()
    if pending is None:
        return "already imported"
    name = pending.file_name
    check = data.check_file(name, bytes(pending.content), pending.user, pending.confirmed)
    if check.errors or (check.confirmations and not pending.confirmed):
        problems = [*check.errors, *check.confirmations]
        pending.failure = "; ".join(f.message for f in problems[:5])
        pending.save(update_fields=["failure"])
        return f"refused: {pending.failure}"
    with transaction.atomic():
        written = data.commit(check, pending.user, "import", name)
        PendingUpload.objects.filter(pk=pending.pk).delete()
    return f"{name}: {written.created} new, {written.updated} changed, {written.pending} pending"
