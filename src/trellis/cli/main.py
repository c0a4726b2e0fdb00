"""The ``trellis`` command: thin commands over the engine.

Exit codes: 0 success, 1 the scorecard or data has errors, 2 the command could not run
(unreadable path, bad usage).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from trellis.cli import analytics, connectors, data, operations, render, web
from trellis.demo.acme import write_sample
from trellis.engine.api import Scorecard, check_path, load
from trellis.engine.findings import ScorecardError, Severity, has_errors
from trellis.engine.results import RECORD_KEYS
from trellis.engine.schema import json_schema
from trellis.engine.scoring import STATUS_LABELS

app = typer.Typer(
    name="trellis",
    help="Trellis: the cascaded Balanced Scorecard as code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


class CheckFormat(StrEnum):
    """Output formats of ``trellis check``."""

    text = "text"
    json = "json"


class ScoreFormat(StrEnum):
    """Output formats of ``trellis score``."""

    table = "table"
    csv = "csv"
    json = "json"


class Level(StrEnum):
    """Levels of ``trellis score``."""

    measure = "measure"
    objective = "objective"
    perspective = "perspective"
    unit = "unit"


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _load(path: Path) -> Scorecard:
    if not path.exists():
        raise _fail(f"no such file or folder: {path}")
    try:
        return load(path)
    except ScorecardError as exc:
        render.findings(err, [f for f in exc.findings if f.severity is Severity.ERROR])
        raise typer.Exit(1) from None


DataOption = Annotated[
    list[Path] | None,
    typer.Option("--data", "-d", help="Data CSV (measure,period,value[,segment,comment])."),
]


def _evaluate(path: Path, data: list[Path] | None) -> tuple[Scorecard, object]:
    card = _load(path)
    for file in data or []:
        if not file.is_file():
            raise _fail(f"no such data file: {file}")
    try:
        return card, card.evaluate(*(data or []))
    except ScorecardError as exc:
        render.findings(err, exc.findings)
        raise typer.Exit(1) from None


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
) -> None:
    """Check a scorecard's alignment: exit 0 without errors, 1 with errors."""
    if not path.exists():
        raise _fail(f"no such file or folder: {path}")
    findings = check_path(path)
    if format is CheckFormat.json:
        out.print_json(json.dumps([f.as_dict() for f in findings]))
    else:
        render.findings(out, findings)
        render.summary(out, findings)
    if any(f.code == "unreadable-file" for f in findings):
        raise typer.Exit(2)  # nothing could be read: the check could not run
    raise typer.Exit(1 if has_errors(findings) else 0)


@app.command()
def score(
    path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
    data: DataOption = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="e.g. 2026-03, 2026-Q1, 2026, 2026-03:YTD")
    ] = None,
    level: Annotated[Level, typer.Option("--level", "-l")] = Level.measure,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="Only this unit and its subtree.")
    ] = None,
    format: Annotated[ScoreFormat, typer.Option("--format", "-f")] = ScoreFormat.table,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            "-s",
            help="Only records with this status (repeatable): green (on target), amber "
            "(near target), red (off target), no-data, no-target, unscored.",
        ),
    ] = None,
) -> None:
    """Values, targets, scores and statuses for one period and level."""
    wanted = set(status or [])
    unknown = sorted(wanted - set(STATUS_LABELS))
    if unknown:
        raise _fail(f"unknown status '{unknown[0]}'; use one of {', '.join(STATUS_LABELS)}")
    _, results = _evaluate(path, data)
    try:
        records = results.records(level.value, period, unit)  # type: ignore[attr-defined]
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc.args[0])) from None
    if wanted:
        records = [r for r in records if r["status"] in wanted]
    if format is ScoreFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    elif format is ScoreFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=RECORD_KEYS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "flags": " ".join(record["flags"])})
        sys.stdout.write(buffer.getvalue())
    else:
        render.records(out, records, level.value)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
    code: Annotated[str, typer.Argument(help="Measure, objective or unit code.")],
    period: Annotated[str | None, typer.Option("--period", "-p")] = None,
    data: DataOption = None,
) -> None:
    """The roll-up or formula behind one number, human-readable."""
    _, results = _evaluate(path, data)
    try:
        explanation = results.explain(code, period)  # type: ignore[attr-defined]
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc.args[0])) from None
    out.print(str(explanation), markup=False)


@app.command("latest-period")
def latest_period(
    path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
    data: DataOption = None,
) -> None:
    """Print the last month that has data (the natural current period)."""
    _, results = _evaluate(path, data)
    sys.stdout.write(results.latest_period() + "\n")  # type: ignore[attr-defined]


@app.command()
def schema() -> None:
    """Print the JSON Schema of a scorecard YAML file."""
    sys.stdout.write(json_schema() + "\n")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (must be empty or new).")],
) -> None:
    """Write the sample organization Acme: scorecard YAML, actuals.csv and a README."""
    if directory.exists() and any(directory.iterdir()):
        raise _fail(f"{directory} is not empty")
    written = write_sample(directory)
    out.print(f"Wrote the sample organization to {directory}/ ({len(written)} files).")
    out.print(f"Try:  trellis check {directory}/scorecard")
    out.print(
        f"      trellis score {directory}/scorecard --data {directory}/actuals.csv --level unit"
    )


web.register(app)
operations.register(app)
data.register(app)
connectors.register(app)
analytics.register(app)


def main() -> None:
    """Entry point of the ``trellis`` command. A problem with the scorecard is reported as
    findings (exit 1); an unexpected error is one line, not a traceback (exit 3), unless
    TRELLIS_DEBUG=1 asks for it."""
    try:
        app()
    except ScorecardError as exc:
        render.findings(err, exc.findings)
        raise SystemExit(1) from None
    except Exception as exc:
        if os.environ.get("TRELLIS_DEBUG") == "1":
            raise
        err.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc}\n"
            "This is a fault in Trellis, not in what you gave it; run again with "
            "TRELLIS_DEBUG=1 to see where it happened, and please report it."
        )
        raise SystemExit(3) from None
