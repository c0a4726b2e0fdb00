"""Target levels laid on the month grid of a horizon.

A target is given per native period of the measure (a constant, explicit periods, or a glide
path). A value given for a *longer* period than the measure's frequency (a yearly target of a
monthly measure) is used as it is for that period and phased into the native periods inside it:
split evenly for ``sum`` measures, repeated for the other aggregations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from trellis.engine.grid import RowSubset
from trellis.engine.periods import (
    Aggregation,
    BoolArray,
    Calendar,
    FloatArray,
    Grain,
    PeriodError,
)
from trellis.engine.spec import Measure, TargetSeries

LEVELS = ("target", "minimum", "stretch", "baseline")
"""Levels laid on the grid; the baseline is a constant per native period like a target."""


@dataclass(frozen=True)
class Horizon:
    """The evaluated months: whole fiscal years from ``first`` to ``last`` (month indices)."""

    first: int
    last: int

    @property
    def months(self) -> int:
        """Number of months."""
        return self.last - self.first + 1

    def column(self, month: int) -> int:
        """Column of a month index (may be outside 0..months-1)."""
        return month - self.first


def native_ends(calendar: Calendar, horizon: Horizon, months_per_period: int) -> BoolArray:
    """Columns that close a native period of the given length."""
    months = np.arange(horizon.first, horizon.last + 1)
    position = calendar.fiscal_month_of(months)
    return np.asarray(position % months_per_period == months_per_period - 1)


@dataclass
class TargetGrid:
    """One target level of every measure: native grid plus explicit longer-period values.

    Only the measures that have the level are stored (most have no minimum or stretch).
    """

    native: RowSubset
    explicit: dict[Grain, list[tuple[int, int, float]]] = field(default_factory=dict)
    """Per grain: (measure row, period column in that grain, value)."""

    def dense(self) -> FloatArray:
        """The full measures × months grid (NaN where a measure has no value)."""
        out = np.full((self.native.position.size, self.native.values.shape[1]), np.nan)
        out[self.native.rows] = self.native.values
        return out


def _series(measure: Measure, level: str) -> TargetSeries | None:
    if level == "baseline":
        return None if measure.baseline is None else TargetSeries(constant=measure.baseline)
    series: TargetSeries | None = getattr(measure, level)
    return series


@dataclass(frozen=True)
class TargetPlan:
    """What one target level of a list of measures holds, independent of any horizon: which
    measures have it, their constant (NaN where none), their native period length, and the
    few rows with per-period values or a glide path. Built once per compiled scorecard, so
    that laying the level on a horizon's grid is array work (no Python per measure)."""

    level: str
    series: list[TargetSeries | None]
    present: BoolArray
    constant: FloatArray
    months: npt.NDArray[np.int64]
    special: list[int]

    @classmethod
    def of(cls, measures: list[Measure], level: str) -> TargetPlan:
        """The plan of ``level`` for these measures."""
        months = np.fromiter((m.frequency.months for m in measures), np.int64, len(measures))
        return plan_targets(measures, months, (level,))[level]


def plan_targets(
    measures: list[Measure], months: npt.NDArray[np.int64], levels: tuple[str, ...] = LEVELS
) -> dict[str, TargetPlan]:
    """The plans of ``levels`` for these measures (``months``: of each one's native
    period), in one pass over the measures."""
    plans = {}
    nan = float("nan")
    for level in levels:
        series = [_series(m, level) for m in measures]
        constant = [nan if s is None or s.constant is None else s.constant for s in series]
        present = [s is not None for s in series]
        special = [
            row
            for row, s in enumerate(series)
            if s is not None and (s.glide is not None or s.by_period)
        ]
        plans[level] = TargetPlan(
            level,
            series,
            np.array(present, dtype=bool),
            np.array(constant, dtype=np.float64),
            months,
            special,
        )
    return plans


def build_grid(
    measures: list[Measure],
    level: str,
    calendar: Calendar,
    horizon: Horizon,
    plan: TargetPlan | None = None,
) -> TargetGrid:
    """Lay one target level (``target``, ``minimum``, ``stretch`` or ``baseline``) on the
    month grid (``plan``: that level of these measures, planned before)."""
    if plan is None:
        plan = TargetPlan.of(measures, level)
    grid = TargetGrid(RowSubset.empty(plan.present, horizon.months))
    ends = {f: native_ends(calendar, horizon, f) for f in (1, 3, 6, 12)}
    position = grid.native.position
    for row in plan.special:  # per-period values or a glide path: few measures
        series = plan.series[row]
        assert series is not None
        measure = measures[row]
        at = int(position[row])
        if series.glide is not None:
            length = measure.frequency.months
            _glide(grid.native.values[at], measure, series, calendar, horizon, ends[length])
        if series.by_period:
            _by_period(grid, row, at, measure, series, calendar, horizon)
    has_constant = ~np.isnan(plan.constant)  # constants last, over anything else given
    for length, closing in ends.items():
        rows = np.flatnonzero(has_constant & (plan.months == length))
        if rows.size:
            cols = np.flatnonzero(closing)
            grid.native.values[np.ix_(position[rows], cols)] = plan.constant[rows][:, None]
    return grid


def _glide(
    line: FloatArray,
    measure: Measure,
    series: TargetSeries,
    calendar: Calendar,
    horizon: Horizon,
    ends: BoolArray,
) -> None:
    glide = series.glide
    assert glide is not None
    start_value = glide.start_value if glide.start_value is not None else measure.baseline
    if start_value is None:
        return
    try:
        first = calendar.parse(glide.start).end
        last = calendar.parse(glide.end).end
    except PeriodError:
        return
    cols = np.flatnonzero(ends)
    months = cols + horizon.first
    steps = months[(months >= first) & (months <= last)]
    if steps.size:
        span = max(steps.size - 1, 1)
        fraction = np.arange(steps.size) / span if steps.size > 1 else np.ones(1)
        values = start_value + (glide.end_value - start_value) * fraction
        line[steps - horizon.first] = values
    after = months[months > last] - horizon.first
    line[after] = glide.end_value


def _by_period(
    grid: TargetGrid,
    row: int,
    position: int,
    measure: Measure,
    series: TargetSeries,
    calendar: Calendar,
    horizon: Horizon,
) -> None:
    length = measure.frequency.months
    parsed = []
    for label, value in series.by_period.items():
        try:
            period = calendar.parse(label)
        except PeriodError:
            continue  # reported by the checks
        if period.grain is Grain.YTD or period.grain.months < length:
            continue  # reported by the checks
        parsed.append((period, value))
    # Longest periods first, so that a value for a shorter period overrides the phasing.
    for period, value in sorted(parsed, key=lambda pv: -pv[0].grain.months):
        first, last = horizon.column(period.start), horizon.column(period.end)
        if last < 0 or first >= horizon.months:
            continue
        if period.grain.months > length:
            block_col = (period.end - horizon.first) // period.grain.months
            grid.explicit.setdefault(period.grain, []).append((row, block_col, value))
            count = period.grain.months // length
            phased = value / count if measure.aggregation is Aggregation.SUM else value
            cols = np.arange(first + length - 1, last + 1, length)
            grid.native.values[position, cols[(cols >= 0) & (cols < horizon.months)]] = phased
        else:
            grid.native.values[position, last] = value
