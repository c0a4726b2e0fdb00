"""Background work through the django-tasks API (immediate by default, a worker otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from trellis.web.accounts import throttle
from trellis.web.accounts.sessions import Session
from trellis.web.results import services
from trellis.web.results.services import uploads
from trellis.web.scorecards.warming import warm


@task()
def refresh_observations(changes: list[list[object]]) -> list[str]:
    """Store the results affected by changed observations ``[[code, period, value], …]``;
    returns the codes of the units concerned."""
    refreshed = services.observations_changed([(str(c), str(p), v) for c, p, v in changes])  # type: ignore[misc]
    _warm_after(refreshed.units, refreshed.full)
    return refreshed.units


@task()
def recompute_all() -> None:
    """Re-evaluate everything (after definitions changed)."""
    services.recompute()
    _warm_after(None, full=True)


@task()
def warm_pages(units: list[str] | None) -> int:
    """Render the scorecards and strategy maps of these units (all when None) ahead."""
    return warm(units)


def _warm_after(units: list[str] | None, full: bool) -> None:
    """Pages are rendered ahead after an incremental refresh (``TRELLIS_WARM_PAGES=changed``,
    the default: a handful of units) and also after full recomputations (``all``: meant for
    installations whose tasks run in a worker)."""
    mode = settings.TRELLIS_WARM_PAGES
    if mode == "all" or (mode == "changed" and not full):
        warm_pages.enqueue(None if full else units)


@task()
def run_due_connectors() -> list[str]:
    """Run the scheduled database connections whose time has come; their names and results."""
    from trellis.web.results.services import connectors  # noqa: PLC0415 - imports data

    return [f"{r.connection.name}: {r.state}" for r in connectors.run_due()]


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
