"""Capability indices by their definitions, and the six-sigma conversion table.

The sigma-level table (1.5σ shift: 3σ ↔ 66,807 DPMO, 4σ ↔ 6,210, 5σ ↔ 233, 6σ ↔ 3.4) is the
conventional Motorola table as reproduced in ISO 13053-1:2011, annex A.
"""

from __future__ import annotations

import math

import pytest

from trellis.engine.analytics import capability as cap
from trellis.engine.analytics.spc import SPCError


def test_centred_process_has_cp_equal_cpk() -> None:
    c = cap.from_stats(mean=10, sigma=1, lsl=7, usl=13)
    assert (c.cp, c.cpk, c.cpl, c.cpu) == (1.0, 1.0, 1.0, 1.0)
    assert c.cpm == pytest.approx(1.0)


def test_an_off_centre_process() -> None:
    c = cap.from_stats(mean=11, sigma=1, lsl=7, usl=13, sigma_overall=1.25, target=10)
    assert c.cp == 1.0
    assert c.cpk == pytest.approx(2 / 3)
    assert c.pp == pytest.approx(6 / 7.5)
    assert c.ppk == pytest.approx(2 / 3.75)
    assert c.cpm == pytest.approx(6 / (6 * math.sqrt(1.25**2 + 1)))


def test_one_sided_limits() -> None:
    c = cap.from_stats(mean=10, sigma=2, usl=16)
    assert (c.cp, c.cpl, c.cpu, c.cpk, c.cpm) == (None, None, 1.0, 1.0, None)


def test_bad_limits() -> None:
    with pytest.raises(SPCError, match="at least one specification limit"):
        cap.from_stats(mean=1, sigma=1)
    with pytest.raises(SPCError, match="must be below usl"):
        cap.from_stats(mean=1, sigma=1, lsl=5, usl=3)


def test_capability_from_values_uses_the_moving_range() -> None:
    c = cap.capability([10, 12, 11, 15, 13], lsl=5, usl=20)
    sigma = 2.25 / 1.128
    assert c.sigma_within == pytest.approx(sigma)
    assert c.cp == pytest.approx(15 / (6 * sigma))
    assert c.cpk == pytest.approx((12.2 - 5) / (3 * sigma))  # the lower limit is nearer


def test_zero_variance_is_infinitely_capable() -> None:
    c = cap.from_stats(mean=10, sigma=0, lsl=7, usl=13)
    assert c.cp == math.inf and c.cpk == math.inf


def test_six_sigma_table() -> None:
    assert round(cap.dpmo_at(6), 1) == 3.4
    assert round(cap.dpmo_at(5)) == 233
    assert round(cap.dpmo_at(4)) == 6210
    assert round(cap.dpmo_at(3)) == 66807
    assert round(cap.sigma_level(3.4), 2) == 6.0
    assert round(cap.sigma_level(66807), 2) == 3.0
    assert cap.dpmo(defects=5, units=1000, opportunities=10) == 500.0
    with pytest.raises(SPCError):
        cap.sigma_level(0)


def test_expected_parts_per_million_outside_the_limits() -> None:
    # NIST 6.1.6's process (mean 16, σ 2, limits 8 and 20): Φ(−2) = 0.022750 above the upper
    # limit, Φ(−4) = 0.0000317 below the lower one.
    assert round(cap.expected_dpmo(16, 2, lsl=8, usl=20)) == 22782
    assert round(cap.expected_dpmo(16, 2, usl=20)) == 22750
    assert cap.expected_dpmo(16, 0, lsl=8) == 0.0
    assert cap.expected_dpmo(7, 0, lsl=8) == 1_000_000.0
    with pytest.raises(SPCError, match="at least one specification limit"):
        cap.expected_dpmo(16, 2)
