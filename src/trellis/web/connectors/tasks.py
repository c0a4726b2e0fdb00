"""Background work of connectors: the scheduled runs (``trellis worker`` queues a look for
them every minute)."""

from __future__ import annotations

from django_tasks import task

from trellis.web.connectors.services import runs


@task()
def run_due_connectors() -> list[str]:
    """Run the scheduled database connections whose time has come; their names and results."""
    return [f"{r.connection.name}: {r.state}" for r in runs.run_due()]
