"""Financial normalization: price indexes, rebasing, currency conversion, one-off items.

All functions work on scalars or arrays (per period); a zero divisor gives NaN, never an
error or an infinity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Number = float | Sequence[float] | npt.NDArray[np.float64]


def _array(x: Number) -> npt.NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def _divide(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    with np.errstate(all="ignore"):
        out = np.where(b == 0, np.nan, a / np.where(b == 0, 1.0, b))
    return np.asarray(out, dtype=np.float64)


def to_real(values: Number, index: Number, base: float) -> npt.NDArray[np.float64]:
    """Deflate nominal values by a price index to the prices of the base (index level)."""
    return _divide(_array(values) * base, _array(index))


def rebase(amount: Number, index_from: Number, index_to: Number) -> npt.NDArray[np.float64]:
    """An amount in one period's prices expressed in another period's prices."""
    return _divide(_array(amount) * _array(index_to), _array(index_from))


def percent_change(current: Number, previous: Number) -> npt.NDArray[np.float64]:
    """100 (current − previous) / previous."""
    previous_ = _array(previous)
    return 100.0 * _divide(_array(current) - previous_, previous_)


def convert(values: Number, rates: Number) -> npt.NDArray[np.float64]:
    """Values in another currency at a rate per period (units of target per unit of source)."""
    return _array(values) * _array(rates)


def exclude_one_offs(
    values: Number, flags: Sequence[bool] | npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """The values with flagged one-time items left out (missing, so they count as no data)."""
    out = _array(values).copy()
    out[np.asarray(flags, dtype=bool)] = np.nan
    return out
