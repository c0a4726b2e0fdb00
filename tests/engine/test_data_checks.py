"""The data rules of measures applied to values being entered."""

from __future__ import annotations

from typing import Any

from tests.conftest import base
from trellis.engine.api import Scorecard
from trellis.engine.data_checks import check_rules
from trellis.engine.observations import from_tuples


def card(card_of: Any) -> Scorecard:
    data = base()
    rules = {
        "M_H0": {"minimum": 0, "maximum": 100, "whole_numbers": True},
        "M_H1": {"comment_when_red": True},
        "M_H2": {"max_change_percent": 20},
        "M_H3": {"outlier_sigma": 2},
        "M_T0": {"outlier_sigma": None},
    }
    for measure in data["measures"]:
        measure["baseline"] = 0
        if measure["code"] in rules:
            measure["data"] = rules[measure["code"]]
    return card_of(data)  # type: ignore[no-any-return]


HISTORY = [
    (code, f"2025-{m:02d}", value)
    for m in range(1, 13)
    for code, value in (("M_H2", 50.0), ("M_H3", 100.0 + (m % 2)), ("M_T0", 10.0 + m % 3))
]


def issues(
    scorecard: Scorecard, rows: list[tuple[Any, ...]], confirmed: bool = False
) -> list[tuple[int, str, str, bool]]:
    results = scorecard.evaluate(HISTORY)
    c = results.compiled
    valid, findings = from_tuples(rows, {m.code: m for m in c.measures}, c.calendar)
    assert findings == []
    return [
        (d.index, d.field, d.message, d.confirm)
        for d in check_rules(results, valid, confirmed=confirmed)
    ]


def test_range_and_whole_numbers_refuse_the_value(card_of: Any) -> None:
    found = issues(
        card(card_of),
        [("M_H0", "2025-12", -1), ("M_H0", "2025-11", 100.5), ("M_H0", "2025-10", 7.5),
         ("M_H0", "2025-09", 100)],
    )  # fmt: skip
    assert found == [
        (0, "value", "-1 is below the minimum 0", False),
        (1, "value", "100.5 is above the maximum 100", False),
        (1, "value", "100.5 is not a whole number", False),
        (2, "value", "7.5 is not a whole number", False),
    ]


def test_a_red_value_needs_a_comment(card_of: Any) -> None:
    # Target 100 from baseline 0: 80 scores 80 (red), 95 is amber, a comment answers it.
    found = issues(
        card(card_of),
        [("M_H1", "2025-06", 80), ("M_H1", "2025-07", 95), ("M_H1", "2025-08", 10, "", "strike")],
    )
    assert found == [(0, "comment", "80 is red: explain it in a comment", False)]


def test_a_big_change_needs_a_comment(card_of: Any) -> None:
    found = issues(
        card(card_of),
        [("M_H2", "2026-01", 61), ("M_H2", "2025-12", 60, "", "why"), ("M_H2", "2025-11", 59)],
    )
    assert found == [
        (0, "comment", "the value changes by 22% from the last period (50 → 61); a change "
                       "above 20% needs a comment", False),
    ]  # fmt: skip


def test_outliers_ask_for_confirmation(card_of: Any) -> None:
    scorecard = card(card_of)
    # History 100/101 alternating: mean 100.5, sd ≈ 0.522; 2 sd ≈ 1.04 away is an outlier.
    rows = [("M_H3", "2026-01", 102), ("M_H3", "2026-02", 101), ("M_T0", "2026-01", 99)]
    assert issues(scorecard, rows) == [
        (0, "value", "102 is beyond 2 standard deviations of its last 12 values (mean 100.5, "
                     "sd 0.522233): confirm it is right", True),
    ]  # fmt: skip
    assert issues(scorecard, rows, confirmed=True) == []


def test_too_little_history_is_no_outlier(card_of: Any) -> None:
    assert issues(card(card_of), [("M_H1", "2026-01", 1e9, "", "fine")]) == []
