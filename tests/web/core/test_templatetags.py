"""Number formatting in pages: rounded half up, grouped, missing values as a dash."""

from __future__ import annotations

from trellis.web.core.templatetags.trellis import index, num, score


def test_numbers_round_half_up_rather_than_cut_off() -> None:
    assert num(1.4950496, 2) == "1.50"
    assert num(2.675, 2) == "2.68"
    assert num(37.96, 1) == "38.0"
    assert num(-0.125, 2) == "-0.13"
    assert num(1234.5, 0) == "1,235"
    assert score(99.96) == "100.0"


def test_missing_numbers_are_a_dash() -> None:
    assert num(None) == "—"
    assert num("") == "—"
    assert num(float("nan")) == "—"
    assert num(float("inf")) == "—"
    assert index(None) == "∞ (no variation)"
    assert index(1.333) == "1.33"
