"""Background work of results: refreshing stored results and rendering pages ahead (through
the django-tasks API: immediate by default, a worker otherwise)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from trellis.web.results import services
from trellis.web.results.warming import warm


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
