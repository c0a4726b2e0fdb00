"""Background work through the django-tasks API (immediate by default, a worker otherwise)."""

from __future__ import annotations

from django_tasks import task

from trellis.web.results import services


@task()
def refresh_observations(changes: list[list[object]]) -> list[str]:
    """Store the results affected by changed observations ``[[code, period, value], …]``."""
    return services.observations_changed([(str(c), str(p), v) for c, p, v in changes])  # type: ignore[misc]


@task()
def recompute_all() -> None:
    """Re-evaluate everything (after definitions changed)."""
    services.recompute()
