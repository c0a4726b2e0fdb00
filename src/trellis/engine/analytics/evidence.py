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
    if n < MIN_PERIODS or np.ptp(a[both]) == 0 or np.ptp(b[both]) == 0:
        return None
    result = pearsonr(a[both], b[both])
    return float(result.statistic), float(result.pvalue), n


def strategy_map(results: Results, max_lag: int = 6) -> list[LinkEvidence]:
    """One row per ``drives`` link of the scorecard."""
    c = results.compiled
    month = results.evaluator.grain(Grain.MONTH)
    measures_of: dict[str, list[int]] = {}
    for row in np.flatnonzero(c.active):
        measures_of.setdefault(c.measures[row].objective, []).append(int(row))
    rows: list[LinkEvidence] = []
    for objective in c.spec.objectives:
        for target in objective.drives:
            best: tuple[float, float, int, int, int, int] | None = None
            for a in measures_of.get(objective.code, []):
                for b in measures_of.get(target, []):
                    for lag in range(max_lag + 1):
                        found = lagged_correlation(month.value[a], month.value[b], lag)
                        if found and (best is None or abs(found[0]) > abs(best[0])):
                            best = (found[0], found[1], found[2], lag, a, b)
            if best is None:
                rows.append(
                    LinkEvidence(
                        objective.code,
                        target,
                        None,
                        None,
                        None,
                        None,
                        None,
                        0,
                        f"no pair of measures with {MIN_PERIODS}+ common months",
                    )
                )
                continue
            r, p, n, lag, a, b = best
            rows.append(
                LinkEvidence(
                    objective.code,
                    target,
                    c.measures[a].code,
                    c.measures[b].code,
                    lag,
                    r,
                    p,
                    n,
                    "" if p < 0.05 else "not significant at 5 %",
                )
            )
    return rows
