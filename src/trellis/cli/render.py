"""Rich rendering of findings and score tables for the terminal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from trellis.engine.findings import Finding, Severity
from trellis.engine.scoring import shown_score, status_words

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
STATUS_STYLE = {
    "green": "bold green",
    "amber": "bold yellow",
    "red": "bold red",
    "no-data": "dim",
    "no-target": "dim",
    "unscored": "dim",
}


def findings(console: Console, items: list[Finding]) -> None:
    """One line per finding: ``file:line: severity code [object]: message``."""
    for f in items:
        where = str(f.location) + (f":{f.location.column}" if f.location.column else "")
        line = Text(f"{where}: ")
        line.append(f"{f.severity.value} {f.code}", style=SEVERITY_STYLE[f.severity])
        if f.object:
            line.append(f" [{f.object}]")
        line.append(f": {f.message}")
        console.print(line)


def summary(console: Console, items: list[Finding]) -> None:
    """A count per severity."""
    counts = Counter(f.severity for f in items)
    parts = [f"{counts.get(s, 0)} {s.value}(s)" for s in Severity]
    style = "bold red" if counts.get(Severity.ERROR) else "bold green"
    console.print(Text(", ".join(parts), style=style))


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def records(console: Console, rows: list[dict[str, Any]], level: str) -> None:
    """A table of score records; status in words and colour."""
    if not rows:
        console.print("No records.")
        return
    when = f"{rows[0]['period']} ({rows[0]['period_name']})"
    table = Table(title=f"{level} scores — {when}", title_justify="left")
    own_unit = level == "unit"  # a unit's record is its own unit: no separate column
    if not own_unit:
        table.add_column("unit")
    table.add_column("code")
    table.add_column("name")
    if level == "measure":
        table.add_column("value", justify="right")
        table.add_column("target", justify="right")
    table.add_column("score", justify="right")
    table.add_column("status")
    table.add_column("flags")
    for row in rows:
        cells = ([] if own_unit else [row["unit"]]) + [row["code"], row["name"]]
        if level == "measure":
            cells += [_number(row["value"]), _number(row["target"])]
        status = Text(status_words(row["status"]), style=STATUS_STYLE.get(row["status"], ""))
        shown = "—" if row["score"] is None else f"{shown_score(row['score'], 2):,}"
        table.add_row(*cells, shown, status, " ".join(row["flags"]))
    console.print(table)
