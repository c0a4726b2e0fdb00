"""Control charts against the published chart factors and hand-computed limits.

Factors: Montgomery, *Introduction to Statistical Quality Control* (6th ed.), Appendix VI;
NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2 (d2 = 1.128, D4 = 3.267 for
moving ranges of two).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from trellis.engine.analytics import spc


def test_published_chart_factors() -> None:
    assert (spc.D2[2], spc.D4[2]) == (1.128, 3.267)
    assert (spc.A2[5], spc.D4[5], spc.D2[5]) == (0.577, 2.114, 2.326)
    assert (spc.A3[5], spc.B4[5], spc.C4[5]) == (1.427, 2.089, 0.9400)


def test_xmr_limits() -> None:
    chart = spc.xmr([10, 12, 11, 15, 13])
    # mean 61/5; moving ranges 2, 1, 4, 2 → 2.25; sigma = 2.25 / 1.128
    assert chart.center == pytest.approx(12.2, rel=1e-12)
    assert chart.mr_bar == pytest.approx(2.25, rel=1e-12)
    assert chart.sigma == pytest.approx(1.9946808510638299, rel=1e-12)
    assert chart.ucl == pytest.approx(18.18404255319149, rel=1e-12)
    assert chart.lcl == pytest.approx(6.21595744680851, rel=1e-12)
    assert chart.mr_ucl == pytest.approx(7.35075, rel=1e-12)


def test_a_missing_value_breaks_the_moving_range() -> None:
    chart = spc.xmr([1.0, math.nan, 3.0, 4.0])
    assert chart.mr_bar == 1.0  # only 3 → 4 is a moving range
    assert chart.center == pytest.approx(8 / 3)
    assert chart.points == 3


def test_too_few_points() -> None:
    with pytest.raises(spc.SPCError, match="at least two consecutive values"):
        spc.xmr([5.0])
    with pytest.raises(spc.SPCError):
        spc.xmr([1.0, math.nan, 2.0])


def test_xbar_r_and_xbar_s() -> None:
    subgroups = [[2, 4, 6, 8, 10], [4, 6, 8, 10, 12]]
    r = spc.xbar_r(subgroups)
    assert (r.center, r.dispersion_center) == (7.0, 8.0)
    assert r.ucl == pytest.approx(7 + 0.577 * 8)
    assert r.dispersion_ucl == pytest.approx(2.114 * 8)
    assert r.sigma == pytest.approx(8 / 2.326)
    s = spc.xbar_s(subgroups)
    s_bar = float(np.std([2, 4, 6, 8, 10], ddof=1))  # both subgroups have the same spread
    assert s.dispersion_center == pytest.approx(s_bar)
    assert s.ucl == pytest.approx(7 + 1.427 * s_bar)
    with pytest.raises(spc.SPCError, match="subgroup size must be 2 to 10"):
        spc.xbar_r([[1] * 11, [2] * 11])


def test_attribute_charts() -> None:
    p = spc.p_chart([2, 4, 6], [100, 100, 100])
    assert p.center == pytest.approx(0.04)
    assert p.ucl[0] == pytest.approx(0.04 + 3 * math.sqrt(0.04 * 0.96 / 100))
    assert p.lcl[0] == 0.0
    c = spc.c_chart([4, 9, 5])
    assert c.center == 6.0
    assert c.ucl[0] == pytest.approx(6 + 3 * math.sqrt(6))
    u = spc.u_chart([4, 6], [2, 3])
    assert u.center == 2.0
    assert u.statistic.tolist() == [2.0, 2.0]
    n = spc.np_chart([3, 5], 50)
    assert n.center == 4.0


def test_ewma_starts_at_the_centre_and_widens() -> None:
    chart = spc.ewma([10, 12, 14], lam=0.5, center=10, sigma=2)
    assert chart.statistic.tolist() == [10.0, 11.0, 12.5]
    assert chart.ucl[0] == pytest.approx(10 + 3 * 2 * math.sqrt(0.5 / 1.5 * (1 - 0.25)))
    assert chart.ucl[2] > chart.ucl[0]
