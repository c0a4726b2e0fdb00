"""Reading a long CSV data file (``measure,period,value[,segment,comment]``) straight into
arrays, for evaluation: millions of rows without a Python object per row.

Each row costs a few dictionary lookups and one ``float``: codes and period labels become
indices into the distinct values met so far, values become float64. The checks of
:func:`observations.validate` then run on the distinct codes and labels and, as arrays, on
the rows; only rows with a problem become findings, worded and placed exactly as the
row-by-row validation words and places them. Files of another shape (wide, XLSX, a header
to complain about) are left to the general reader.
"""

from __future__ import annotations

import csv
import math
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from trellis.engine.data_files import LONG_OPTIONAL, LONG_REQUIRED, column_letter, restore
from trellis.engine.findings import Finding, error
from trellis.engine.observations import (
    MAX_ABS_VALUE,
    StoredObservations,
    _judge_measure,
    _judge_period,
    read_number,
)
from trellis.engine.periods import Calendar
from trellis.engine.spec import Location, Measure

_NAMES = LONG_REQUIRED + LONG_OPTIONAL


@dataclass(frozen=True)
class BulkRead:
    """A long CSV read as arrays: what evaluation needs, how many values, and every
    problem (nothing is stored from a file with one)."""

    stored: StoredObservations
    count: int
    findings: list[Finding]


def long_header(path: str | Path) -> list[str] | None:
    """The columns of a long CSV file with a header the bulk reader takes (known columns,
    each once, the three required ones present); None for any other file."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if first is None:
        return None
    header = [h.strip().lower() for h in first]
    while header and not header[-1]:
        header.pop()
    if not set(LONG_REQUIRED) <= set(header) or not set(header) <= set(_NAMES):
        return None
    return header if len(set(header)) == len(header) else None


def read_long_csv(
    path: str | Path,
    measures: dict[str, Measure],
    index: dict[str, int],
    calendar: Calendar,
    limit: float = MAX_ABS_VALUE,
) -> BulkRead | None:
    """Read and check a long CSV file as arrays (None when it is not one the bulk reader
    takes: the general reader then says what is wrong with it)."""
    header = long_header(path)
    if header is None:
        return None
    file = str(path)
    position = {name: i for i, name in enumerate(header)}
    width = len(header)
    mi, pi, vi = position["measure"], position["period"], position["value"]
    si, ci = position.get("segment"), position.get("comment")
    code_of: dict[str, int] = {}
    label_of: dict[str, int] = {}
    segment_of: dict[str, int] = {"": 0}
    codes, labels, segments = array("i"), array("i"), array("i")
    values, lines = array("d"), array("i")
    findings: list[Finding] = []
    bad_values: dict[int, str] = {}  # row → what is wrong with its value
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for number, row in enumerate(reader, start=2):
                cells = row
                if len(row) != width:
                    if not "".join(row).strip():
                        continue
                    if len(row) > width and "".join(row[width:]).strip():
                        findings.append(
                            error(
                                "data-row",
                                f"row {number}: {len(row)} cells but the header has "
                                f"{width} columns",
                                location=Location(file=file, line=number, column=width + 1),
                            )
                        )
                        continue
                    cells = row[:width] + [""] * (width - len(row))
                elif not row[mi].strip() and not "".join(row).strip():
                    continue
                code = code_of.get(cells[mi])
                if code is None:
                    code = code_of[cells[mi]] = len(code_of)
                label = label_of.get(cells[pi])
                if label is None:
                    label = label_of[cells[pi]] = len(label_of)
                text = cells[vi]
                try:
                    value = float(text)
                    plain = text.isascii() and "_" not in text and math.isfinite(value)
                except ValueError:
                    plain = False
                if not plain or abs(value) > limit:
                    parsed, wrong = read_number(text.strip(), limit)
                    if parsed is None:
                        bad_values[len(lines)] = wrong or ""
                        value = math.nan
                    else:
                        value = parsed
                segment = 0
                if si is not None:
                    name = cells[si].strip()
                    segment = segment_of.get(name, -1)
                    if segment < 0:
                        segment = segment_of[name] = len(segment_of)
                codes.append(code)
                labels.append(label)
                segments.append(segment)
                values.append(value)
                lines.append(number)
    except UnicodeDecodeError as exc:
        message = f"not a UTF-8 text file ({exc.reason})"
        return _refused(file, message)
    except csv.Error as exc:
        return _refused(file, f"not a CSV file ({exc})")
    del ci  # comments are not evaluated
    return _checked(
        file,
        position,
        (code_of, label_of, segment_of),
        (codes, labels, segments, values, lines),
        bad_values,
        findings,
        (measures, index, calendar),
    )


def _refused(file: str, message: str) -> BulkRead:
    empty = StoredObservations(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.bool_)
    )
    return BulkRead(empty, 0, [error("data-file", message, location=Location(file=file))])


def _checked(
    file: str,
    position: dict[str, int],
    seen: tuple[dict[str, int], dict[str, int], dict[str, int]],
    columns: tuple[array[int], array[int], array[int], array[float], array[int]],
    bad_values: dict[int, str],
    findings: list[Finding],
    scorecard: tuple[dict[str, Measure], dict[str, int], Calendar],
) -> BulkRead:
    """The checks of :func:`observations.validate`, on the distinct codes and labels and
    then on all rows at once."""
    measures, index, calendar = scorecard
    code_of, label_of, segment_of = seen
    structural = len(findings)
    # Indices as read (32 bits): millions of rows, each copy of a column counts.
    codes = np.frombuffer(columns[0], dtype=np.int32)
    labels = np.frombuffer(columns[1], dtype=np.int32)
    segments = np.frombuffer(columns[2], dtype=np.int32)
    values = np.frombuffer(columns[3], dtype=np.float64)
    lines = np.frombuffer(columns[4], dtype=np.int32)

    raw_codes = list(code_of)
    raw_labels = list(label_of)
    code_text = [restore(c.strip()) for c in raw_codes]
    verdicts = [_judge_measure(c, measures.get(c)) for c in code_text]
    code_row = np.array([index.get(c, -1) for c in code_text], dtype=np.int64)
    frequencies = sorted({frequency for frequency, _ in verdicts})
    # The end month of each label for each frequency met, and what is wrong with it.
    period_end = np.zeros((len(frequencies), len(raw_labels)), dtype=np.int64)
    period_problem: dict[tuple[int, int], str] = {}
    for f, frequency in enumerate(frequencies):
        for p, raw in enumerate(raw_labels):
            end, _label, problem = _judge_period(raw.strip(), frequency, calendar)
            period_end[f, p] = end
            if problem is not None:
                period_problem[(f, p)] = problem
    code_frequency = np.array(
        [frequencies.index(frequency) for frequency, _ in verdicts], dtype=np.int64
    ).reshape(-1)
    ends = period_end[code_frequency[codes], labels] if codes.size else np.zeros(0, np.int64)

    def bad(row: int, name: str, message: str) -> None:
        column = position[name] + 1
        findings.append(
            error(
                "data-row",
                f"row {row}, column {column_letter(column)} ({name}): {message}",
                location=Location(file=file, line=row, column=column),
            )
        )

    wrong_code = np.array([problem is not None for _, problem in verdicts], dtype=bool)
    wrong_period = np.zeros(codes.size, dtype=bool)
    for (f, p), _problem in period_problem.items():
        wrong_period |= (code_frequency[codes] == f) & (labels == p)
    wrong_value = np.zeros(codes.size, dtype=bool)
    wrong_value[list(bad_values)] = True
    refused = wrong_code[codes] | wrong_period | wrong_value
    for i in np.flatnonzero(refused).tolist():
        row, code = int(lines[i]), int(codes[i])
        if wrong_code[code]:
            bad(row, "measure", verdicts[code][1] or "")
        if wrong_period[i]:
            problem = period_problem[(int(code_frequency[code]), int(labels[i]))]
            bad(row, "period", problem.format(code=code_text[code]))
        if wrong_value[i]:
            bad(row, "value", bad_values[i])
    # Duplicates among the rows without a problem: the same measure, period end, segment,
    # found by sorting one number made of the three.
    kept = np.flatnonzero(~refused) if refused.any() else None
    size = codes.size if kept is None else kept.size
    duplicate = np.zeros(size, dtype=bool)
    if size > 1:
        key = _row_key(codes, ends, segments, kept)
        order = np.argsort(key, kind="stable")  # the first row of a repeat comes first
        ordered = key[order]
        del key
        same = ordered[1:] == ordered[:-1]
        del ordered
        starts = np.r_[True, ~same]
        first = order[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
        duplicate[order[1:][same]] = True
        segment_name = {number: name for name, number in segment_of.items()}
        for j in np.flatnonzero(duplicate[order]).tolist():
            i = int(order[j] if kept is None else kept[order[j]])
            measure_code = code_text[int(codes[i])]
            label = raw_labels[int(labels[i])].strip()
            part = segment_name.get(int(segments[i]), "")
            shown = f"{measure_code} {label}{' ' + part if part else ''}"
            original = int(lines[first[j] if kept is None else kept[first[j]]])
            bad(int(lines[i]), "period", f"duplicate of row {original} ({shown})")
    # As the row reader reports them: the file's shape first, then the rows in order.
    findings[structural:] = sorted(
        findings[structural:], key=lambda f: (f.location.line or 0, f.location.column or 0)
    )
    if kept is None and not duplicate.any():  # the usual file: every row is kept
        stored = StoredObservations(code_row[codes], ends, values, segments != 0)
        return BulkRead(stored, int(codes.size), findings)
    good = np.flatnonzero(~duplicate) if kept is None else kept[~duplicate]
    stored = StoredObservations(
        code_row[codes[good]],
        ends[good],
        values[good],
        segments[good] != 0,
    )
    return BulkRead(stored, int(good.size), findings)


def _row_key(
    codes: npt.NDArray[np.int32],
    ends: npt.NDArray[np.int64],
    segments: npt.NDArray[np.int32],
    kept: npt.NDArray[np.intp] | None,
) -> npt.NDArray[np.int64]:
    """One int64 per row, equal exactly when measure, period end and segment are."""
    if kept is not None:
        codes, ends, segments = codes[kept], ends[kept], segments[kept]
    low = int(ends.min())
    months = int(ends.max()) - low + 1
    kinds = int(segments.max()) + 1
    key = codes.astype(np.int64)
    key *= months
    key += ends - low
    key *= kinds
    key += segments
    return key
