"""Grouped reductions: value roll-ups across the cascade and weighted means of scores.

Every function reduces rows of a matrix into groups given by sorted ``starts`` offsets
(``np.*.reduceat`` semantics), so one call combines the contributors of many owners at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from trellis.engine.flags import FLAG_INVALID, FLAG_PARTIAL
from trellis.engine.periods import FloatArray, IntArray
from trellis.engine.spec import RollupMethod


@dataclass(frozen=True)
class Combined:
    """Combined values per group, with how many components were present of how many."""

    values: FloatArray
    present: IntArray
    total: IntArray
    flags: npt.NDArray[np.uint8]


def group_starts(owner: IntArray) -> tuple[IntArray, IntArray]:
    """Unique owners of a sorted owner array and the offset where each one's rows start."""
    if owner.size == 0:
        return owner, owner
    change = np.flatnonzero(np.diff(owner)) + 1
    starts = np.concatenate(([0], change)).astype(np.int64)
    return owner[starts], starts


def sizes(starts: IntArray, total: int) -> IntArray:
    """Number of rows of each group."""
    return np.diff(np.append(starts, total)).astype(np.int64)


SPARSE_FROM = 4096
"""Row count from which group sums go through a sparse product instead of ``reduceat``."""


def group_sum(x: FloatArray, starts: IntArray, weights: FloatArray | None = None) -> FloatArray:
    """Sum of the (optionally weighted) rows of each group, adding rows in index order.

    Large inputs go through a sparse product (a CSR matrix of ones adds its rows one after
    the other); small ones through a loop over row positions that adds in the same order.
    Both give bit-identical sums, so an incremental update equals a full evaluation.
    """
    if weights is not None:
        x = x * weights[:, None]
    n = x.shape[0]
    if n >= SPARSE_FROM:
        indptr = np.append(starts, n).astype(np.int64)
        matrix = csr_matrix((np.ones(n), np.arange(n), indptr), shape=(starts.size, n))
        return np.asarray(matrix @ x, dtype=np.float64)
    counts = sizes(starts, n)
    out = np.zeros((starts.size, *x.shape[1:]))
    for position in range(int(counts.max()) if counts.size else 0):
        groups = np.flatnonzero(counts > position)
        out[groups] += x[starts[groups] + position]
    return out


def rollup(
    method: RollupMethod,
    values: FloatArray,
    weights: FloatArray | None,
    flags: npt.NDArray[np.uint8],
    starts: IntArray,
    require_all: bool,
) -> Combined:
    """Combine contributor rows (grouped by ``starts``) with a roll-up method.

    Only contributors with a value count; a group with none is missing; a group with some
    missing is flagged partial (and is missing with ``require_all``).
    """
    present_mask = ~np.isnan(values)
    if method is RollupMethod.WEIGHTED_AVERAGE and weights is not None:
        present_mask &= ~np.isnan(weights)
    n = present_mask.shape[1]
    if starts.size == 0:
        empty = np.zeros((0, n))
        return Combined(
            empty, empty.astype(np.int64), np.zeros(0, np.int64), empty.astype(np.uint8)
        )
    present = group_sum(present_mask.astype(np.float64), starts).astype(np.int64)
    total = sizes(starts, values.shape[0])
    zeroed = np.where(present_mask, values, 0.0)
    with np.errstate(all="ignore"):
        if method is RollupMethod.SUM:
            out = group_sum(zeroed, starts)
        elif method is RollupMethod.AVERAGE:
            out = group_sum(zeroed, starts) / present
        elif method is RollupMethod.WEIGHTED_AVERAGE:
            w = np.where(present_mask, weights if weights is not None else 1.0, 0.0)
            out = group_sum(zeroed * w, starts) / group_sum(w, starts)
        elif method is RollupMethod.MIN:
            out = np.minimum.reduceat(np.where(present_mask, values, np.inf), starts, axis=0)
        elif method is RollupMethod.MAX:
            out = np.maximum.reduceat(np.where(present_mask, values, -np.inf), starts, axis=0)
        else:
            out = present.astype(np.float64)
    group_flags = np.bitwise_or.reduceat(np.where(present_mask, flags, 0), starts, axis=0)
    incomplete = present < total[:, None]
    out = np.where(present > 0, out, np.nan)
    # Contributors too large to add up: no number, flagged (not silently missing).
    group_flags = group_flags | np.where(np.isinf(out), FLAG_INVALID, 0)
    out = np.where(~np.isfinite(out), np.nan, out)
    if require_all:
        out = np.where(incomplete, np.nan, out)
    group_flags = group_flags | np.where(incomplete & (present > 0), FLAG_PARTIAL, 0)
    return Combined(out, present, total, group_flags.astype(np.uint8))


def weighted_mean(
    scores: FloatArray, weights: FloatArray, starts: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Weighted mean per group over the rows that have a score (weights renormalized).

    ``scores`` is consumed (overwritten) to save memory. Returns the means and the weight
    that was present, per group and column.
    """
    present = ~np.isnan(scores)
    denominator = group_sum(present.astype(np.float64), starts, weights)
    np.nan_to_num(scores, copy=False, nan=0.0)
    scores *= weights[:, None]
    numerator = group_sum(scores, starts)
    with np.errstate(all="ignore"):
        mean = numerator / denominator
    return np.where(denominator > 0, mean, np.nan), denominator
