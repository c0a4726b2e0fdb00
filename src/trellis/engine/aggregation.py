"""Aggregation over time, vectorized over measures × months.

Values live on a month grid (rows = series, columns = months of the horizon) with NaN where a
series has no value. A measure reports once per period of its frequency and its value sits in
the column of the last month of that period. These functions build the values of longer
periods (quarter, half, year, year-to-date) and carry values forward into shorter ones.

The horizon always covers whole fiscal years, so quarter, half and year windows are aligned
blocks of columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trellis.engine.periods import Aggregation, BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class Windowed:
    """Values of a set of periods, with how many points each was built from."""

    values: FloatArray
    present: IntArray
    source: IntArray | None = None
    """For carried values: the month column each value was taken from (-1 when none)."""


def _filled_index(valid: BoolArray) -> IntArray:
    """For each cell, the column of the latest valid cell at or before it (-1 when none)."""
    cols = np.arange(valid.shape[1], dtype=np.int64)
    idx = np.where(valid, cols, -1)
    return np.asarray(np.maximum.accumulate(idx, axis=1), dtype=np.int64)


def block_aggregate(x: FloatArray, block: int, method: Aggregation) -> Windowed:
    """Aggregate aligned blocks of ``block`` columns (quarters, halves, years)."""
    n, months = x.shape
    valid = ~np.isnan(x)
    shaped = x.reshape(n, months // block, block)
    shaped_valid = valid.reshape(n, months // block, block)
    present = shaped_valid.sum(axis=2).astype(np.int64)
    with np.errstate(all="ignore"):
        if method is Aggregation.SUM:
            values = np.where(shaped_valid, shaped, 0.0).sum(axis=2)
        elif method is Aggregation.AVERAGE:
            values = np.where(shaped_valid, shaped, 0.0).sum(axis=2) / present
        elif method is Aggregation.MIN:
            values = np.where(shaped_valid, shaped, np.inf).min(axis=2)
        elif method is Aggregation.MAX:
            values = np.where(shaped_valid, shaped, -np.inf).max(axis=2)
        else:
            idx = _filled_index(shaped_valid.reshape(n * (months // block), block))
            last = idx[:, -1].reshape(n, months // block)
            values = np.take_along_axis(shaped, np.maximum(last, 0)[:, :, None], axis=2)[:, :, 0]
    values = np.where(present > 0, values, np.nan)
    return Windowed(np.asarray(values, dtype=np.float64), present)


def ytd_aggregate(x: FloatArray, method: Aggregation) -> Windowed:
    """Fiscal-year-to-date values for every month: cumulative within each fiscal year."""
    n, months = x.shape
    years = months // 12
    valid = ~np.isnan(x)
    shaped = x.reshape(n, years, 12)
    shaped_valid = valid.reshape(n, years, 12)
    present = np.cumsum(shaped_valid, axis=2).astype(np.int64)
    with np.errstate(all="ignore"):
        if method is Aggregation.SUM:
            values = np.cumsum(np.where(shaped_valid, shaped, 0.0), axis=2)
        elif method is Aggregation.AVERAGE:
            values = np.cumsum(np.where(shaped_valid, shaped, 0.0), axis=2) / present
        elif method is Aggregation.MIN:
            values = np.minimum.accumulate(np.where(shaped_valid, shaped, np.inf), axis=2)
        elif method is Aggregation.MAX:
            values = np.maximum.accumulate(np.where(shaped_valid, shaped, -np.inf), axis=2)
        else:
            idx = _filled_index(shaped_valid.reshape(n * years, 12)).reshape(n, years, 12)
            values = np.take_along_axis(shaped, np.maximum(idx, 0), axis=2)
    values = np.where(present > 0, values, np.nan)
    return Windowed(
        np.asarray(values.reshape(n, months), dtype=np.float64), present.reshape(n, months)
    )


def carry_forward(x: FloatArray, view_ends: IntArray) -> Windowed:
    """Latest value at or before each view period's last month (for finer views)."""
    idx = _filled_index(~np.isnan(x))[:, view_ends]
    values = np.take_along_axis(x, np.maximum(idx, 0), axis=1)
    values = np.where(idx >= 0, values, np.nan)
    return Windowed(values, (idx >= 0).astype(np.int64), idx)


def expected_points(native_ends: BoolArray, block: int | None) -> IntArray:
    """How many native periods end in each window: aligned blocks, or YTD when block is None."""
    ends = native_ends.astype(np.int64)
    if block is None:
        return np.asarray(np.cumsum(ends.reshape(-1, 12), axis=1).reshape(-1), dtype=np.int64)
    return np.asarray(ends.reshape(-1, block).sum(axis=1), dtype=np.int64)
