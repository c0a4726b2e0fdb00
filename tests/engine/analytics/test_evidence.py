"""Strategy-map evidence: a driven measure that follows its driver two months later."""

from __future__ import annotations

import math

import numpy as np

from trellis.engine.analytics import evidence

CARD = """
organization: {name: Evidence}
units: [{code: hq, name: HQ}]
objectives:
  - {code: TRAIN, name: Train people, unit: hq, perspective: learning, drives: [SERVE, SELL]}
  - {code: SERVE, name: Serve well, unit: hq, perspective: customer}
  - {code: SELL, name: Sell more, unit: hq, perspective: financial}
measures:
  - {code: HOURS, name: Training hours, objective: TRAIN, target: 10}
  - {code: CSAT, name: Satisfaction, objective: SERVE, target: 80}
"""


def test_the_best_lag_and_coefficient(card_of) -> None:  # type: ignore[no-untyped-def]
    card = card_of(CARD)
    rng = np.random.default_rng(3)
    hours = rng.normal(10, 2, 24)
    csat = np.concatenate([[80.0, 80.0], 60 + 2 * hours[:-2]])  # follows hours by 2 months
    data = [
        ("HOURS", f"2025-{m:02d}" if m <= 12 else f"2026-{m - 12:02d}", float(h))
        for m, h in zip(range(1, 25), hours, strict=True)
    ]
    data += [
        ("CSAT", f"2025-{m:02d}" if m <= 12 else f"2026-{m - 12:02d}", float(v))
        for m, v in zip(range(1, 25), csat, strict=True)
    ]
    rows = evidence.strategy_map(card.evaluate(data), max_lag=4)
    serve, sell = rows
    assert (serve.driver, serve.driven, serve.driver_measure, serve.driven_measure) == (
        "TRAIN",
        "SERVE",
        "HOURS",
        "CSAT",
    )
    assert serve.lag == 2
    assert math.isclose(serve.r or 0.0, 1.0, rel_tol=1e-12)
    assert serve.periods == 22
    assert serve.p_value is not None and serve.p_value < 1e-10
    assert (sell.driven, sell.r, sell.note) == (
        "SELL",
        None,
        "no pair of measures with 6+ common months",
    )


def test_too_few_months_give_no_coefficient() -> None:
    a = np.array([1.0, 2.0, 3.0, np.nan, 5.0])
    assert evidence.lagged_correlation(a, a, 0) is None
