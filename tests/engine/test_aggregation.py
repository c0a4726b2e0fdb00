"""Aggregation over time on the month grid."""

from __future__ import annotations

import numpy as np

from trellis.engine.aggregation import (
    block_aggregate,
    carry_forward,
    expected_points,
    ytd_aggregate,
)
from trellis.engine.periods import Aggregation

NAN = np.nan
ROW = np.array([[1.0, 2.0, NAN, 4.0, 5.0, 6.0]])


def test_blocks_by_each_method() -> None:
    expected = {
        Aggregation.SUM: [3.0, 15.0],
        Aggregation.AVERAGE: [1.5, 5.0],
        Aggregation.LAST: [2.0, 6.0],
        Aggregation.MIN: [1.0, 4.0],
        Aggregation.MAX: [2.0, 6.0],
    }
    for method, values in expected.items():
        result = block_aggregate(ROW, 3, method)
        assert result.values.tolist() == [values], method
        assert result.present.tolist() == [[2, 3]]


def test_an_empty_block_is_missing_not_zero() -> None:
    result = block_aggregate(np.array([[NAN, NAN, NAN, 1.0, NAN, NAN]]), 3, Aggregation.SUM)
    assert np.isnan(result.values[0, 0])
    assert result.values[0, 1] == 1.0


def test_year_to_date_restarts_each_fiscal_year() -> None:
    row = np.concatenate([np.arange(1.0, 13.0), np.arange(1.0, 13.0)])[None, :]
    result = ytd_aggregate(row, Aggregation.SUM)
    assert result.values[0, [0, 2, 11, 12, 13]].tolist() == [1.0, 6.0, 78.0, 1.0, 3.0]
    last = ytd_aggregate(np.where(row % 5 == 0, NAN, row), Aggregation.LAST)
    assert last.values[0, [4, 5, 9]].tolist() == [4.0, 6.0, 9.0]


def test_carry_forward_reports_the_source_month() -> None:
    row = np.array([[NAN, NAN, 7.0, NAN, NAN, NAN]])
    moved = carry_forward(row, np.array([0, 2, 5]))
    assert np.isnan(moved.values[0, 0])
    assert moved.values[0, 1:].tolist() == [7.0, 7.0]
    assert moved.source is not None and moved.source.tolist() == [[-1, 2, 2]]


def test_expected_points() -> None:
    quarter_ends = np.array([False, False, True] * 8)
    assert expected_points(quarter_ends, 6).tolist() == [2, 2, 2, 2]
    assert expected_points(quarter_ends, None)[:12].tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4]
