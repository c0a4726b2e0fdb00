"""Run rules on a control chart: Western Electric (1–4) and Nelson (1–8).

Each signal names the rule and the 0-based index of the point that completes the pattern.
For the "2 of 3" and "4 of 5" zone rules the completing point must itself lie in the zone.
Missing values are skipped: the rules run over the points that are present, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from trellis.engine.periods import BoolArray, FloatArray

DESCRIPTIONS = {
    ("western_electric", 1): "a point beyond 3 sigma",
    ("western_electric", 2): "2 of 3 points beyond 2 sigma on one side",
    ("western_electric", 3): "4 of 5 points beyond 1 sigma on one side",
    ("western_electric", 4): "8 points in a row on one side of the centre line",
    ("nelson", 1): "a point beyond 3 sigma",
    ("nelson", 2): "9 points in a row on one side of the centre line",
    ("nelson", 3): "6 points in a row steadily increasing or decreasing",
    ("nelson", 4): "14 points in a row alternating up and down",
    ("nelson", 5): "2 of 3 points beyond 2 sigma on one side",
    ("nelson", 6): "4 of 5 points beyond 1 sigma on one side",
    ("nelson", 7): "15 points in a row within 1 sigma",
    ("nelson", 8): "8 points in a row beyond 1 sigma, none within",
}


@dataclass(frozen=True)
class Signal:
    """One rule violation: which rule and the index of the point completing it."""

    rules: str
    rule: int
    index: int

    @property
    def description(self) -> str:
        """The rule in words."""
        return DESCRIPTIONS[(self.rules, self.rule)]


def _window_count(mask: BoolArray, n: int) -> npt.NDArray[np.int32]:
    """How many of the last n points (ending at each point) are true; -1 before the n-th point.

    A running count differenced n apart: one pass whatever the window length.
    """
    counts = np.full(mask.shape, -1, dtype=np.int32)
    if mask.shape[-1] >= n:
        running = np.cumsum(mask, axis=-1, dtype=np.int32)
        counts[..., n - 1 :] = running[..., n - 1 :]
        counts[..., n:] -= running[..., :-n]
    return counts


def _run(mask: BoolArray, length: int) -> BoolArray:
    """True where the last ``length`` points (ending here) are all true (along the last axis)."""
    return np.asarray(_window_count(mask, length) == length)


def _k_of_n(mask: BoolArray, k: int, n: int) -> BoolArray:
    """True where at least k of the last n points are true and this point is one of them."""
    return np.asarray((_window_count(mask, n) >= k) & mask)


def _beyond_three(z: FloatArray) -> BoolArray:
    return np.asarray(np.abs(z) > 3)


def _zone_rule(z: FloatArray, level: float, k: int, n: int) -> BoolArray:
    return _k_of_n(z > level, k, n) | _k_of_n(z < -level, k, n)


def _side_run(z: FloatArray, length: int) -> BoolArray:
    return _run(z > 0, length) | _run(z < 0, length)


def _trend(x: FloatArray, length: int) -> BoolArray:
    steps = np.diff(x, axis=-1)
    out = np.zeros(x.shape, dtype=bool)
    out[..., 1:] = _run(steps > 0, length - 1) | _run(steps < 0, length - 1)
    return out


def _alternating(x: FloatArray, length: int) -> BoolArray:
    signs = np.sign(np.diff(x, axis=-1))
    flips = (signs[..., 1:] * signs[..., :-1]) < 0
    out = np.zeros(x.shape, dtype=bool)
    out[..., 2:] = _run(flips, length - 2)
    return out


Rule = Callable[[FloatArray, FloatArray], BoolArray]

RULES: dict[str, dict[int, Rule]] = {
    "western_electric": {
        1: lambda x, z: _beyond_three(z),
        2: lambda x, z: _zone_rule(z, 2, 2, 3),
        3: lambda x, z: _zone_rule(z, 1, 4, 5),
        4: lambda x, z: _side_run(z, 8),
    },
    "nelson": {
        1: lambda x, z: _beyond_three(z),
        2: lambda x, z: _side_run(z, 9),
        3: lambda x, z: _trend(x, 6),
        4: lambda x, z: _alternating(x, 14),
        5: lambda x, z: _zone_rule(z, 2, 2, 3),
        6: lambda x, z: _zone_rule(z, 1, 4, 5),
        7: lambda x, z: _run(np.abs(z) < 1, 15),
        8: lambda x, z: _run(np.abs(z) > 1, 8),
    },
}


def signals(
    values: Sequence[float] | FloatArray,
    center: float,
    sigma: float,
    rules: str = "western_electric",
) -> list[Signal]:
    """Every rule violation, ordered by point then rule."""
    if rules not in RULES:
        raise ValueError(f"rules must be one of {', '.join(RULES)}")
    if not sigma > 0:
        return []  # no variation: no zones, nothing can be told apart
    raw = np.asarray(values, dtype=np.float64)
    positions = np.flatnonzero(~np.isnan(raw))
    x = raw[positions]
    z = (x - center) / sigma
    found = [
        Signal(rules, number, int(positions[i]))
        for number, rule in RULES[rules].items()
        for i in np.flatnonzero(rule(x, z))
    ]
    return sorted(found, key=lambda s: (s.index, s.rule))


def signal_matrix(
    values: FloatArray, center: FloatArray, sigma: FloatArray, rules: str = "western_electric"
) -> dict[int, BoolArray]:
    """Run rules for many series at once: rule number → measures × periods mask of the points
    that complete each pattern. Rows without variation get no signals and missing points
    never signal (unlike :func:`signals`, runs are not joined across a missing point)."""
    if rules not in RULES:
        raise ValueError(f"rules must be one of {', '.join(RULES)}")
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        z = (x - center[:, None]) / sigma[:, None]
    valid = ~np.isnan(z) & (sigma[:, None] > 0)
    z = np.where(valid, z, np.nan)  # NaN compares false: a missing point breaks every run
    with np.errstate(invalid="ignore"):
        return {number: rule(x, z) & valid for number, rule in RULES[rules].items()}
