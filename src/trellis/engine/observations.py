"""Observations: reading and validating data rows, and laying them on the month grid.

Data files (CSV or XLSX, long or wide: :mod:`trellis.engine.data_files`) are read into long
rows ``measure,period,value[,segment,comment]``. Every row is validated first and every
problem is reported with its row and column; nothing is evaluated from a file that has an error.
"""

from __future__ import annotations

import math
import re
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
from trellis.engine.periods import (
    Aggregation,
    BoolArray,
    Calendar,
    FloatArray,
    IntArray,
    PeriodError,
)
from trellis.engine.spec import Location, Measure, Source
from trellis.engine.targets import Horizon

REQUIRED_COLUMNS = LONG_REQUIRED
OPTIONAL_COLUMNS = LONG_OPTIONAL
_DEFAULT_COLUMNS: Columns = {name: i + 1 for i, name in enumerate(LONG_REQUIRED + LONG_OPTIONAL)}

MAX_ABS_VALUE = 1e15
"""The largest magnitude a value may have (a setting of the web app: TRELLIS_MAX_ABS_VALUE):
far beyond any amount a scorecard counts, far from where sums of many of them stop being
numbers."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_DIGIT = re.compile(r"[0-9]")


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
    unknown: str | None = None,
    limit: float = MAX_ABS_VALUE,
) -> tuple[ObservationSet, list[Finding]]:
    """Check every row (known measure, period of its frequency, a number within ±``limit``,
    no duplicates) and return the valid observations with all findings. ``unknown`` is the
    message for a code not in ``measures`` (``{code}`` names it)."""
    findings: list[Finding] = []
    items: list[Observation] = []
    ends: list[int] = []
    lines: list[int] = []
    where: list[Columns] = []
    seen: dict[tuple[str, int, str], int] = {}

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

    # Codes and labels repeat: each measure, and each period label per frequency, is judged
    # once.
    measure_verdicts: dict[str, tuple[str, str | None]] = {}
    period_verdicts: dict[tuple[str, str], tuple[int, str, str | None]] = {}
    for number, row, columns in rows:
        code, label, text = row.get("measure", ""), row.get("period", ""), row.get("value", "")
        known = measure_verdicts.get(code)
        if known is None:
            known = measure_verdicts[code] = _judge_measure(code, measures.get(code), unknown)
        frequency, measure_problem = known
        judged = period_verdicts.get((frequency, label))
        if judged is None:
            judged = period_verdicts[(frequency, label)] = _judge_period(label, frequency, calendar)
        end, canonical, period_problem = judged
        problems = []
        if measure_problem is not None:
            problems.append(("measure", measure_problem))
        if period_problem is not None:
            problems.append(("period", period_problem.format(code=code)))
        for name, message in problems:
            bad(number, columns, name, message)
        value, wrong = read_number(text, limit)
        if value is None:
            bad(number, columns, "value", wrong or "")
        if problems or value is None:
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


def _judge_measure(
    code: str, measure: Measure | None, unknown: str | None = None
) -> tuple[str, str | None]:
    """The frequency of the measure a row names ("" when none), and why it cannot take
    values (None when it can)."""
    if measure is None:
        if not code:
            return "", "measure is empty"
        return "", (unknown or "unknown measure '{code}'").format(code=code)
    if measure.source in (Source.FORMULA, Source.ROLLUP):
        return (
            measure.frequency.value,
            f"'{code}' is computed ({measure.source.value}); its values cannot be entered",
        )
    return measure.frequency.value, None


def _judge_period(label: str, frequency: str, calendar: Calendar) -> tuple[int, str, str | None]:
    """End month and canonical label of a period for a measure reporting per ``frequency``,
    and what is wrong with it (a message that may name the measure as ``{code}``)."""
    try:
        period = calendar.parse(label)
    except PeriodError as exc:
        return 0, label, str(exc).replace("{", "{{").replace("}", "}}")
    if frequency and period.grain.value != frequency:
        quoted = label.replace("{", "{{").replace("}", "}}")
        return (
            period.end,
            period.label,
            f"'{quoted}' is a {period.grain.value} but {{code}} reports per {frequency}",
        )
    return period.end, period.label, None


def read_number(text: str, limit: float = MAX_ABS_VALUE) -> tuple[float | None, str | None]:
    """The number written in a cell, or why it is not one. Digits are 0-9, a point marks
    decimals and commas may only separate thousands (``1,234.5``); other digit systems,
    ``1_000``, ``1,2``, ``inf`` and ``nan`` are refused, and so is a magnitude beyond
    ``limit``."""
    written = text.strip()
    if not written:
        return None, "value is empty"
    if not _NUMBER.fullmatch(written) or not _DIGIT.search(written.split("e")[0].split("E")[0]):
        return None, (
            f"'{text}' is not a number (digits 0-9, a point for decimals, commas only "
            "between thousands)"
        )
    value = float(written.replace(",", ""))
    if not math.isfinite(value) or abs(value) > limit:
        return None, f"{written} is outside the allowed range (±{limit:g})".replace("e+", "e")
    return value, None


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


@dataclass(frozen=True)
class StoredObservations:
    """Observations already validated when they were stored, as arrays: the measure row
    (compiled index), the month index of the period end, the value, and whether the row is
    one segment's value (not the measure's total)."""

    rows: IntArray
    end_months: IntArray
    values: FloatArray
    segmented: BoolArray

    @classmethod
    def of(cls, observations: ObservationSet, index: dict[str, int]) -> StoredObservations:
        """The arrays of a validated observation set."""
        items = observations.items
        return cls(
            np.fromiter((index[o.measure] for o in items), np.int64, len(items)),
            np.asarray(observations.end_months, dtype=np.int64),
            np.fromiter((o.value for o in items), np.float64, len(items)),
            np.fromiter((bool(o.segment) for o in items), np.bool_, len(items)),
        )


def grid_of(stored: StoredObservations, measures: list[Measure], horizon: Horizon) -> FloatArray:
    """Lay observations on the month grid; segment rows combine into the measure's total
    unless a total row (no segment) is given."""
    out = np.full((len(measures), horizon.months), np.nan)
    cols = stored.end_months - horizon.first
    inside = (cols >= 0) & (cols < horizon.months)
    plain = inside & ~stored.segmented
    # One flat index rather than a pair: half the work for millions of values.
    out.reshape(-1)[stored.rows[plain] * horizon.months + cols[plain]] = stored.values[plain]
    parts = np.flatnonzero(inside & stored.segmented)
    if parts.size:
        has_total = np.zeros(out.shape, dtype=bool)
        has_total[stored.rows[plain], cols[plain]] = True
        segments: dict[tuple[int, int], list[float]] = {}
        for i in parts.tolist():
            key = (int(stored.rows[i]), int(cols[i]))
            segments.setdefault(key, []).append(float(stored.values[i]))
        for (row, col), values in segments.items():
            if not has_total[row, col]:
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
