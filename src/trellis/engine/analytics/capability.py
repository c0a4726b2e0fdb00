"""Process capability and six-sigma arithmetic.

Cp = (USL − LSL) / 6σ_within, Cpk = min(USL − μ, μ − LSL) / 3σ_within; Pp and Ppk the same
with the overall standard deviation; Cpm = (USL − LSL) / 6 √(σ² + (μ − T)²). σ_within comes
from the average moving range (mR̄ / d2) or from subgroup ranges (R̄ / d2). Sigma levels use
the conventional 1.5σ long-term shift: 6σ ↔ 3.4 defects per million opportunities.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from trellis.engine.analytics.spc import D2, SPCError, xmr
from trellis.engine.periods import FloatArray

SHIFT = 1.5


@dataclass(frozen=True)
class Capability:
    """Capability indices of a process; an index is None when its limit is not given."""

    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None
    cpm: float | None


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator == 0:
        return math.inf if numerator > 0 else None
    return numerator / denominator


def from_stats(
    mean: float,
    sigma: float,
    lsl: float | None = None,
    usl: float | None = None,
    sigma_overall: float | None = None,
    target: float | None = None,
) -> Capability:
    """Indices from a mean and a (within) standard deviation."""
    if lsl is None and usl is None:
        raise SPCError("give at least one specification limit (lsl or usl)")
    if lsl is not None and usl is not None and lsl >= usl:
        raise SPCError(f"lsl ({lsl:g}) must be below usl ({usl:g})")
    overall = sigma if sigma_overall is None else sigma_overall
    cpl = _ratio(mean - lsl, 3 * sigma) if lsl is not None else None
    cpu = _ratio(usl - mean, 3 * sigma) if usl is not None else None
    ppl = _ratio(mean - lsl, 3 * overall) if lsl is not None else None
    ppu = _ratio(usl - mean, 3 * overall) if usl is not None else None
    both = lsl is not None and usl is not None
    cp = _ratio(usl - lsl, 6 * sigma) if both else None  # type: ignore[operator]
    pp = _ratio(usl - lsl, 6 * overall) if both else None  # type: ignore[operator]
    cpm = None
    if both:
        aim = target if target is not None else (lsl + usl) / 2  # type: ignore[operator]
        cpm = _ratio(usl - lsl, 6 * math.sqrt(overall**2 + (mean - aim) ** 2))  # type: ignore[operator]
    cpk = min(v for v in (cpl, cpu) if v is not None)
    ppk = min(v for v in (ppl, ppu) if v is not None)
    return Capability(mean, sigma, overall, cp, cpl, cpu, cpk, pp, ppk, cpm)


def capability(
    values: Sequence[float] | Sequence[Sequence[float]] | FloatArray,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
) -> Capability:
    """Indices of individual values (σ_within = mR̄/d2) or of subgroups (σ_within = R̄/d2)."""
    data = np.asarray(values, dtype=np.float64)
    if data.ndim == 2:
        n = data.shape[1]
        if n not in D2:
            raise SPCError(f"subgroup size must be 2 to 10, got {n}")
        within = float((data.max(axis=1) - data.min(axis=1)).mean()) / D2[n]
        flat = data.ravel()
    else:
        within = xmr(data).sigma
        flat = data[~np.isnan(data)]
    if flat.size < 2:
        raise SPCError("capability needs at least two values")
    overall = float(flat.std(ddof=1))
    return from_stats(float(flat.mean()), within, lsl, usl, overall, target)


def dpmo(defects: float, units: float, opportunities: float = 1) -> float:
    """Defects per million opportunities."""
    if units <= 0 or opportunities <= 0:
        raise SPCError("units and opportunities must be positive")
    return 1_000_000 * defects / (units * opportunities)


def sigma_level(dpmo_value: float) -> float:
    """Short-term sigma level of a defect rate (1.5σ shift): 3.4 DPMO → 6.0."""
    if not 0 < dpmo_value < 1_000_000:
        raise SPCError("DPMO must be between 0 and 1,000,000 (exclusive)")
    return float(norm.isf(dpmo_value / 1_000_000)) + SHIFT


def dpmo_at(level: float) -> float:
    """Defects per million opportunities at a short-term sigma level (1.5σ shift)."""
    return float(norm.sf(level - SHIFT)) * 1_000_000


def expected_dpmo(
    mean: float, sigma: float, lsl: float | None = None, usl: float | None = None
) -> float:
    """Parts per million expected outside the specification limits of a normal process
    with this mean and (overall) standard deviation."""
    if lsl is None and usl is None:
        raise SPCError("give at least one specification limit")
    if sigma <= 0:
        outside = (lsl is not None and mean < lsl) or (usl is not None and mean > usl)
        return 1_000_000.0 if outside else 0.0
    below = float(norm.cdf((lsl - mean) / sigma)) if lsl is not None else 0.0
    above = float(norm.sf((usl - mean) / sigma)) if usl is not None else 0.0
    return 1_000_000 * (below + above)
