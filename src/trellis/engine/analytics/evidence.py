"""Evidence for the strategy map: does a driver objective's performance lead the driven one's?

For every ``drives`` link, each pair of measures (one of the driver objective, one of the
driven objective) is compared at lags 0..max_lag months: Pearson's r between the driver at
month t and the driven measure at month t + lag, over the months where both have values.
The row of a link is its strongest pair and lag (largest |r|), with the p-value of that r
and the number of months it rests on. Links without enough data say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import pearsonr

from trellis.engine.periods import FloatArray, Grain
from trellis.engine.results import Results

MIN_PERIODS = 6


@dataclass(frozen=True)
class LinkEvidence:
    """The strongest lagged correlation found for one cause-and-effect link."""

    driver: str
    driven: str
    driver_measure: str | None
    driven_measure: str | None
    lag: int | None
    r: float | None
    p_value: float | None
    periods: int
    note: str = ""


def lagged_correlation(
    driver: FloatArray, driven: FloatArray, lag: int
) -> tuple[float, float, int] | None:
    """(r, p, n) of driver[t] against driven[t + lag]; None with fewer than MIN_PERIODS pairs
    or no variation."""
    a = driver[: driver.size - lag] if lag else driver
    b = driven[lag:]
    both = ~np.isnan(a) & ~np.isnan(b)
    n = int(both.sum())
    if n < MIN_PERIODS:
        return None
    # r does not change with the scale of either series; scaled to at most 1 in size, the
    # largest numbers a float holds cannot overflow the sums behind it.
    x, y = _unit_scale(a[both]), _unit_scale(b[both])
    if x is None or y is None or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    result = pearsonr(x, y)
    return float(result.statistic), float(result.pvalue), n


def _unit_scale(x: FloatArray) -> FloatArray | None:
    """``x`` divided by its largest magnitude (None when that is 0 or not a number)."""
    largest = float(np.max(np.abs(x)))
    if largest == 0 or not np.isfinite(largest):
        return None
    return x / largest


def _measures_of(results: Results) -> dict[str, list[int]]:
    c = results.compiled
    out: dict[str, list[int]] = {}
    for row in np.flatnonzero(c.active):
        out.setdefault(c.measures[row].objective, []).append(int(row))
    return out


def link(
    results: Results,
    driver: str,
    driven: str,
    max_lag: int = 6,
    measures_of: dict[str, list[int]] | None = None,
) -> LinkEvidence:
    """The strongest lagged correlation between the measures of two objectives."""
    c = results.compiled
    month = results.evaluator.grain(Grain.MONTH)
    groups = measures_of if measures_of is not None else _measures_of(results)
    best: tuple[float, float, int, int, int, int] | None = None
    for a in groups.get(driver, []):
        for b in groups.get(driven, []):
            for lag in range(max_lag + 1):
                found = lagged_correlation(month.value[a], month.value[b], lag)
                if found and (best is None or abs(found[0]) > abs(best[0])):
                    best = (found[0], found[1], found[2], lag, a, b)
    if best is None:
        return LinkEvidence(
            driver,
            driven,
            None,
            None,
            None,
            None,
            None,
            0,
            f"no pair of measures with {MIN_PERIODS}+ common months",
        )
    r, p, n, lag, a, b = best
    return LinkEvidence(
        driver,
        driven,
        c.measures[a].code,
        c.measures[b].code,
        lag,
        r,
        p,
        n,
        "" if p < 0.05 else "not significant at 5 %",
    )


def strategy_map(results: Results, max_lag: int = 6) -> list[LinkEvidence]:
    """One row per ``drives`` link of the scorecard."""
    groups = _measures_of(results)
    return [
        link(results, objective.code, target, max_lag, groups)
        for objective in results.compiled.spec.objectives
        for target in objective.drives
    ]
