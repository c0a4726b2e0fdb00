"""Observations: reading and validating data rows, and laying them on the month grid.

A data file is CSV with the header ``measure,period,value`` and optional ``segment`` and
``comment`` columns. Every row is validated first and every problem is reported with its row
and column; nothing is evaluated from a file that has an error.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trellis.engine.findings import Finding, error
from trellis.engine.periods import Aggregation, Calendar, FloatArray, PeriodError
from trellis.engine.spec import Location, Measure, Source
from trellis.engine.targets import Horizon

REQUIRED_COLUMNS = ("measure", "period", "value")
OPTIONAL_COLUMNS = ("segment", "comment")


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
    """Validated observations with the month index of each one's period end."""

    items: tuple[Observation, ...]
    end_months: tuple[int, ...]


Rows = list[tuple[int, dict[str, str]]]


def read_csv(path: str | Path) -> tuple[list[str], Rows, list[Finding]]:
    """Read a data CSV into its header and (line number, row) pairs; problems are findings."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return (
            [],
            [],
            [error("data-file", f"cannot read file: {exc}", location=Location(file=file))],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not a UTF-8 text file ({exc.reason})"
        return [], [], [error("data-file", reason, location=Location(file=file))]
    if "\x00" in text:
        reason = "not a CSV file (binary content)"
        return [], [], [error("data-file", reason, location=Location(file=file))]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        empty = error("data-file", "the file is empty", location=Location(file=file, line=1))
        return [], [], [empty]
    header = [h.strip().lower() for h in rows[0]]
    findings = _check_header(header, file)
    if findings:
        return header, [], findings
    out: Rows = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            findings.append(
                error(
                    "data-row",
                    f"row {number}: {len(cells)} cells but the header has {len(header)} columns",
                    location=Location(file=file, line=number, column=len(header) + 1),
                )
            )
            continue
        padded = cells + [""] * (len(header) - len(cells))
        out.append((number, dict(zip(header, (c.strip() for c in padded), strict=True))))
    return header, out, findings


def _check_header(header: list[str], file: str) -> list[Finding]:
    findings: list[Finding] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        findings.append(
            error(
                "data-header",
                f"missing column(s) {', '.join(missing)}; the header must be "
                "measure,period,value (optionally segment, comment)",
                location=Location(file=file, line=1),
            )
        )
    for position, name in enumerate(header, start=1):
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            findings.append(
                error(
                    "data-header",
                    f"unknown column '{name}'; expected measure, period, value, segment, comment",
                    location=Location(file=file, line=1, column=position),
                )
            )
        elif header.count(name) > 1 and header.index(name) != position - 1:
            findings.append(
                error(
                    "data-header",
                    f"column '{name}' appears twice",
                    location=Location(file=file, line=1, column=position),
                )
            )
    return findings


def validate(
    rows: Iterable[tuple[int, dict[str, str]]],
    measures: dict[str, Measure],
    calendar: Calendar,
    file: str,
    columns: Sequence[str] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS,
) -> tuple[ObservationSet, list[Finding]]:
    """Check every row (known measure, period of its frequency, a finite number, no
    duplicates) and return the valid observations with all findings."""
    findings: list[Finding] = []
    items: list[Observation] = []
    ends: list[int] = []
    seen: dict[tuple[str, int, str], int] = {}
    position = {name: i + 1 for i, name in enumerate(columns)}

    def bad(number: int, column: str, message: str) -> None:
        findings.append(
            error(
                "data-row",
                f"row {number}, column {column}: {message}",
                location=Location(file=file, line=number, column=position.get(column)),
            )
        )

    for number, row in rows:
        code, label, text = row.get("measure", ""), row.get("period", ""), row.get("value", "")
        measure = measures.get(code)
        ok = True
        if measure is None:
            bad(number, "measure", f"unknown measure '{code}'" if code else "measure is empty")
            ok = False
        elif measure.source in (Source.FORMULA, Source.ROLLUP):
            bad(
                number,
                "measure",
                f"'{code}' is computed ({measure.source.value}); its values cannot be entered",
            )
            ok = False
        end = None
        try:
            period = calendar.parse(label)
            if measure is not None and period.grain.value != measure.frequency.value:
                bad(
                    number,
                    "period",
                    f"'{label}' is a {period.grain.value} but {code} reports "
                    f"per {measure.frequency.value}",
                )
                ok = False
            end = period.end
        except PeriodError as exc:
            bad(number, "period", str(exc))
            ok = False
        value = _number(text)
        if value is None:
            bad(number, "value", f"'{text}' is not a number" if text else "value is empty")
            ok = False
        if not ok or end is None or value is None:
            continue
        segment = row.get("segment", "")
        key = (code, end, segment)
        if key in seen:
            bad(
                number,
                "period",
                f"duplicate of row {seen[key]} ({code} {label}{' ' + segment if segment else ''})",
            )
            continue
        seen[key] = number
        items.append(Observation(code, label, value, segment, row.get("comment", "")))
        ends.append(end)
    return ObservationSet(tuple(items), tuple(ends)), findings


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
    rows: list[tuple[int, dict[str, str]]] = []
    for number, item in enumerate(data, start=1):
        cells = ["" if v is None else str(v) for v in item]
        rows.append((number, dict(zip(REQUIRED_COLUMNS + OPTIONAL_COLUMNS, cells, strict=False))))
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
