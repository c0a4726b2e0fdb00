"""Commands for data: import, export, undo an import, lock periods, remind owners."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trellis.cli.installation import DataDir, err, migrate, out, require_scorecard, setup


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add the data commands to the ``trellis`` application."""

    @app.command("import-data")
    def import_data(
        file: Annotated[Path, typer.Argument(help="CSV or XLSX file, long or wide layout.")],
        confirm_outliers: Annotated[
            bool, typer.Option("--confirm-outliers", help="Accept values flagged as outliers.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Check and report; write nothing.")
        ] = False,
        data_dir: DataDir = None,
    ) -> None:
        """Check every row of a data file, then write all of it or nothing."""
        setup(data_dir)
        migrate()
        require_scorecard()
        from trellis.cli import render
        from trellis.web.collection.services import data

        if not file.is_file():
            raise _fail(f"no such file: {file}")
        check = data.check_file(str(file), file.read_bytes(), None, confirmed=confirm_outliers)
        if check.errors:
            render.findings(err, check.errors)
            err.print(f"{len(check.errors)} problem(s); nothing was written.")
            raise typer.Exit(1)
        if check.confirmations:
            render.findings(err, check.confirmations)
            err.print(
                f"{len(check.confirmations)} value(s) look like outliers; check them and run "
                "again with --confirm-outliers. Nothing was written."
            )
            raise typer.Exit(1)
        if check.nothing_to_do:
            out.print(f"Nothing to change: all {check.unchanged} value(s) are already stored.")
            return
        if dry_run:
            out.print(
                f"{len(check.changes)} value(s) would be written "
                f"({check.unchanged} unchanged); nothing was written (--dry-run)."
            )
            return
        written = data.commit(check, None, "import", file.name)
        record = f" as import #{written.record.pk}" if written.record else ""
        out.print(
            f"Imported {file.name}{record}: {written.created} new, {written.updated} changed, "
            f"{written.pending} waiting for approval, {written.unchanged} unchanged."
        )

    @app.command("export-data")
    def export_data(
        file: Annotated[Path, typer.Argument(help="Where to write: .csv or .xlsx.")],
        layout: Annotated[str, typer.Option(help="long or wide.")] = "long",
        data_dir: DataDir = None,
    ) -> None:
        """Write every observation in the layout imports read."""
        setup(data_dir)
        migrate()
        require_scorecard()
        from trellis.web.collection.services import export

        if layout not in ("long", "wide"):
            raise _fail("--layout must be long or wide")
        table = export.rows(None, layout)
        content = export.to_xlsx(table) if file.suffix.lower() == ".xlsx" else export.to_csv(table)
        file.write_bytes(content)
        out.print(f"Wrote {len(table) - 1} row(s) to {file}")

    @app.command("undo-import")
    def undo_import(
        number: Annotated[int, typer.Argument(help="The import's number.")],
        data_dir: DataDir = None,
    ) -> None:
        """Put back every value an import wrote as it was before."""
        setup(data_dir)
        migrate()
        require_scorecard()
        from trellis.web.collection.services.undo import UndoRefused, undo
        from trellis.web.observations.models import DataImport

        record = DataImport.objects.filter(pk=number).first()
        if record is None:
            raise _fail(f"no import #{number}")
        try:
            count = undo(record, None)
        except UndoRefused as exc:
            raise _fail(str(exc), 1) from None
        out.print(f"Undid import #{number}: {count} value(s) restored or removed.")

    @app.command("lock-period")
    def lock_period(
        period: Annotated[str, typer.Argument(help="A month, quarter, half or fiscal year.")],
        unlock: Annotated[bool, typer.Option("--unlock", help="Open it again.")] = False,
        data_dir: DataDir = None,
    ) -> None:
        """Close a period to every write (or open it again)."""
        setup(data_dir)
        migrate()
        require_scorecard()
        from trellis.web.collection.services import approval

        try:
            if unlock:
                approval.unlock_period(period)
                out.print(f"{period} is open again.")
            else:
                lock = approval.lock_period(period, None)
                out.print(f"Locked {lock.period}.")
        except approval.Refused as exc:
            raise _fail(str(exc), 1) from None

    @app.command("send-reminders")
    def send_reminders(data_dir: DataDir = None) -> None:
        """E-mail owners the values they have to report."""
        setup(data_dir)
        migrate()
        require_scorecard()
        from trellis.web.collection.services.reporting import send_reminders as send

        for reminder in send(None):
            where = reminder.address or "no e-mail address: not sent"
            out.print(f"{reminder.owner or '(no owner)'}: {reminder.items} value(s) — {where}")


__all__ = ["register"]
