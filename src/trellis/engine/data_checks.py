"""The data rules of measures applied to values being entered or imported.

A value can break a rule that refuses it (outside the minimum/maximum, not a whole number),
one that wants a comment (red, or a change beyond the allowed percentage) or one that only
wants a confirmation (an outlier). Every value is checked against the stored values *before*
the change, all at once, as arrays; every problem is returned, none stops the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trellis.engine.observations import ObservationSet
from trellis.engine.periods import FloatArray, IntArray
from trellis.engine.results import Results
from trellis.engine.scoring import Status

HISTORY = 24
"""Values of the measure's own frequency that make its history for the outlier check."""
MIN_HISTORY = 6
"""Fewer earlier values than this and no value is called an outlier."""
BLOCK = 100_000


@dataclass(frozen=True)
class DataIssue:
    """One rule a candidate value breaks: ``index`` into the checked values; ``field`` is
    ``value`` or ``comment``; with ``confirm`` the value is accepted once confirmed."""

    index: int
    field: str
    message: str
    confirm: bool = False


def _num(x: float) -> str:
    return f"{x:,.6g}"


def check_rules(
    results: Results,
    observations: ObservationSet,
    confirmed: bool = False,
) -> list[DataIssue]:
    """Apply each measure's data rules to validated observations (see module docstring);
    with ``confirmed`` the outlier prompt has been answered."""
    items = observations.items
    if not items:
        return []
    c = results.compiled
    rows = np.fromiter((c.measure_index[o.measure] for o in items), np.int64, len(items))
    values = np.fromiter((o.value for o in items), np.float64, len(items))
    has_comment = np.fromiter((bool(o.comment.strip()) for o in items), bool, len(items))
    total = np.fromiter((not o.segment for o in items), bool, len(items))
    # The rules of the measures named, each read once (not of the whole scorecard).
    named, of_row = np.unique(rows, return_inverse=True)
    rules = [c.measures[r].data for r in named.tolist()]
    issues: list[DataIssue] = []

    low = np.array([np.nan if r.minimum is None else r.minimum for r in rules])[of_row]
    high = np.array([np.nan if r.maximum is None else r.maximum for r in rules])[of_row]
    for i in np.flatnonzero(values < low).tolist():
        issues.append(
            DataIssue(i, "value", f"{_num(values[i])} is below the minimum {_num(low[i])}")
        )
    for i in np.flatnonzero(values > high).tolist():
        issues.append(
            DataIssue(i, "value", f"{_num(values[i])} is above the maximum {_num(high[i])}")
        )
    whole = np.array([r.whole_numbers for r in rules])[of_row]
    for i in np.flatnonzero(whole & (values != np.round(values))).tolist():
        issues.append(DataIssue(i, "value", f"{_num(values[i])} is not a whole number"))

    cols = np.fromiter(
        (results.evaluator.horizon.column(e) for e in observations.end_months),
        np.int64,
        len(items),
    )
    step = c.frequency[rows]
    previous = _earlier(results.evaluator.observed, rows, cols - step)
    limit = np.array(
        [np.nan if r.max_change_percent is None else r.max_change_percent for r in rules]
    )[of_row]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(values - previous) / np.abs(previous) * 100
        jumps = total & ~has_comment & (previous != 0) & (change > limit)
    for i in np.flatnonzero(jumps).tolist():
        issues.append(
            DataIssue(
                i,
                "comment",
                f"the value changes by {change[i]:.0f}% from the last period "
                f"({_num(previous[i])} → {_num(values[i])}); a change above "
                f"{_num(limit[i])}% needs a comment",
            )
        )

    wants_red = total & ~has_comment & np.array([r.comment_when_red for r in rules])[of_row]
    if wants_red.any():
        picked = np.flatnonzero(wants_red)
        red = _red(
            results, [items[i].period for i in picked.tolist()], rows[picked], values[picked]
        )
        for i in picked[red].tolist():
            issues.append(
                DataIssue(i, "comment", f"{_num(values[i])} is red: explain it in a comment")
            )

    if not confirmed:
        sigma = np.array([np.nan if r.outlier_sigma is None else r.outlier_sigma for r in rules])
        issues.extend(_outliers(results, rows, cols, step, values, sigma[of_row], total))
    issues.sort(key=lambda d: d.index)
    return issues


def _earlier(grid: FloatArray, rows: IntArray, cols: IntArray) -> FloatArray:
    """Stored values at (row, col), NaN where the column lies outside the grid."""
    inside = (cols >= 0) & (cols < grid.shape[1])
    out = np.full(rows.size, np.nan)
    out[inside] = grid[rows[inside], cols[inside]]
    return out


def _red(results: Results, labels: Sequence[str], rows: IntArray, values: FloatArray) -> np.ndarray:
    """Whether each value would be red in its period (False where the period is not
    evaluated yet: no target is known there)."""
    out = np.zeros(rows.size, dtype=bool)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    for label, positions in by_label.items():
        try:
            result, col = results.grain_for(label)
        except ValueError:
            continue
        picked = np.array(positions)
        cols = np.full(picked.size, col)
        _, status = results.evaluator.score_values(result.grain, rows[picked], cols, values[picked])
        out[picked] = status == Status.RED
    return out


def _outliers(
    results: Results,
    rows: IntArray,
    cols: IntArray,
    step: IntArray,
    values: FloatArray,
    sigma: FloatArray,
    total: np.ndarray,
) -> list[DataIssue]:
    """Values beyond ``sigma`` standard deviations of the measure's earlier values."""
    out: list[DataIssue] = []
    grid = results.evaluator.observed
    back = np.arange(1, HISTORY + 1)
    candidates = np.flatnonzero(total & ~np.isnan(sigma))
    for start in range(0, candidates.size, BLOCK):
        idx = candidates[start : start + BLOCK]
        where = cols[idx][:, None] - step[idx][:, None] * back[None, :]
        inside = (where >= 0) & (where < grid.shape[1])
        history = np.where(
            inside, grid[rows[idx][:, None], np.clip(where, 0, grid.shape[1] - 1)], np.nan
        )
        count = np.sum(~np.isnan(history), axis=1)
        enough = count >= MIN_HISTORY
        if not enough.any():
            continue
        idx, history = idx[enough], history[enough]
        mean = np.nanmean(history, axis=1)
        sd = np.nanstd(history, axis=1, ddof=1)
        far = (sd > 0) & (np.abs(values[idx] - mean) > sigma[idx] * sd)
        for k in np.flatnonzero(far).tolist():
            i = int(idx[k])
            out.append(
                DataIssue(
                    i,
                    "value",
                    f"{_num(values[i])} is beyond {_num(sigma[i])} standard deviations of "
                    f"its last {int(count[enough][k])} values (mean {_num(mean[k])}, "
                    f"sd {_num(sd[k])}): confirm it is right",
                    confirm=True,
                )
            )
    return out
