"""Number formatting in pages: rounded half up, grouped, missing values as a dash."""

from __future__ import annotations

from trellis.web.core.templatetags.trellis import index, num, score


def test_numbers_round_half_up_rather_than_cut_off() -> None:
    assert num(1.4950496, 2) == "1.50"
    assert num(2.675, 2) == "2.68"
    assert num(37.96, 1) == "38.0"
    assert num(-0.125, 2) == "-0.13"
    assert num(1234.5, 0) == "1,235"


def test_scores_are_cut_never_rounded_into_a_better_band() -> None:
    assert score(99.96) == "99.9"  # amber: it must not look like 100.0 (green)
    assert score(89.95) == "89.9"  # red where amber starts at 90
    assert (score(100.0), score(90.0), score(120.0), score(0.04)) == (
        "100.0",
        "90.0",
        "120.0",
        "0.0",
    )
    assert score(None) == score(float("nan")) == "—"


def test_missing_numbers_are_a_dash() -> None:
    assert num(None) == "—"
    assert num("") == "—"
    assert num(float("nan")) == "—"
    assert num(float("inf")) == "—"
    assert index(None) == "∞ (no variation)"
    assert index(1.333) == "1.33"
