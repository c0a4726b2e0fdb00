"""The sample organization teaches what it should and passes its own checks."""

from __future__ import annotations

from collections import Counter

from trellis.demo.acme import observations, scorecard_folder
from trellis.engine.api import check_path, load
from trellis.engine.compile import resolve_method
from trellis.engine.findings import Severity


def test_sample_has_no_errors_and_teaching_warnings() -> None:
    findings = check_path(scorecard_folder())
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert sorted({f.code for f in findings}) == [
        "cascade-gap",
        "only-lagging",
        "under-commitment",
    ]


def test_sample_shape() -> None:
    card = load(scorecard_folder())
    kinds = Counter(u.kind for u in card.spec.units)
    assert kinds == {"organization": 1, "business unit": 3, "team": 6, "individual": 12}
    for unit in card.spec.units:
        perspectives = {o.perspective for o in card.spec.objectives if o.unit == unit.code}
        assert perspectives == {"learning", "process", "customer", "financial"}, unit.code
    assert card.spec.organization.fiscal_year_start == 4
    methods = {resolve_method(m).value for m in card.compiled.measures}
    assert methods == {"linear", "ratio", "thresholds", "band", "binary", "none"}
    modes = {m.cascades_from.mode.value for m in card.spec.measures if m.cascades_from}
    assert modes == {"identical", "contributing"}
    rollups = {m.rollup.method.value for m in card.spec.measures if m.rollup}
    assert rollups == {"sum", "average", "weighted_average", "min", "max", "count"}
    frequencies = {m.frequency.value for m in card.compiled.measures}
    assert frequencies == {"month", "quarter", "year"}


def test_sample_data_has_24_months_gaps_and_stale_measures() -> None:
    data = observations()
    months = sorted({p for _, p, _ in data if len(p) == 7 and p[5] != "Q" and p[5] != "H"})
    assert (months[0], months[-1], len(months)) == ("2024-04", "2026-03", 24)
    results = load(scorecard_folder()).evaluate(data)
    march = {r["code"]: r for r in results.records("measure", "2026-03")}
    stale = sorted(code for code, r in march.items() if "stale" in r["flags"])
    assert stale == ["ENGAGEMENT", "MARKET_SHARE"]
    assert march["TRAINING_VIENNA"]["status"] == "no-data"
    assert march["TRAINING_SOUTH"]["flags"] == ["partial"]
    card = load(scorecard_folder())
    monthly = [
        m.code
        for m in card.compiled.measures
        if m.frequency.value == "month" and m.source.value not in ("formula", "rollup") and m.active
    ]
    present = {(code, period) for code, period, _ in data}
    gaps = [(c, p) for c in monthly for p in months if (c, p) not in present]
    assert 10 <= len(gaps) <= 60  # about 1 % left out at random, plus the withheld one
    quarter = {r["code"]: r for r in results.records("measure", "2026-Q4")}
    assert quarter["GROSS_MARGIN"]["value"] is not None
