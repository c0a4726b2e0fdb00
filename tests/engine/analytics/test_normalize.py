"""Price indexes and currency conversion.

CPI-U, U.S. city average, all items, annual averages (U.S. Bureau of Labor Statistics):
2019 = 255.657, 2021 = 270.970, 2022 = 292.655; the BLS reports 8.0 % inflation for 2022.
"""

from __future__ import annotations

import math

import pytest

from trellis.engine.analytics import normalize as nz

CPI = {2019: 255.657, 2021: 270.970, 2022: 292.655}


def test_inflation_in_2022() -> None:
    assert round(float(nz.percent_change(CPI[2022], CPI[2021])), 1) == 8.0


def test_rebase_2019_dollars_to_2022() -> None:
    assert round(float(nz.rebase(100.0, CPI[2019], CPI[2022])), 2) == 114.47


def test_to_real_deflates_each_period() -> None:
    nominal = [1000.0, 1100.0]
    real = nz.to_real(nominal, [CPI[2021], CPI[2022]], base=CPI[2021])
    assert real[0] == pytest.approx(1000.0)
    assert real[1] == pytest.approx(1100.0 * 270.970 / 292.655)


def test_convert_and_one_offs() -> None:
    assert nz.convert([10.0, 20.0], [1.1, 1.2]).tolist() == pytest.approx([11.0, 24.0])
    cleaned = nz.exclude_one_offs([5.0, 500.0, 6.0], [False, True, False])
    assert cleaned[0] == 5.0 and math.isnan(cleaned[1]) and cleaned[2] == 6.0


def test_zero_divisors_give_missing_values() -> None:
    assert math.isnan(float(nz.percent_change(5.0, 0.0)))
    assert math.isnan(float(nz.to_real(5.0, 0.0, base=100.0)))
