"""Scoring methods and status bands (SPEC section 5), vectorized.

Every function takes arrays of equal shape (rows = measures, columns = periods) and returns
scores on the scale where 100 means the target is met, before clamping to ``[0, cap]``.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from trellis.engine.periods import BoolArray, FloatArray, IntArray
from trellis.engine.spec import Method, Polarity

Int8Array = npt.NDArray[np.int8]


class Status(IntEnum):
    """Status codes stored in result arrays."""

    NO_DATA = 0
    NO_TARGET = 1
    UNSCORED = 2
    RED = 3
    AMBER = 4
    GREEN = 5

    @property
    def label(self) -> str:
        """The status's code in data and options (``no-data``, ``green`` …)."""
        return self.name.lower().replace("_", "-")


STATUS_LABELS = [s.label for s in Status]

STATUS_WORDS = {
    "green": "on target",
    "amber": "near target",
    "red": "off target",
    "no-data": "no data",
    "no-target": "no target",
    "unscored": "not scored",
}
"""The status in words, everywhere people read it (web pages, terminal, explanations); the
colour name is the code in data, options and bands."""


def status_words(label: str) -> str:
    """A status as people read it: its words, with the colour where there is one
    ("near target (amber)")."""
    words = STATUS_WORDS.get(label, label)
    return f"{words} ({label})" if label in ("green", "amber", "red") else words


METHOD_CODES = {m: i for i, m in enumerate(Method)}
POLARITY_CODES = {p: i for i, p in enumerate(Polarity)}
UP, DOWN, BAND = (POLARITY_CODES[p] for p in (Polarity.UP, Polarity.DOWN, Polarity.BAND))

DEFAULT_BANDS = {
    Method.THRESHOLDS: (100.0, 50.0),
    Method.BAND: (100.0, 50.0),
    Method.BINARY: (100.0, 100.0),
}
"""Default (green, amber) bands of methods whose scale differs from linear/ratio."""


def _met(actual: FloatArray, target: FloatArray, polarity: IntArray) -> BoolArray:
    return np.where(polarity == DOWN, actual <= target, actual >= target)


def linear(
    actual: FloatArray, target: FloatArray, baseline: FloatArray, polarity: IntArray
) -> FloatArray:
    """``100 (actual - baseline) / (target - baseline)``; a target equal to the baseline
    scores 100 when met and 0 otherwise."""
    span = target - baseline
    flat = span == 0
    with np.errstate(all="ignore"):
        score = 100.0 * (actual - baseline) / np.where(flat, 1.0, span)
    return np.where(flat, np.where(_met(actual, target, polarity), 100.0, 0.0), score)


def ratio(actual: FloatArray, target: FloatArray, polarity: IntArray) -> FloatArray:
    """``up``: 100 actual / target; ``down``: 100 target / actual (a zero actual meets any
    non-negative target). A zero target scores 100 when met and 0 otherwise; a negative
    target has no ratio score (the check refuses it: the scale would be upside down)."""
    down = polarity == DOWN
    with np.errstate(all="ignore"):
        if down.any():
            score = np.where(down, target, actual)
            score /= np.where(down, actual, target)
        else:
            score = np.divide(actual, target)
        score *= 100.0
    # The rare special cases are patched where they occur, keeping the common path lean.
    zero_target = target == 0
    if zero_target.any():
        met = _met(actual, target, polarity)
        score[zero_target] = np.where(met, 100.0, 0.0)[zero_target]
    bad_down = down & (actual <= 0) & ~zero_target
    if bad_down.any():
        met = np.broadcast_to(target >= actual, score.shape)
        score[bad_down] = np.where(met, np.inf, 0.0)[bad_down]
    negative = np.broadcast_to(target < 0, score.shape)
    if negative.any():
        score[negative] = np.nan
    return score


def thresholds(
    actual: FloatArray, goal: FloatArray, red_flag: FloatArray, polarity: IntArray
) -> FloatArray:
    """Linear through red flag → 50 and goal → 100 (so 0 at ``red - (goal - red)``).

    The direction follows the numbers: a goal below the red flag means lower is better.
    A goal equal to the red flag scores 100 at or beyond it and 0 otherwise.
    """
    span = goal - red_flag
    flat = span == 0
    with np.errstate(all="ignore"):
        score = 50.0 + 50.0 * (actual - red_flag) / np.where(flat, 1.0, span)
    return np.where(flat, np.where(_met(actual, goal, polarity), 100.0, 0.0), score)


def band(
    actual: FloatArray, lower: FloatArray, upper: FloatArray, tolerance: FloatArray
) -> FloatArray:
    """100 inside ``[lower, upper]``, falling linearly to 0 at ``tolerance`` outside."""
    with np.errstate(all="ignore"):
        below = 100.0 * (1.0 - (lower - actual) / tolerance)
        above = 100.0 * (1.0 - (actual - upper) / tolerance)
    return np.where(actual < lower, below, np.where(actual > upper, above, 100.0))


def binary(
    actual: FloatArray,
    target: FloatArray,
    polarity: IntArray,
    lower: FloatArray,
    upper: FloatArray,
) -> FloatArray:
    """100 when the target is met (``>=`` up, ``<=`` down, inside the band), else 0."""
    inside = (actual >= lower) & (actual <= upper)
    met = np.where(polarity == BAND, inside, _met(actual, target, polarity))
    return np.where(met, 100.0, 0.0)


def clamp(score: FloatArray, cap: FloatArray) -> FloatArray:
    """Clamp to ``[0, cap]`` in place (NaN, a missing score, stays NaN)."""
    return np.clip(score, 0.0, cap, out=score)


def status(
    score: FloatArray,
    value_present: BoolArray,
    green: FloatArray,
    amber: FloatArray,
    unscored: BoolArray | None = None,
) -> Int8Array:
    """Status codes from scores and bands; a value without a score has no target."""
    out = np.full(score.shape, Status.RED, dtype=np.int8)
    out[score >= amber] = Status.AMBER
    out[score >= green] = Status.GREEN
    missing = np.isnan(score)
    out[missing] = Status.NO_DATA
    out[missing & value_present] = Status.NO_TARGET
    if unscored is not None:
        out[value_present & unscored] = Status.UNSCORED
    return out


def shown_score(score: float, places: int = 1) -> Decimal:
    """A score as people see it, with ``places`` decimals: cut, never rounded up, so that a
    shown score never reaches a band the score has not reached (89.95 shows as 89.9 where
    amber starts at 90; 99.96 as 99.9, not a green-looking 100.0). Bands are all "at
    least" thresholds, so the status and the number shown always agree."""
    return Decimal(repr(float(score))).quantize(Decimal(1).scaleb(-places), ROUND_FLOOR)
