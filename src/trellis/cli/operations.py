"""Commands that run and keep an installation: migrating, backing up and restoring, and
the worker (queued work, its heartbeat and the schedule of connectors and housekeeping)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trellis.cli.installation import DataDir, _fail, migrate, out, setup


def register(app: typer.Typer) -> None:
    """Add the operations commands to the ``trellis`` application."""

    @app.command("migrate")
    def migrate_command(data_dir: DataDir = None) -> None:
        """Bring the database up to this version (run once before restarting several
        processes after an upgrade; serve and worker also do it as they start)."""
        setup(data_dir, create=True)
        migrate()
        out.print("The database is up to date.")

    @app.command()
    def backup(
        folder: Annotated[Path, typer.Argument(help="A new or empty folder for the backup.")],
        data_dir: DataDir = None,
    ) -> None:
        """Write a consistent backup of this installation (every table of the database,
        the data folder's keys) into a folder, while it keeps running."""
        setup(data_dir)
        from trellis.web.core import backup as backups

        try:
            made = backups.backup(folder)
        except backups.BackupError as exc:
            raise _fail(str(exc)) from None
        out.print(
            f"Backed up {made.rows:,} rows of {made.tables} tables into {folder}/ "
            f"({made.bytes / 1e6:.1f} MB, {made.seconds:.1f} s)."
        )

    @app.command()
    def restore(
        folder: Annotated[Path, typer.Argument(help="A folder made by trellis backup.")],
        data_dir: DataDir = None,
    ) -> None:
        """Restore a backup into a new installation: a new data folder, or an empty database
        (DATABASE_URL); then migrate it to this version. Nothing is kept if anything fails."""
        setup(data_dir, create=True)
        from trellis.web.core import backup as backups

        try:
            done = backups.restore(folder)
        except backups.BackupError as exc:
            raise _fail(str(exc)) from None
        out.print(
            f"Restored {done.rows:,} rows of {done.tables} tables from {folder}/ "
            f"({done.seconds:.1f} s)."
        )

    @app.command()
    def worker(
        schedule_every: Annotated[
            int,
            typer.Option(
                "--schedule-every",
                help="Seconds between looks for scheduled connector runs (0: none).",
            ),
        ] = 60,
        data_dir: DataDir = None,
    ) -> None:
        """Run queued background work (queued in Redis with TRELLIS_REDIS_URL, or in the
        database with TRELLIS_TASK_BACKEND=database) and start the scheduled database
        connectors when they are due. Several workers may run, on several machines."""
        setup(data_dir, create=True)
        migrate()
        import threading

        from django.conf import settings
        from django.core.management import call_command

        from trellis.web.results import services

        if not settings.TASKS_IN_WORKER:
            raise _fail(
                "there is no queue to work on: set TRELLIS_REDIS_URL (or "
                "TRELLIS_TASK_BACKEND=database) for this command and the web processes; "
                "without either, the web processes do the background work themselves"
            )
        from trellis.web.collection.services import uploads
        from trellis.web.collection.tasks import import_upload
        from trellis.web.core import delegate

        threading.Thread(target=_heartbeat, daemon=True).start()
        if services.catch_up():
            out.print("The stored results were behind the data (an interrupted refresh): redone.")
        if settings.TRELLIS_EVALUATION == "worker":
            # The web processes hold no evaluated scorecard: this worker builds it now and
            # answers their explanations, charts and data checks from it.
            threading.Thread(target=delegate.answer, args=(threading.Event(),), daemon=True).start()
            threading.Thread(target=services.prepare, daemon=True).start()
        for upload in uploads.waiting_in_queue():  # a second run of a committed one is a no-op
            import_upload.enqueue(upload)
        if schedule_every > 0:
            threading.Thread(target=_scheduler, args=(schedule_every,), daemon=True).start()
        if settings.TASK_BACKEND == "rq":
            # One process that keeps its evaluated scorecard from job to job (RQ's default
            # worker forks a process per job, which would evaluate everything every time).
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                worker_class="rq.worker.SimpleWorker",
            )
        else:
            call_command("db_worker")


def _heartbeat() -> None:
    """Tell /healthz that this worker is alive, every few seconds, until it stops."""
    import logging
    import time

    from django.db import close_old_connections

    from trellis.web.core import health

    name = health.worker_name()
    while True:
        try:
            close_old_connections()
            health.beat(name)
        except Exception:
            logging.getLogger("trellis.worker").exception("could not record the heartbeat")
        time.sleep(health.BEAT_SECONDS)


def _scheduler(every: int, rounds: int | None = None) -> None:
    """Every ``every`` seconds, queue a look for due connector runs and the housekeeping
    (expired uploads, sessions and sign-in counts; the worker runs them). A round that
    fails (the database away for a moment) is logged and the next one comes as usual;
    ``rounds`` limits them (tests)."""
    import logging
    import time

    from django.db import close_old_connections

    from trellis.web.collection.tasks import housekeeping
    from trellis.web.connectors.tasks import run_due_connectors

    log = logging.getLogger("trellis.worker")
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            close_old_connections()
            run_due_connectors.enqueue()
            housekeeping.enqueue()
        except Exception:
            log.exception("could not queue the scheduled work; next try in %d s", every)
        time.sleep(every)
