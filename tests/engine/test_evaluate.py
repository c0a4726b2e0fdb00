"""Evaluation: values over time, formulas, roll-ups, score roll-ups, staleness, explain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import base, measure
from trellis.engine.api import Scorecard
from trellis.engine.observations import Observation, ObservationSet, StoredObservations

CARD = """
organization:
  name: Test
  fiscal_year_start: 4
  perspectives:
    - {code: customer, name: Customer}
    - {code: financial, name: Financial, weight: 3}
units:
  - {code: hq, name: HQ}
  - {code: east, name: East, parent: hq}
  - {code: west, name: West, parent: hq}
objectives:
  - code: F
    name: Finance
    unit: hq
    perspective: financial
    measures:
      - {code: REV, name: Revenue, source: rollup, rollup: {method: sum}, target: 100}
      - {code: COST, name: Cost, polarity: down, target: 50, weight: 2}
      - {code: MARGIN, name: Margin, source: formula, formula: (REV - COST) / REV * 100,
         aggregation: average, target: 50}
  - {code: C, name: Customers, unit: hq, perspective: customer, score_from: children}
  - code: CE
    name: East customers
    unit: east
    perspective: customer
    supports: [{objective: C, weight: 1}]
    measures:
      - {code: NPS_E, name: NPS East, baseline: 0, target: 50, aggregation: average}
      - {code: REV_E, name: Revenue East, cascades_from: {measure: REV, mode: contributing},
         target: 50, weight: 0}
  - code: CW
    name: West customers
    unit: west
    perspective: customer
    supports: [{objective: C, weight: 3}]
    measures:
      - {code: NPS_W, name: NPS West,
         baseline: 0, target: 50, aggregation: average}
      - {code: REV_W, name: Revenue West, cascades_from: {measure: REV, mode: contributing},
         target: 50, weight: 0}
      - {code: SHARE, name: Market share, frequency: quarter, aggregation: last, target: 10}
"""

DATA = [
    ("REV_E", "2025-04", 40),
    ("REV_E", "2025-05", 60),
    ("REV_E", "2025-06", 50),
    ("REV_W", "2025-04", 60),
    ("REV_W", "2025-05", 40),
    ("COST", "2025-04", 50),
    ("COST", "2025-05", 40),
    ("COST", "2025-06", 60),
    ("NPS_E", "2025-04", 40),
    ("NPS_E", "2025-05", 50),
    ("NPS_W", "2025-04", 25),
    ("NPS_W", "2025-05", 50),
    ("SHARE", "2026-Q1", 8),
]


@pytest.fixture
def card(card_of) -> Scorecard:  # type: ignore[no-untyped-def]
    return card_of(CARD)  # type: ignore[no-any-return]


def by_code(records: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(r["code"]): r for r in records}


def test_a_formula_over_a_quarter_is_a_ratio_of_sums(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    q1 = by_code(results.records("measure", "2026-Q1"))
    # Quarter inputs: revenue 40+60+50 + 60+40 = 250, cost 150 → (250-150)/250 = 40 %.
    assert q1["REV"]["value"] == 250.0
    assert q1["MARGIN"]["value"] == 40.0
    monthly = [
        by_code(results.records("measure", m))["MARGIN"]["value"]
        for m in ("2025-04", "2025-05", "2025-06")
    ]
    assert monthly == [50.0, 60.0, -20.0]  # their average (30) is not the quarter's margin


def test_roll_up_coverage_is_flagged_partial(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    june = by_code(results.records("measure", "2025-06"))
    assert june["REV"]["value"] == 50.0
    assert june["REV"]["flags"] == ["partial"]
    explanation = results.explain("REV", "2025-06")
    assert "1 of 2 reported" in str(explanation)
    assert [c.note for c in explanation.components] == [
        "unit east",
        "unit west, missing — excluded",
    ]


def test_scores_for_each_polarity_and_the_target_aggregated_over_the_quarter(
    card: Scorecard,
) -> None:
    q1 = by_code(card.evaluate(DATA).records("measure", "2026-Q1"))
    assert (q1["REV"]["target"], q1["REV"]["score"]) == (300.0, pytest.approx(83.33, abs=0.01))
    assert (q1["COST"]["target"], q1["COST"]["score"]) == (150.0, 100.0)
    assert q1["COST"]["status"] == "green"


def test_missing_values_renormalize_weights(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    # In June the East NPS is missing: CE keeps only REV_E, whose weight is 0, so CE has no
    # score, and C is the score of CW alone although CE's link also counts.
    june = by_code(results.records("objective", "2025-06"))
    assert june["CE"]["status"] == "no-data"
    assert june["CW"]["score"] == june["C"]["score"] == 80.0
    may = by_code(results.records("objective", "2025-05"))
    # May: CE = NPS_E 50/50 → 100; CW = NPS_W 50 → 100; April: CE 80, CW 50 → C = (80+3*50)/4.
    april = by_code(results.records("objective", "2025-04"))
    assert (may["C"]["score"], april["C"]["score"]) == (100.0, 57.5)


def test_perspective_and_unit_scores_use_their_weights(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    april = [r for r in results.records("perspective", "2025-04", unit="hq") if r["unit"] == "hq"]
    assert [(r["code"], r["score"]) for r in april] == [("customer", 57.5), ("financial", 100.0)]
    (unit,) = results.records("unit", "2025-04", unit="hq")[:1]
    assert unit["score"] == pytest.approx((57.5 + 3 * 100) / 4, abs=0.01)


def test_a_quarterly_measure_is_carried_into_months_and_goes_stale(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    rows = {
        m: by_code(results.records("measure", m))["SHARE"]
        for m in ("2025-05", "2025-06", "2025-08", "2025-09")
    }
    assert rows["2025-05"]["value"] is None
    assert (rows["2025-06"]["value"], rows["2025-06"]["flags"]) == (8.0, [])
    assert (rows["2025-08"]["value"], rows["2025-08"]["flags"]) == (8.0, [])
    assert (rows["2025-09"]["value"], rows["2025-09"]["flags"]) == (8.0, ["stale"])
    assert rows["2025-09"]["score"] == 80.0


def test_year_to_date(card: Scorecard) -> None:
    ytd = by_code(card.evaluate(DATA).records("measure", "2025-05:YTD"))
    assert (ytd["REV"]["value"], ytd["REV"]["target"]) == (200.0, 200.0)
    assert ytd["NPS_E"]["value"] == 45.0


def test_no_data_and_no_target_are_explicit(card_of) -> None:  # type: ignore[no-untyped-def]
    card = card_of(
        CARD.replace(
            "target: 50, aggregation: average}\n      - {code: REV_E",
            "aggregation: average}\n      - {code: REV_E",
        )
    )
    results = by_code(card.evaluate(DATA).records("measure", "2025-04"))
    assert (results["NPS_E"]["status"], results["NPS_E"]["score"]) == ("no-target", None)
    assert results["SHARE"]["status"] == "no-data"


def test_explain_a_measure_and_an_objective(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    text = str(results.explain("MARGIN", "2026-Q1"))
    assert text.splitlines()[:4] == [
        "measure MARGIN — Margin (unit hq), period 2026-Q1 (FY2026 Q1 · Apr–Jun 2025)",
        "  value 40  target 50  score 80.00  off target (red)  [partial]",
        "  formula: (REV - COST) / REV * 100  (parsed as (((REV - COST) / REV) * 100))",
        "  inputs are first aggregated to 2026-Q1, then the formula is applied",
    ]
    objective = results.explain("C", "2025-06")
    assert [(c.code, c.weight, c.score, c.share) for c in objective.components] == [
        ("CE", 1.0, None, None),
        ("CW", 3.0, 80.0, 1.0),
    ]
    assert objective.components[0].note == "excluded (no-data); weights renormalized"
    cost = str(results.explain("COST", "2025-05"))
    assert "score = 100 × 50 / 40 → clamped to [0, 100] = 100" in cost


def test_incremental_update_equals_a_full_run(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    for label in ("2026-Q1", "2025-05:YTD", "2026"):
        results.records("measure", label)  # cache the coarser grains too
    changed = results.update([("REV_W", "2025-06", 90), ("NPS_E", "2025-05", None)])
    assert changed == ["REV", "MARGIN", "NPS_E", "REV_W"]
    full = card.evaluate(
        [*[d for d in DATA if d[:2] != ("NPS_E", "2025-05")], ("REV_W", "2025-06", 90)]
    )
    for level in ("measure", "objective", "perspective", "unit"):
        for label in ("2025-06", "2026-Q1", "2025-05:YTD", "2026"):
            assert results.records(level, label) == full.records(level, label)


def test_bad_data_rows_are_all_reported(card: Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        "measure,period,value\n"
        "REV_E,2025-04,10\n"
        "NOPE,2025-04,1\n"
        "REV_E,2025-13,1\n"
        "REV_E,2025-05,abc\n"
        "REV_E,2025-04,11\n"
        "SHARE,2025-04,5\n"
        "REV,2025-04,5\n"
        "REV_E,2025-06,inf\n",
        encoding="utf-8",
    )
    from trellis.engine.findings import ScorecardError

    with pytest.raises(ScorecardError) as caught:
        card.evaluate(path)
    assert [(f.location.line, f.location.column, f.message) for f in caught.value.findings] == [
        (3, 1, "row 3, column A (measure): unknown measure 'NOPE'"),
        (4, 2, "row 4, column B (period): '2025-13' has month 13; months run 01-12"),
        (5, 3, f"row 5, column C (value): 'abc' is not a number {HINT}"),
        (6, 2, "row 6, column B (period): duplicate of row 2 (REV_E 2025-04)"),
        (7, 2, "row 7, column B (period): '2025-04' is a month but SHARE reports per quarter"),
        (
            8,
            1,
            "row 8, column A (measure): 'REV' is computed (rollup); its values cannot be entered",
        ),
        (9, 3, f"row 9, column C (value): 'inf' is not a number {HINT}"),
    ]


HINT = "(digits 0-9, a point for decimals, commas only between thousands)"


def test_sums_too_large_for_a_number_are_flagged_invalid(card: Scorecard) -> None:
    huge = 1e308  # refused on entry now; a database may hold such values from before
    rows = [("REV_E", "2025-04", huge), ("REV_W", "2025-04", huge), ("REV_E", "2025-05", huge)]
    items = tuple(Observation(code, period, value) for code, period, value in rows)
    ends = tuple(card.compiled.calendar.parse(period).end for _, period, _ in rows)
    stored = StoredObservations.of(ObservationSet(items, ends), card.compiled.measure_index)
    results = card.evaluate_stored(stored)
    april = by_code(results.records("measure", "2025-04"))
    assert (april["REV"]["value"], april["REV"]["flags"]) == (None, ["invalid-number"])
    assert april["REV_E"]["value"] == huge
    quarter = by_code(results.records("measure", "2026-Q1"))  # April to June 2025
    assert (quarter["REV_E"]["value"], quarter["REV_E"]["score"]) == (None, None)
    assert quarter["REV_E"]["flags"] == ["partial", "invalid-number"]
    assert quarter["REV_W"]["value"] == huge


def test_results_never_hold_infinities(card: Scorecard) -> None:
    results = card.evaluate(
        [*DATA, ("REV_E", "2025-07", 0), ("REV_W", "2025-07", 0), ("COST", "2025-07", 5)]
    )
    july = by_code(results.records("measure", "2025-07"))
    assert july["MARGIN"]["value"] is None
    assert july["MARGIN"]["flags"] == ["division-by-zero"]
    month = results.evaluator.grain(
        results.evaluator.periods(results.period("2025-07").grain)[0].grain
    )
    assert not np.isinf(month.value).any()
    assert not np.isinf(month.score).any()


def test_a_cap_above_100_lets_stretch_results_count(card_of) -> None:  # type: ignore[no-untyped-def]
    card = card_of(
        "organization: {name: Cap, cap: 100}\n"
        "units: [{code: hq, name: HQ}]\n"
        "objectives:\n"
        "  - code: O\n"
        "    name: O\n"
        "    unit: hq\n"
        "    perspective: financial\n"
        "    measures:\n"
        "      - {code: A, name: A, target: 100, stretch: 130, scoring: {cap: 120}}\n"
        "      - {code: B, name: B, target: 100}\n"
    )
    records = by_code(
        card.evaluate([("A", "2026-01", 150), ("B", "2026-01", 150)]).records("measure", "2026-01")
    )
    assert (records["A"]["score"], records["B"]["score"]) == (120.0, 100.0)
    objective = card.evaluate([("A", "2026-01", 150), ("B", "2026-01", 90)]).records(
        "objective", "2026-01"
    )
    assert objective[0]["score"] == 105.0


def test_explain_names_the_rule_where_the_formula_would_divide_by_zero(card_of) -> None:  # type: ignore[no-untyped-def]
    data = base()
    measure(data, "M_H0").update(baseline=100)  # target 100 too: linear, no span
    measure(data, "M_H1").update(target=0, polarity="down")  # ratio to a zero target
    results = card_of(data).evaluate([("M_H0", "2026-01", 120.0), ("M_H1", "2026-01", 3.0)])
    flat = str(results.explain("M_H0", "2026-01"))
    assert (
        "score = 100 if the target is met, else 0 (the target equals the baseline); "
        "120 ≥ 100: met = 100"
    ) in flat
    assert "/ (100 − 100)" not in flat
    zero = str(results.explain("M_H1", "2026-01"))
    assert "(a target of 0 has no ratio); 3 ≤ 0: not met = 0" in zero


def test_explain_names_the_bands_of_objectives_and_units(card: Scorecard) -> None:
    results = card.evaluate(DATA)
    for code in ("C", "hq"):
        text = str(results.explain(code, "2025-06"))
        assert text.endswith(
            "judged by the organization's bands: on target (green) ≥ 100, near target (amber) "
            "≥ 90, else off target (red) — not by the statuses of its components"
        )


def test_an_already_checked_scorecard_evaluates_the_same_without_its_checks(
    card: Scorecard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trellis.engine import api

    def no_checks(spec: object) -> list[object]:
        raise AssertionError("checked again")

    monkeypatch.setattr(api, "run_checks", no_checks)
    trusted = Scorecard.already_checked(card.spec)
    assert trusted.findings == []
    for period in ("2025-05", "2026-Q1", "2026", "2026-02:YTD"):
        assert trusted.evaluate(DATA).records("measure", period) == card.evaluate(DATA).records(
            "measure", period
        )
