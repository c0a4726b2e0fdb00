"""Believable synthetic observations for any scorecard (used by the sample and benchmarks).

Each reported measure gets values around its target (or baseline) with a per-unit
performance level, a slow improvement over time and noise, respecting its polarity, scoring
method and frequency. A seeded generator makes the output identical on every run.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from trellis.engine.compile import resolve_method
from trellis.engine.periods import Calendar, Grain, month_label
from trellis.engine.resolve import resolved_measures
from trellis.engine.spec import Measure, Method, Polarity, ScorecardSpec, Source
from trellis.engine.targets import Horizon, build_grid, native_ends


def _unit_of(spec: ScorecardSpec) -> dict[str, str]:
    objectives = {o.code: o.unit for o in spec.objectives}
    return {m.code: objectives.get(m.objective, "") for m in spec.measures}


def generate(
    spec: ScorecardSpec,
    first_month: int,
    months: int,
    seed: int = 7,
    performance: dict[str, float] | None = None,
    gap_rate: float = 0.01,
) -> Iterator[tuple[str, str, float]]:
    """Yield ``(measure, period, value)`` for every reported measure and native period.

    ``performance`` maps unit codes to a level (1.0 = on target on average); ``gap_rate`` is
    the share of values left out at random.
    """
    rng = np.random.default_rng(seed)
    calendar = Calendar(spec.organization.fiscal_year_start)
    start, end = calendar.fiscal_years_span(first_month, first_month + months - 1)
    horizon = Horizon(start, end)
    measures = resolved_measures(spec)
    targets = build_grid(measures, "target", calendar, horizon).dense()
    units = _unit_of(spec)
    levels = performance or {}
    for row, m in enumerate(measures):
        if m.source in (Source.FORMULA, Source.ROLLUP) or not m.active:
            continue
        length = m.frequency.months
        cols = np.flatnonzero(native_ends(calendar, horizon, length))
        cols = cols[(cols >= first_month - start) & (cols < first_month - start + months)]
        if cols.size == 0:
            continue
        level = levels.get(units.get(m.code, ""), 1.0) * rng.normal(1.0, 0.02)
        progress = np.linspace(-0.02, 0.02, cols.size)
        noise = rng.normal(0.0, 0.035, cols.size)
        values = _values(m, targets[row, cols], level, progress, noise, rng)
        if m.unit_of_measure == "%":
            values = np.clip(values, 0.0, 100.0)  # a percentage never leaves 0-100
        keep = rng.random(cols.size) >= gap_rate
        for col, value, kept in zip(cols, values, keep, strict=True):
            if not kept or not np.isfinite(value):
                continue
            month = int(col) + start
            label = (
                month_label(month)
                if length == 1
                else calendar.period(Grain(m.frequency.value), month).label
            )
            yield m.code, label, round(float(value), m.decimals)


def _values(
    m: Measure,
    target: np.ndarray,
    level: float,
    progress: np.ndarray,
    noise: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    method = resolve_method(m)
    if m.polarity is Polarity.BAND and m.scoring.band is not None:
        band = m.scoring.band
        centre = (band.lower + band.upper) / 2
        spread = (band.upper - band.lower) / 2 + band.tolerance / 3
        return np.asarray(centre + spread * (level - 1 + noise * 8), dtype=np.float64)
    if method is Method.BINARY and m.polarity is Polarity.UP and np.nanmax(target) <= 1:
        return np.asarray(rng.random(target.size) < 0.8 + (level - 1) * 2, dtype=np.float64)
    if method is Method.BINARY and m.polarity is Polarity.DOWN:
        return np.asarray(rng.poisson(np.nan_to_num(target, nan=1.0) * 0.7 / level), np.float64)
    scale = np.where(np.isnan(target), m.baseline if m.baseline is not None else 100.0, target)
    factor = level + progress + noise
    if m.baseline is not None and method is Method.LINEAR and not np.isnan(target).all():
        # Somewhere between the baseline and the target, mostly near the target.
        reach = 0.85 + (factor - 1) * 4
        return np.asarray(m.baseline + (scale - m.baseline) * reach, dtype=np.float64)
    values = scale / factor if m.polarity is Polarity.DOWN else scale * factor
    return np.asarray(values, dtype=np.float64)
