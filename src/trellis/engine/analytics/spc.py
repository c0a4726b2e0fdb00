"""Statistical process control: control charts and the run rules that tell common-cause from
special-cause variation.

Constants are the tabulated control-chart factors (Montgomery, *Introduction to Statistical
Quality Control*, Appendix VI; NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2).
Missing values (NaN) are skipped; a moving range is broken across a missing value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trellis.engine.analytics.rules import Signal, signals
from trellis.engine.periods import FloatArray

D2 = {2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970, 10: 3.078}
"""d2: expected range of n standard normal values."""
D3 = {2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.0, 7: 0.076, 8: 0.136, 9: 0.184, 10: 0.223}
D4 = {2: 3.267, 3: 2.574, 4: 2.282, 5: 2.114, 6: 2.004, 7: 1.924, 8: 1.864, 9: 1.816, 10: 1.777}
A2 = {2: 1.880, 3: 1.023, 4: 0.729, 5: 0.577, 6: 0.483, 7: 0.419, 8: 0.373, 9: 0.337, 10: 0.308}
A3 = {2: 2.659, 3: 1.954, 4: 1.628, 5: 1.427, 6: 1.287, 7: 1.182, 8: 1.099, 9: 1.032, 10: 0.975}
B3 = {2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.030, 7: 0.118, 8: 0.185, 9: 0.239, 10: 0.284}
B4 = {2: 3.267, 3: 2.568, 4: 2.266, 5: 2.089, 6: 1.970, 7: 1.882, 8: 1.815, 9: 1.761, 10: 1.716}
C4 = {
    2: 0.7979,
    3: 0.8862,
    4: 0.9213,
    5: 0.9400,
    6: 0.9515,
    7: 0.9594,
    8: 0.9650,
    9: 0.9693,
    10: 0.9727,
}


class SPCError(ValueError):
    """Data that cannot make a control chart, with the reason."""


@dataclass(frozen=True)
class XmRChart:
    """Individuals (X) and moving-range (mR) chart."""

    center: float
    mr_bar: float
    sigma: float
    ucl: float
    lcl: float
    mr_ucl: float
    points: int


@dataclass(frozen=True)
class SubgroupChart:
    """An x̄ chart with its dispersion chart (R or s)."""

    center: float
    ucl: float
    lcl: float
    dispersion_center: float
    dispersion_ucl: float
    dispersion_lcl: float
    sigma: float
    subgroup_size: int


@dataclass(frozen=True)
class Limits:
    """Per-point limits of an attribute or EWMA chart."""

    center: float
    ucl: FloatArray
    lcl: FloatArray
    statistic: FloatArray


def _values(values: Sequence[float] | FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def moving_ranges(values: Sequence[float] | FloatArray) -> FloatArray:
    """|x_i − x_(i−1)|, missing where either point is missing (the range is broken)."""
    x = _values(values)
    return np.abs(np.diff(x))


def xmr(values: Sequence[float] | FloatArray) -> XmRChart:
    """Individuals and moving-range chart: σ = mR̄ / d2, limits at ±3σ, mR UCL = D4 mR̄."""
    x = _values(values)
    present = x[~np.isnan(x)]
    ranges = moving_ranges(x)
    ranges = ranges[~np.isnan(ranges)]
    if present.size < 2 or ranges.size == 0:
        raise SPCError("an XmR chart needs at least two consecutive values")
    with np.errstate(over="ignore", invalid="ignore"):
        center = float(present.mean())
        mr_bar = float(ranges.mean())
    sigma = mr_bar / D2[2]
    if not (math.isfinite(center + 3 * sigma) and math.isfinite(center - 3 * sigma)):
        raise SPCError("the values are too large for a control chart")
    return XmRChart(
        center,
        mr_bar,
        sigma,
        center + 3 * sigma,
        center - 3 * sigma,
        D4[2] * mr_bar,
        int(present.size),
    )


def _subgroups(subgroups: Sequence[Sequence[float]]) -> tuple[FloatArray, int]:
    data = np.asarray(subgroups, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        raise SPCError("give at least two subgroups of equal size")
    n = data.shape[1]
    if n not in D2:
        raise SPCError(f"subgroup size must be 2 to 10, got {n}")
    return data, n


def xbar_r(subgroups: Sequence[Sequence[float]]) -> SubgroupChart:
    """x̄ and R chart: x̿ ± A2 R̄; R chart D3 R̄ … D4 R̄; σ = R̄ / d2."""
    data, n = _subgroups(subgroups)
    grand = float(data.mean(axis=1).mean())
    r_bar = float((data.max(axis=1) - data.min(axis=1)).mean())
    return SubgroupChart(
        grand,
        grand + A2[n] * r_bar,
        grand - A2[n] * r_bar,
        r_bar,
        D4[n] * r_bar,
        D3[n] * r_bar,
        r_bar / D2[n],
        n,
    )


def xbar_s(subgroups: Sequence[Sequence[float]]) -> SubgroupChart:
    """x̄ and s chart: x̿ ± A3 s̄; s chart B3 s̄ … B4 s̄; σ = s̄ / c4."""
    data, n = _subgroups(subgroups)
    grand = float(data.mean(axis=1).mean())
    s_bar = float(data.std(axis=1, ddof=1).mean())
    return SubgroupChart(
        grand,
        grand + A3[n] * s_bar,
        grand - A3[n] * s_bar,
        s_bar,
        B4[n] * s_bar,
        B3[n] * s_bar,
        s_bar / C4[n],
        n,
    )


def p_chart(defectives: Sequence[float], sizes: Sequence[float]) -> Limits:
    """Fraction nonconforming: p̄ ± 3 √(p̄(1−p̄)/n_i), clipped to [0, 1]."""
    d, n = _values(defectives), _values(sizes)
    p_bar = float(d.sum() / n.sum())
    spread = 3 * np.sqrt(p_bar * (1 - p_bar) / n)
    return Limits(p_bar, np.minimum(p_bar + spread, 1.0), np.maximum(p_bar - spread, 0.0), d / n)


def np_chart(defectives: Sequence[float], size: int) -> Limits:
    """Number nonconforming in samples of one size: np̄ ± 3 √(np̄(1−p̄))."""
    d = _values(defectives)
    p_bar = float(d.mean() / size)
    spread = 3 * math.sqrt(size * p_bar * (1 - p_bar))
    ones = np.ones_like(d)
    return Limits(
        size * p_bar, ones * (size * p_bar + spread), ones * max(size * p_bar - spread, 0.0), d
    )


def c_chart(counts: Sequence[float]) -> Limits:
    """Count of nonconformities per unit: c̄ ± 3 √c̄."""
    c = _values(counts)
    c_bar = float(c.mean())
    ones = np.ones_like(c)
    return Limits(
        c_bar,
        ones * (c_bar + 3 * math.sqrt(c_bar)),
        ones * max(c_bar - 3 * math.sqrt(c_bar), 0.0),
        c,
    )


def u_chart(counts: Sequence[float], units: Sequence[float]) -> Limits:
    """Nonconformities per unit with varying sample sizes: ū ± 3 √(ū / n_i)."""
    c, n = _values(counts), _values(units)
    u_bar = float(c.sum() / n.sum())
    spread = 3 * np.sqrt(u_bar / n)
    return Limits(u_bar, u_bar + spread, np.maximum(u_bar - spread, 0.0), c / n)


def ewma(
    values: Sequence[float] | FloatArray,
    lam: float = 0.2,
    width: float = 3.0,
    center: float | None = None,
    sigma: float | None = None,
) -> Limits:
    """Exponentially weighted moving average z_i = λx_i + (1−λ)z_(i−1), with the exact
    time-varying limits μ ± Lσ √(λ/(2−λ) (1 − (1−λ)^(2i)))."""
    if not 0 < lam <= 1:
        raise SPCError(f"lam must be in (0, 1], got {lam}")
    x = _values(values)
    base = xmr(x)
    mu = base.center if center is None else center
    s = base.sigma if sigma is None else sigma
    z = np.empty_like(x)
    previous = mu
    for i, value in enumerate(x):
        previous = previous if math.isnan(value) else lam * value + (1 - lam) * previous
        z[i] = previous
    steps = np.arange(1, x.size + 1)
    spread = width * s * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)))
    return Limits(mu, mu + spread, mu - spread, z)


__all__ = [
    "Limits",
    "SPCError",
    "Signal",
    "SubgroupChart",
    "XmRChart",
    "c_chart",
    "ewma",
    "moving_ranges",
    "np_chart",
    "p_chart",
    "signals",
    "u_chart",
    "xbar_r",
    "xbar_s",
    "xmr",
]


@dataclass(frozen=True)
class XmRLimits:
    """XmR limits of many series at once (one value per row; NaN where a row has too few
    consecutive values)."""

    center: FloatArray
    mr_bar: FloatArray
    sigma: FloatArray
    ucl: FloatArray
    lcl: FloatArray


def xmr_rows(values: FloatArray) -> XmRLimits:
    """:func:`xmr` for every row of a measures × periods matrix, vectorized."""
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # values too large to add up
        ranges = np.abs(np.diff(x, axis=1))
        present = (~np.isnan(x)).sum(axis=1)
        counts = (~np.isnan(ranges)).sum(axis=1)
        center = np.nansum(x, axis=1) / np.maximum(present, 1)
        mr_bar = np.where(counts > 0, np.nansum(ranges, axis=1) / np.maximum(counts, 1), np.nan)
        sigma = mr_bar / D2[2]
        ucl, lcl = center + 3 * sigma, center - 3 * sigma
    # No limits for a row without enough values, or whose numbers are too large to chart.
    usable = (counts > 0) & np.isfinite(ucl) & np.isfinite(lcl)
    return XmRLimits(*(np.where(usable, a, np.nan) for a in (center, mr_bar, sigma, ucl, lcl)))
