"""Observations: reading and validating data rows, and laying them on the month grid.

Data files (CSV or XLSX, long or wide: :mod:`trellis.engine.data_files`) are read into long
rows ``measure,period,value[,segment,comment]``. Every row is validated first and every
problem is reported with its row and column; nothing is evaluated from a file that has an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trellis.engine.data_files import (
    LONG_OPTIONAL,
    LONG_REQUIRED,
    Columns,
    Row,
    column_letter,
    read_table,
)
from trellis.engine.findings import Finding, error
from trellis.engine.periods import Aggregation, Calendar, FloatArray, Period, PeriodError
from trellis.engine.spec import Location, Measure, Source
from trellis.engine.targets import Horizon

REQUIRED_COLUMNS = LONG_REQUIRED
OPTIONAL_COLUMNS = LONG_OPTIONAL
_DEFAULT_COLUMNS: Columns = {name: i + 1 for i, name in enumerate(LONG_REQUIRED + LONG_OPTIONAL)}


@dataclass(frozen=True)
class Observation:
    """One value of one measure for one period (optionally for one segment)."""

    measure: str
    period: str
    value: float
    segment: str = ""
    comment: str = ""


@dataclass(frozen=True)
class ObservationSet:
    """Validated observations with the month index of each one's period end, and the file
    row each came from (for findings about them found later)."""

    items: tuple[Observation, ...]
    end_months: tuple[int, ...]
    lines: tuple[int, ...] = ()
    columns: tuple[Columns, ...] = ()


def read_csv(path: str | Path) -> tuple[list[str], list[Row], list[Finding]]:
    """Read a data file (CSV or XLSX, long or wide) into long rows; problems are findings."""
    table = read_table(path)
    return list(LONG_REQUIRED + LONG_OPTIONAL), table.rows, table.findings


def validate(
    rows: Iterable[Row],
    measures: dict[str, Measure],
    calendar: Calendar,
    file: str,
) -> tuple[ObservationSet, list[Finding]]:
    """Check every row (known measure, period of its frequency, a finite number, no
    duplicates) and return the valid observations with all findings."""
    findings: list[Finding] = []
    items: list[Observation] = []
    ends: list[int] = []
    lines: list[int] = []
    where: list[Columns] = []
    seen: dict[tuple[str, int, str], int] = {}
    parsed: dict[str, Period | str] = {}

    def bad(number: int, columns: Columns, name: str, message: str) -> None:
        position = columns.get(name)
        where = f"column {column_letter(position)} ({name})" if position else f"column {name}"
        findings.append(
            error(
                "data-row",
                f"row {number}, {where}: {message}",
                location=Location(file=file, line=number, column=position),
            )
        )

    for number, row, columns in rows:
        code, label, text = row.get("measure", ""), row.get("period", ""), row.get("value", "")
        measure = measures.get(code)
        ok = True
        if measure is None:
            bad(
                number,
                columns,
                "measure",
                f"unknown measure '{code}'" if code else "measure is empty",
            )
            ok = False
        elif measure.source in (Source.FORMULA, Source.ROLLUP):
            bad(
                number,
                columns,
                "measure",
                f"'{code}' is computed ({measure.source.value}); its values cannot be entered",
            )
            ok = False
        period = parsed.get(label)
        if period is None:
            try:
                period = parsed[label] = calendar.parse(label)
            except PeriodError as exc:
                period = parsed[label] = str(exc)
        end = None
        canonical = label
        if isinstance(period, str):
            bad(number, columns, "period", period)
            ok = False
        else:
            if measure is not None and period.grain.value != measure.frequency.value:
                bad(
                    number,
                    columns,
                    "period",
                    f"'{label}' is a {period.grain.value} but {code} reports "
                    f"per {measure.frequency.value}",
                )
                ok = False
            end, canonical = period.end, period.label
        value = _number(text)
        if value is None:
            bad(number, columns, "value", f"'{text}' is not a number" if text else "value is empty")
            ok = False
        if not ok or end is None or value is None:
            continue
        segment = row.get("segment", "")
        key = (code, end, segment)
        if key in seen:
            bad(
                number,
                columns,
                "period",
                f"duplicate of row {seen[key]} ({code} {label}{' ' + segment if segment else ''})",
            )
            continue
        seen[key] = number
        items.append(Observation(code, canonical, value, segment, row.get("comment", "")))
        ends.append(end)
        lines.append(number)
        where.append(columns)
    return ObservationSet(tuple(items), tuple(ends), tuple(lines), tuple(where)), findings


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "")) if text else None
    except ValueError:
        return None
    if value is None or not math.isfinite(value):
        return None
    return value


def from_tuples(
    data: Iterable[Sequence[object]], measures: dict[str, Measure], calendar: Calendar
) -> tuple[ObservationSet, list[Finding]]:
    """Validate ``(measure, period, value[, segment, comment])`` tuples like CSV rows."""
    rows: list[Row] = []
    names = LONG_REQUIRED + LONG_OPTIONAL
    for number, item in enumerate(data, start=1):
        cells = ["" if v is None else str(v) for v in item]
        rows.append((number, dict(zip(names, cells, strict=False)), _DEFAULT_COLUMNS))
    return validate(rows, measures, calendar, "<observations>")


def grid(
    observations: ObservationSet,
    index: dict[str, int],
    measures: list[Measure],
    horizon: Horizon,
) -> FloatArray:
    """Lay observations on the month grid; segment rows combine into the measure's total
    unless a total row (no segment) is given."""
    out = np.full((len(measures), horizon.months), np.nan)
    totals: set[tuple[int, int]] = set()
    segments: dict[tuple[int, int], list[float]] = {}
    for obs, end in zip(observations.items, observations.end_months, strict=True):
        col = horizon.column(end)
        if not 0 <= col < horizon.months:
            continue
        row = index[obs.measure]
        if obs.segment:
            segments.setdefault((row, col), []).append(obs.value)
        else:
            out[row, col] = obs.value
            totals.add((row, col))
    for (row, col), values in segments.items():
        if (row, col) not in totals:
            out[row, col] = combine_segments(values, measures[row].aggregation)
    return out


def combine_segments(values: list[float], aggregation: Aggregation) -> float:
    """The total of a segmented measure: averages average, extremes take the extreme,
    flows and levels add up."""
    if aggregation is Aggregation.AVERAGE:
        return float(np.mean(values))
    if aggregation is Aggregation.MIN:
        return float(np.min(values))
    if aggregation is Aggregation.MAX:
        return float(np.max(values))
    return float(np.sum(values))
