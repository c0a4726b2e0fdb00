"""Western Electric and Nelson rules on series built to trigger each one exactly."""

from __future__ import annotations

import math

import pytest

from trellis.engine.analytics.rules import signals


def hits(values: list[float], rules: str) -> list[tuple[int, int]]:
    return [(s.rule, s.index) for s in signals(values, center=0.0, sigma=1.0, rules=rules)]


def test_beyond_three_sigma() -> None:
    assert hits([0.5, -0.5, 3.5, 0.2], "western_electric") == [(1, 2)]
    assert hits([0.5, -0.5, -3.2, 0.2], "nelson") == [(1, 2)]


def test_two_of_three_flags_only_the_point_in_the_zone() -> None:
    # points 2.5 and 2.2 complete "2 of 3 beyond 2 sigma"; the 0.1 between is not flagged
    assert hits([2.5, 0.1, 2.2, -0.4], "western_electric") == [(2, 2)]
    assert hits([2.5, 0.1, 2.2, -0.4], "nelson") == [(5, 2)]


def test_four_of_five_beyond_one_sigma() -> None:
    values = [1.5, 1.2, -0.3, 1.4, 1.1, -0.5]
    assert hits(values, "western_electric") == [(3, 4)]


def test_runs_on_one_side() -> None:
    values = [0.3] * 9
    assert hits(values, "western_electric") == [(4, 7), (4, 8)]
    assert [h for h in hits(values, "nelson") if h[0] == 2] == [(2, 8)]


def test_trend_of_six() -> None:
    values = [-0.9, -0.6, -0.3, 0.0, 0.2, 0.4]
    nelson = [h for h in hits(values, "nelson") if h[0] == 3]
    assert nelson == [(3, 5)]


def test_fourteen_alternating() -> None:
    values = [0.2 if i % 2 else -0.2 for i in range(14)]
    assert [h for h in hits(values, "nelson") if h[0] == 4] == [(4, 13)]
    assert [h for h in hits(values[:13], "nelson") if h[0] == 4] == []


def test_fifteen_within_one_sigma_and_eight_outside() -> None:
    calm = [0.1 if i % 3 else -0.1 for i in range(15)]
    assert [h for h in hits(calm, "nelson") if h[0] == 7] == [(7, 14)]
    wild = [1.5, -1.5] * 4
    assert [h for h in hits(wild, "nelson") if h[0] == 8] == [(8, 7)]


def test_missing_values_are_skipped_and_indices_kept() -> None:
    assert hits([0.1, math.nan, 3.4], "western_electric") == [(1, 2)]


def test_no_variation_gives_no_signals() -> None:
    assert signals([5.0, 5.0, 5.0], center=5.0, sigma=0.0) == []


def test_the_matrix_version_agrees_with_the_single_series_version() -> None:
    import numpy as np

    from trellis.engine.analytics.rules import signal_matrix
    from trellis.engine.analytics.spc import xmr, xmr_rows

    rng = np.random.default_rng(11)
    data = rng.normal(50, 5, (40, 36))
    data[::7, 20:] += 12  # shifts, so that the run rules fire
    data[::5, 10] += 30  # outliers
    limits = xmr_rows(data)
    for rules in ("western_electric", "nelson"):
        masks = signal_matrix(data, limits.center, limits.sigma, rules)
        for row in range(data.shape[0]):
            chart = xmr(data[row])
            assert limits.ucl[row] == pytest.approx(chart.ucl)
            expected = [
                (s.rule, s.index) for s in signals(data[row], chart.center, chart.sigma, rules)
            ]
            found = sorted(
                (rule, int(i)) for rule, mask in masks.items() for i in np.flatnonzero(mask[row])
            )
            assert found == sorted(expected), (rules, row)
