"""Shared-cost allocation: direct, step-down, reciprocal and by driver.

The case is two service departments (maintenance S1 = 100, IT S2 = 60) and two operating
departments (O1 = 200, O2 = 300), the usual textbook set-up (Horngren, Datar & Rajan,
*Cost Accounting*, ch. 15). Expected amounts are worked out by hand as exact fractions:
reciprocal: S1 = 100 + ¼ S2 and S2 = 60 + ⅕ S1 give S1 = 2300/19 and S2 = 1600/19.
"""

from __future__ import annotations

import pytest

from trellis.engine.analytics import allocation as al

COSTS = {"S1": 100.0, "S2": 60.0, "O1": 200.0, "O2": 300.0}
USAGE = {"S1": {"S2": 0.2, "O1": 0.5, "O2": 0.3}, "S2": {"S1": 0.25, "O1": 0.25, "O2": 0.5}}


def test_direct() -> None:
    result = al.direct(COSTS, USAGE)
    assert result.flows == pytest.approx(
        {("S1", "O1"): 62.5, ("S1", "O2"): 37.5, ("S2", "O1"): 20.0, ("S2", "O2"): 40.0}
    )
    assert result.totals == pytest.approx({"S1": 0, "S2": 0, "O1": 282.5, "O2": 377.5})


def test_step_down() -> None:
    result = al.step_down(COSTS, USAGE, order=["S1", "S2"])
    assert result.flows[("S1", "S2")] == pytest.approx(20.0)
    assert result.flows[("S2", "O1")] == pytest.approx(80 / 3)
    assert result.totals == pytest.approx(
        {"S1": 0, "S2": 0, "O1": 200 + 50 + 80 / 3, "O2": 300 + 30 + 160 / 3}
    )


def test_reciprocal_solves_the_equations_exactly() -> None:
    result = al.reciprocal(COSTS, USAGE)
    s1, s2 = 2300 / 19, 1600 / 19
    assert result.flows[("S1", "S2")] == pytest.approx(0.2 * s1, rel=1e-12)
    assert result.flows[("S2", "S1")] == pytest.approx(0.25 * s2, rel=1e-12)
    assert result.totals["O1"] == pytest.approx(5350 / 19, rel=1e-12)
    assert result.totals["O2"] == pytest.approx(7190 / 19, rel=1e-12)
    assert result.totals["S1"] == 0.0 and result.totals["S2"] == 0.0
    assert sum(result.totals.values()) == pytest.approx(sum(COSTS.values()), rel=1e-12)


def test_by_driver() -> None:
    result = al.by_driver(900.0, {"O1": 100, "O2": 200, "O3": 0})
    assert result.totals == pytest.approx({"O1": 300.0, "O2": 600.0, "O3": 0.0})


def test_shares_that_do_not_add_up_and_unknown_departments() -> None:
    with pytest.raises(al.AllocationError) as caught:
        al.direct(COSTS, {"S1": {"O1": 0.5, "O2": 0.3}, "S2": {"O9": 1.0}})
    assert str(caught.value) == (
        "the shares of 'S1' add up to 0.8, not 1; 'S2' serves unknown department 'O9'"
    )


def test_a_singular_reciprocal_system_is_a_clear_error() -> None:
    costs = {"S1": 10.0, "S2": 10.0, "O1": 5.0}
    usage = {"S1": {"S2": 1.0}, "S2": {"S1": 1.0}}
    with pytest.raises(al.AllocationError, match="only serve each other"):
        al.reciprocal(costs, usage)


def test_step_down_needs_every_service_department_in_its_order() -> None:
    with pytest.raises(al.AllocationError, match="order must list every service department"):
        al.step_down(COSTS, USAGE, order=["S1"])
