"""Target grids laid from a plan made once per compiled scorecard: constants at the end of
each native period, per-period values where given, a constant over anything else."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.demo.acme import scorecard_folder
from trellis.engine.api import load
from trellis.engine.spec import TargetSeries
from trellis.engine.targets import Horizon, build_grid, native_ends, plan_targets


@pytest.mark.parametrize("level", ["target", "minimum", "stretch"])
def test_a_planned_grid_holds_each_measure_s_targets(level: str) -> None:
    compiled = load(scorecard_folder()).compiled
    calendar = compiled.calendar
    first, last = calendar.parse("2024-04").start, calendar.parse("2027-03").end
    horizon = Horizon(*calendar.fiscal_years_span(first, last))
    measures = list(compiled.measures)
    both = TargetSeries(constant=5.0, by_period={"2025-06": 7.0})
    only_periods = TargetSeries(by_period={"2025-06": 7.0})
    monthly = next(r for r, m in enumerate(measures) if r > 0 and m.frequency.months == 1)
    measures[0] = measures[0].model_copy(update={level: both})
    measures[monthly] = measures[monthly].model_copy(update={level: only_periods})
    months = np.array([m.frequency.months for m in measures], dtype=np.int64)
    grid = build_grid(measures, level, calendar, horizon, plan_targets(measures, months)[level])
    dense = grid.dense()
    june = calendar.parse("2025-06").end - horizon.first
    for row, m in enumerate(measures):
        series = getattr(m, level)
        if series is None:
            assert np.isnan(dense[row]).all(), m.code
        elif series.constant is not None:
            ends = native_ends(calendar, horizon, m.frequency.months)
            assert (dense[row][ends] == series.constant).all(), m.code  # over anything else
            assert np.isnan(dense[row][~ends]).all(), m.code
    assert dense[monthly][june] == 7.0
    assert np.isnan(np.delete(dense[monthly], june)).all()
    assert (dense[0] == 5.0).sum() == native_ends(
        calendar, horizon, measures[0].frequency.months
    ).sum()
