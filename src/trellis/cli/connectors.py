"""``trellis connector …``: database connections, the queries of measures, and runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from trellis.cli.installation import DataDir, err, migrate, out, setup

connector = typer.Typer(help="Read measure values from databases (SQLite, PostgreSQL).")


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@connector.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name (letters, digits, - and _).")],
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL, e.g. postgresql://reader@host/db")],
    password_env: Annotated[
        str, typer.Option("--password-env", help="Read the password from this variable.")
    ] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Store the password read from stdin.")
    ] = False,
    timeout: Annotated[int, typer.Option("--timeout", help="Statement timeout, seconds.")] = 30,
    schedule: Annotated[
        str, typer.Option(help="manual, hourly, daily or weekly (runs by `trellis worker`).")
    ] = "manual",
    data_dir: DataDir = None,
) -> None:
    """Add or change a connection; a password is stored encrypted, never printed."""
    setup(data_dir)
    migrate()
    from django.core.exceptions import ValidationError

    from trellis.web.connectors.services import runs as connectors

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        saved = connectors.save_connection(
            name,
            url,
            password=password,
            password_env=password_env,
            timeout_seconds=timeout,
            schedule=schedule,
        )
    except (connectors.ConnectorError, ValidationError) as exc:
        raise _fail(str(exc)) from None
    out.print(
        f"Connection {saved.name}: {connectors.shown_url(saved)} "
        f"(password: {connectors.credential(saved)})"
    )


@connector.command("query")
def query(
    name: Annotated[str, typer.Argument(help="The connection.")],
    measure: Annotated[str, typer.Argument(help="The measure's code.")],
    sql: Annotated[str, typer.Option("--sql", help="The SELECT statement.")] = "",
    file: Annotated[Path | None, typer.Option("--file", help="Read the statement here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Set the query a measure's values are read with."""
    setup(data_dir)
    migrate()
    from trellis.web.connectors.models import Connection
    from trellis.web.connectors.services import runs as connectors
    from trellis.web.scorecards.models import Measure

    text = file.read_text(encoding="utf-8") if file is not None else sql
    if not text.strip():
        raise _fail("give the query with --sql or --file")
    found = Connection.objects.filter(name=name).first()
    target = Measure.objects.filter(code=measure).first()
    if found is None:
        raise _fail(f"no connection named '{name}'")
    if target is None:
        raise _fail(f"unknown measure '{measure}'")
    try:
        connectors.save_query(found, target, text)
    except connectors.ConnectorError as exc:
        raise _fail(str(exc)) from None
    out.print(f"Query of {target.code} on {found.name} saved.")


@connector.command("run")
def run(
    name: Annotated[str, typer.Argument(help="The connection; 'due' runs every one due.")],
    period: Annotated[
        str | None, typer.Option(help="A period (any grain); default: each one due now.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check only.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run a connection's queries and write what they return (all or nothing)."""
    setup(data_dir)
    migrate()
    from trellis.web.connectors.models import Connection
    from trellis.web.connectors.services import runs as connectors

    if name == "due":
        runs = connectors.run_due()
    else:
        found = Connection.objects.filter(name=name).first()
        if found is None:
            raise _fail(f"no connection named '{name}'")
        runs = [connectors.run(found, None, period=period, write=not dry_run, trigger="cli")]
    for done in runs:
        out.print(f"{done.connection.name}: {done.get_state_display()}")
        if done.message:
            out.print(done.message)
    if any(r.state == "failed" for r in runs):
        raise typer.Exit(1)


@connector.command("list")
def list_(data_dir: DataDir = None) -> None:
    """The connections, their queries and last runs (passwords are never shown)."""
    setup(data_dir)
    migrate()
    from trellis.web.connectors.models import Connection
    from trellis.web.connectors.services import runs as connectors

    for found in Connection.objects.prefetch_related("queries__measure"):
        last = found.runs.first()
        state = f"last run {last.started_at:%Y-%m-%d %H:%M} {last.state}" if last else "never run"
        out.print(
            f"{found.name}: {connectors.shown_url(found)} — password: "
            f"{connectors.credential(found)}, timeout {found.timeout_seconds} s, "
            f"{found.get_schedule_display()}, {state}"
        )
        for item in found.queries.all():
            out.print(f"  {item.measure.code}: {' '.join(item.sql.split())}")


def register(app: typer.Typer) -> None:
    """Add ``trellis connector`` to the application."""
    app.add_typer(connector, name="connector")


__all__ = ["register"]
