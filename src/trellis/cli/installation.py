"""The installation a command works on: its data folder or database, found (and made only
by the commands that make one), migrated, with its static files collected; and how every
command says what went wrong."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data folder (SQLite database, secret key). "
        "Default: $TRELLIS_DATA_DIR or ./trellis-data.",
    ),
]


def setup(data_dir: Path | None, demo: bool = False, create: bool = False) -> None:
    """Point Django at the data folder and start it (a demo folder is marked as such).

    Only the commands that make an installation (``create``: demo, serve, migrate, worker,
    import-scorecard, restore) may start in a folder that holds none; every other one says
    so in one line (exit 2) and creates nothing."""
    folder = (data_dir or Path(os.environ.get("TRELLIS_DATA_DIR", "trellis-data"))).resolve()
    using_url = bool(os.environ.get("DATABASE_URL"))
    if not (demo or create or using_url) and not (folder / SQLITE_NAME).is_file():
        raise _fail(_no_installation(folder))
    if data_dir is not None:
        os.environ["TRELLIS_DATA_DIR"] = str(data_dir)
        if demo:
            data_dir.mkdir(parents=True, exist_ok=True)
            (data_dir / "demo").write_text("made by `trellis demo`\n", encoding="utf-8")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # a setting from the environment, named in the text
        raise _fail(str(exc)) from None
    if using_url and not (demo or create):
        _require_tables()


def require_scorecard() -> None:
    """Stop (exit 2) when the installation has no scorecard yet: data commands need one."""
    from trellis.web.scorecards.models import Organization

    if Organization.current() is None:
        raise _fail(
            "this installation has no scorecard yet; import one first with "
            "`trellis import-scorecard FOLDER`"
        )


SQLITE_NAME = "trellis.sqlite3"
"""The database file of a data folder (without DATABASE_URL)."""


def _no_installation(folder: Path) -> str:
    return (
        f"no Trellis installation in {folder} (it has no {SQLITE_NAME}); name one with "
        "--data-dir or TRELLIS_DATA_DIR (`trellis demo` keeps its data in trellis-demo/), "
        "or make one with `trellis import-scorecard` or `trellis serve`"
    )


def _require_tables() -> None:
    """The database of DATABASE_URL must be reachable and hold an installation."""
    from django.db import DatabaseError, connection

    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"cannot reach the database of DATABASE_URL: {first}") from None
    if "scorecards_organization" not in tables:
        raise _fail(
            "no Trellis installation in the database of DATABASE_URL (no tables yet); "
            "make one with `trellis migrate` and `trellis import-scorecard`"
        )


def migrate() -> None:
    """Create or update the database tables, and collect the static files for this version
    (once: every later command finds them) so that pages rendered from now on name them
    by their hashed, long-cached names."""
    from django.core.management import call_command

    from trellis.web.core import static

    call_command("migrate", interactive=False, verbosity=0)
    static.collect()


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(2)
