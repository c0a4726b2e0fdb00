"""Grouped reductions: the sparse and the reduceat paths agree to the last bit."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.engine import combine
from trellis.engine.spec import RollupMethod


@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_and_reduceat_group_sums_are_identical(weighted: bool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1e6, (5000, 7))
    starts = np.array([0, 3, 4, 1000, 4999])
    weights = rng.random(5000) if weighted else None
    monkeypatch.setattr(combine, "SPARSE_FROM", 10**9)
    dense = combine.group_sum(x, starts, weights)
    monkeypatch.setattr(combine, "SPARSE_FROM", 1)
    sparse = combine.group_sum(x, starts, weights)
    assert np.array_equal(dense, sparse)


def test_rollup_methods_coverage_and_require_all() -> None:
    values = np.array([[1.0, np.nan], [3.0, 5.0], [np.nan, np.nan], [2.0, 8.0]])
    flags = np.zeros(values.shape, np.uint8)
    starts = np.array([0, 2])
    expected = {
        RollupMethod.SUM: [[4.0, 5.0], [2.0, 8.0]],
        RollupMethod.AVERAGE: [[2.0, 5.0], [2.0, 8.0]],
        RollupMethod.MIN: [[1.0, 5.0], [2.0, 8.0]],
        RollupMethod.MAX: [[3.0, 5.0], [2.0, 8.0]],
        RollupMethod.COUNT: [[2.0, 1.0], [1.0, 1.0]],
    }
    for method, result in expected.items():
        combined = combine.rollup(method, values, None, flags, starts, False)
        assert combined.values.tolist() == result, method
    combined = combine.rollup(RollupMethod.SUM, values, None, flags, starts, True)
    assert np.isnan(combined.values).tolist() == [[False, True], [True, True]]
    assert combined.present.tolist() == [[2, 1], [1, 1]]
    assert combined.total.tolist() == [2, 2]
    assert combined.flags.tolist() == [[0, 2], [2, 2]]


def test_weighted_average_ignores_contributors_without_a_weight() -> None:
    values = np.array([[50.0], [30.0], [90.0]])
    weights = np.array([[100.0], [300.0], [np.nan]])
    combined = combine.rollup(
        RollupMethod.WEIGHTED_AVERAGE,
        values,
        weights,
        np.zeros((3, 1), np.uint8),
        np.array([0]),
        False,
    )
    assert combined.values.tolist() == [[35.0]]
    assert combined.present.tolist() == [[2]]
