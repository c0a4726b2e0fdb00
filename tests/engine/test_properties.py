"""Hypothesis properties of scoring, roll-ups and incremental evaluation."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.demo.acme import observations, scorecard_folder
from trellis.engine import scoring
from trellis.engine.api import load
from trellis.engine.combine import weighted_mean

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)


@given(
    actual=finite,
    target=finite,
    baseline=finite,
    red=finite,
    cap=st.sampled_from([100.0, 120.0]),
    polarity=st.sampled_from([scoring.UP, scoring.DOWN]),
    tolerance=positive,
)
def test_scores_stay_within_zero_and_the_cap(
    actual: float,
    target: float,
    baseline: float,
    red: float,
    cap: float,
    polarity: int,
    tolerance: float,
) -> None:
    a, t, b, r = (np.array([x]) for x in (actual, target, baseline, red))
    p = np.array([polarity])
    for raw in (
        scoring.linear(a, t, b, p),
        scoring.ratio(a, t, p),
        scoring.thresholds(a, t, r, p),
        scoring.band(a, np.minimum(t, b), np.maximum(t, b), np.array([tolerance])),
        scoring.binary(a, t, p, np.minimum(t, b), np.maximum(t, b)),
    ):
        score = scoring.clamp(raw, np.array([cap]))
        assert np.isnan(score[0]) or 0.0 <= score[0] <= cap


@given(
    score=st.floats(min_value=0, max_value=120, allow_nan=False),
    weights=st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=8),
    missing=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_a_roll_up_of_equal_scores_is_that_score(
    score: float, weights: list[float], missing: list[bool]
) -> None:
    n = len(weights)
    scores = np.full((n, 1), score)
    scores[np.array(missing[:n]) & (np.arange(n) > 0), 0] = np.nan
    mean, _ = weighted_mean(scores, np.array(weights), np.array([0]))
    assert abs(mean[0, 0] - score) <= 1e-9 * max(1.0, score)


SAMPLE = load(scorecard_folder())
DATA = observations()
REPORTED = sorted({row[0] for row in DATA})
PERIODS = sorted(
    {row[1] for row in DATA if row[1].count("-") == 1 and "Q" not in row[1] and "H" not in row[1]}
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(REPORTED),
            st.sampled_from(PERIODS),
            st.one_of(st.none(), st.floats(min_value=0, max_value=5000, allow_nan=False)),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_incremental_evaluation_equals_full_evaluation(
    changes: list[tuple[str, str, float | None]],
) -> None:
    measures = {m.code: m for m in SAMPLE.spec.measures}
    monthly = [c for c in changes if measures[c[0]].frequency.value == "month"]
    if not monthly:
        return
    results = SAMPLE.evaluate(DATA)
    for label in ("2026-Q2", "2026", "2025-09:YTD", "2026-H1"):
        results.records("unit", label)
    latest: dict[tuple[str, str], float | None] = {}
    for code, period, value in monthly:
        latest[(code, period)] = value
    results.update([(c, p, v) for (c, p), v in latest.items()])
    data = {(m, p): v for m, p, v in DATA}
    data.update(latest)
    full = SAMPLE.evaluate([(m, p, v) for (m, p), v in data.items() if v is not None])
    for level in ("measure", "objective", "perspective", "unit"):
        for label in ("2025-06", "2026-Q2", "2026", "2025-09:YTD", "2026-H1"):
            assert results.records(level, label) == full.records(level, label)
    # Bit for bit, not only as rounded for output.
    for grain, mine in results.evaluator.grains.items():
        theirs = full.evaluator.grain(grain)
        for name in ("value", "target", "score", "objective_score", "unit_score"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name), equal_nan=True)
        for name in ("status", "flags", "objective_status", "unit_status"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name))
