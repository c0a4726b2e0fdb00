"""Every scoring method with both polarities, the cap and the status bands."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from trellis.engine import scoring
from trellis.engine.scoring import BAND, DOWN, UP, Status

A = np.asarray


def test_linear_up_and_down() -> None:
    up = scoring.linear(A([80.0, 90.0, 110.0]), A([100.0] * 3), A([50.0] * 3), A([UP] * 3))
    assert up.tolist() == [60.0, 80.0, 120.0]
    down = scoring.linear(A([7.0, 5.5]), A([4.0, 4.0]), A([10.0, 10.0]), A([DOWN, DOWN]))
    assert down.tolist() == [50.0, 75.0]


def test_linear_with_target_equal_to_baseline_is_met_or_not() -> None:
    score = scoring.linear(A([5.0, 4.0]), A([5.0, 5.0]), A([5.0, 5.0]), A([UP, UP]))
    assert score.tolist() == [100.0, 0.0]


def test_ratio_up_and_down() -> None:
    assert scoring.ratio(A([45.0]), A([50.0]), A([UP])).tolist() == [90.0]
    assert scoring.ratio(A([5.0]), A([4.0]), A([DOWN])).tolist() == [80.0]
    # Zero actual on a lower-is-better measure meets the target: infinite before the cap.
    assert scoring.clamp(scoring.ratio(A([0.0]), A([4.0]), A([DOWN])), A([100.0])).tolist() == [
        100.0
    ]
    assert scoring.ratio(A([0.0, 1.0]), A([0.0, 0.0]), A([UP, DOWN])).tolist() == [100.0, 0.0]


def test_ratio_has_no_score_for_a_negative_target() -> None:
    # Once: target -10 scored -5 at 50 and -20 at 100, the scale upside down.
    scores = scoring.ratio(A([-5.0, -20.0, -5.0]), A([-10.0, -10.0, -10.0]), A([UP, UP, DOWN]))
    assert np.isnan(scores).all()


def test_thresholds_goal_is_100_and_red_flag_is_50() -> None:
    actual = A([90.0, 85.0, 80.0, 75.0, 70.0, 95.0])
    score = scoring.thresholds(actual, A([90.0] * 6), A([80.0] * 6), A([UP] * 6))
    assert score.tolist() == [100.0, 75.0, 50.0, 25.0, 0.0, 125.0]
    lower_better = scoring.thresholds(A([3.0, 4.0, 6.0]), A([3.0] * 3), A([5.0] * 3), A([DOWN] * 3))
    assert lower_better.tolist() == [100.0, 75.0, 25.0]


def test_band_inside_and_outside() -> None:
    actual = A([35.0, 30.0, 25.0, 20.0, 45.0, 52.0])
    score = scoring.band(actual, A([30.0] * 6), A([40.0] * 6), A([10.0] * 6))
    assert scoring.clamp(score, A([100.0] * 6)).tolist() == [100.0, 100.0, 50.0, 0.0, 50.0, 0.0]


def test_binary_each_polarity() -> None:
    lo, hi = A([30.0] * 2), A([40.0] * 2)
    assert scoring.binary(A([1.0, 0.0]), A([1.0] * 2), A([UP] * 2), lo, hi).tolist() == [100.0, 0.0]
    assert scoring.binary(A([2.0, 3.0]), A([2.0] * 2), A([DOWN] * 2), lo, hi).tolist() == [
        100.0,
        0.0,
    ]
    assert scoring.binary(A([35.0, 41.0]), A([0.0] * 2), A([BAND] * 2), lo, hi).tolist() == [
        100.0,
        0.0,
    ]


def test_clamp_to_the_cap_keeps_missing_missing() -> None:
    clamped = scoring.clamp(A([-5.0, 50.0, 130.0, np.nan]), A([120.0] * 4))
    assert clamped[:3].tolist() == [0.0, 50.0, 120.0]
    assert np.isnan(clamped[3])


def test_status_bands_and_the_explicit_no_data_and_no_target() -> None:
    score = A([100.0, 95.0, 89.9, np.nan, np.nan, np.nan])
    present = A([True, True, True, True, False, True])
    unscored = A([False, False, False, False, False, True])
    codes = scoring.status(score, present, A(100.0), A(90.0), unscored)
    assert [Status(c).label for c in codes] == [
        "green",
        "amber",
        "red",
        "no-target",
        "no-data",
        "unscored",
    ]


def test_a_shown_score_is_cut_to_its_decimals() -> None:
    assert scoring.shown_score(89.95, 1) == Decimal("89.9")
    assert scoring.shown_score(99.999, 2) == Decimal("99.99")
    assert scoring.shown_score(87.8341, 2) == Decimal("87.83")
    assert scoring.shown_score(100.0, 1) == Decimal("100.0")
    assert scoring.shown_score(0.0, 1) == Decimal("0.0")


@given(
    st.floats(min_value=0, max_value=150, allow_nan=False),
    st.sampled_from([50.0, 66.7, 90.0, 100.0, 99.5]),
    st.integers(min_value=1, max_value=3),
)
def test_a_shown_score_reaches_a_band_exactly_when_the_score_does(
    value: float, threshold: float, places: int
) -> None:
    shown = scoring.shown_score(value, places)
    assert (shown >= Decimal(repr(threshold))) == (value >= threshold)
