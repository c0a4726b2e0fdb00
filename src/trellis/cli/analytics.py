"""Analytics commands: control charts, capability, strategy-map evidence, cost allocation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trellis.engine.analytics import allocation, capability, evidence, spc
from trellis.engine.api import load
from trellis.engine.findings import ScorecardError
from trellis.engine.observations import read_csv
from trellis.engine.yaml_source import read_yaml

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _series(data: Path, measure: str) -> tuple[list[str], list[float]]:
    """A measure's values from a data CSV, in period order (whole periods only)."""
    if not data.is_file():
        raise _fail(f"no such data file: {data}")
    _, rows, problems = read_csv(data)
    if problems:
        for p in problems:
            err.print(str(p))
        raise typer.Exit(1)
    points: list[tuple[str, float]] = []
    for number, row, _ in rows:
        if row.get("measure") != measure or row.get("segment"):
            continue
        try:
            points.append((row["period"], float(row["value"])))
        except ValueError:
            raise _fail(f"{data}:{number}: value {row['value']!r} is not a number", 1) from None
    if not points:
        raise _fail(f"no values of measure '{measure}' in {data}", 1)
    points.sort()
    return [p for p, _ in points], [v for _, v in points]


def _num(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.4g}"


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the ``trellis`` application."""

    @app.command("spc")
    def spc_command(
        data: Annotated[Path, typer.Argument(help="Data CSV (measure,period,value).")],
        measure: Annotated[str, typer.Option("--measure", "-m")],
        rules: Annotated[
            str, typer.Option("--rules", help="western_electric or nelson")
        ] = "western_electric",
    ) -> None:
        """XmR control chart limits of a measure and every run-rule signal with its period."""
        if rules not in ("western_electric", "nelson"):
            raise _fail("--rules is western_electric or nelson")
        periods, values = _series(data, measure)
        try:
            chart = spc.xmr(values)
        except spc.SPCError as exc:
            raise _fail(str(exc), 1) from None
        out.print(f"{measure}: {chart.points} values, {periods[0]} to {periods[-1]}")
        out.print(
            f"  centre {_num(chart.center)}  UCL {_num(chart.ucl)}  LCL {_num(chart.lcl)}"
            f"  (sigma {_num(chart.sigma)} = mR̄ {_num(chart.mr_bar)} / 1.128)"
        )
        out.print(f"  moving range: centre {_num(chart.mr_bar)}  UCL {_num(chart.mr_ucl)}")
        found = spc.signals(values, chart.center, chart.sigma, rules)
        if not found:
            out.print("  no signal: only common-cause variation")
        for s in found:
            out.print(
                f"  {periods[s.index]}: {rules.replace('_', ' ')} rule {s.rule} — "
                f"{s.description} (value {_num(values[s.index])})"
            )

    @app.command("capability")
    def capability_command(
        data: Annotated[Path, typer.Argument(help="Data CSV (measure,period,value).")],
        measure: Annotated[str, typer.Option("--measure", "-m")],
        lsl: Annotated[
            float | None, typer.Option("--lsl", help="Lower specification limit")
        ] = None,
        usl: Annotated[
            float | None, typer.Option("--usl", help="Upper specification limit")
        ] = None,
        target: Annotated[float | None, typer.Option("--target")] = None,
    ) -> None:
        """Process capability of a measure (Cp, Cpk, Pp, Ppk, Cpm)."""
        _, values = _series(data, measure)
        try:
            result = capability.capability(values, lsl, usl, target)
        except spc.SPCError as exc:
            raise _fail(str(exc)) from None
        table = Table(title=f"Capability of {measure}", title_justify="left")
        for column in ("index", "value"):
            table.add_column(column)
        for name in (
            "mean",
            "sigma_within",
            "sigma_overall",
            "cp",
            "cpl",
            "cpu",
            "cpk",
            "pp",
            "ppk",
            "cpm",
        ):
            table.add_row(name, _num(getattr(result, name)))
        out.print(table)

    @app.command("evidence")
    def evidence_command(
        path: Annotated[Path, typer.Argument(help="Scorecard YAML file or folder.")],
        data: Annotated[list[Path], typer.Option("--data", "-d")],
        max_lag: Annotated[int, typer.Option("--max-lag")] = 6,
    ) -> None:
        """Lagged correlation behind every cause-and-effect arrow of the strategy maps."""
        try:
            results = load(path).evaluate(*data)
        except ScorecardError as exc:
            for f in exc.findings:
                err.print(str(f))
            raise typer.Exit(1) from None
        table = Table(title="Strategy-map evidence", title_justify="left")
        for column in ("driver", "driven", "measures", "lag", "r", "p", "months", "note"):
            table.add_column(column)
        for row in evidence.strategy_map(results, max_lag):
            pair = f"{row.driver_measure} → {row.driven_measure}" if row.driver_measure else "—"
            table.add_row(
                row.driver,
                row.driven,
                pair,
                _num(row.lag),
                _num(row.r),
                _num(row.p_value),
                str(row.periods),
                row.note,
            )
        out.print(table)

    @app.command("allocate")
    def allocate_command(
        case: Annotated[Path, typer.Argument(help="YAML with costs, usage (and order).")],
        method: Annotated[str, typer.Option("--method")] = "reciprocal",
    ) -> None:
        """Allocate service departments' costs to operating departments."""
        try:
            text = case.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"cannot read {case}: {exc}") from None
        spec, problems = read_yaml(text, str(case))
        if problems:
            raise _fail("; ".join(str(p) for p in problems))
        if not isinstance(spec, dict) or "costs" not in spec:
            raise _fail(f"{case}: expected a mapping with 'costs' and 'usage'")
        try:
            if method == "direct":
                result = allocation.direct(spec["costs"], spec.get("usage", {}))
            elif method == "step_down":
                result = allocation.step_down(
                    spec["costs"],
                    spec.get("usage", {}),
                    spec.get("order", list(spec.get("usage", {}))),
                )
            elif method == "reciprocal":
                result = allocation.reciprocal(spec["costs"], spec.get("usage", {}))
            else:
                raise _fail("--method is direct, step_down or reciprocal")
        except allocation.AllocationError as exc:
            raise _fail(str(exc), 1) from None
        table = Table(title=f"{method} allocation", title_justify="left")
        for column in ("department", "own cost", "after allocation"):
            table.add_column(column, justify="right")
        for department, own in spec["costs"].items():
            table.add_row(department, f"{own:,.2f}", f"{result.totals[department]:,.2f}")
        out.print(table)
        for (source, target), amount in result.flows.items():
            out.print(f"  {source} → {target}: {amount:,.2f}")
