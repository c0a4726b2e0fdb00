"""A positive and a negative case for every check code.

Each case changes the clean scorecard in two ways: one that must produce the finding (on the
named object, with a file and line) and a near miss that must not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import base, measure, objective
from trellis.engine.findings import Severity

Data = dict[str, Any]


def _set(pick: Callable[[Data], dict[str, Any]], **values: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        pick(data).update(values)

    return change


def _m(code: str) -> Callable[[Data], dict[str, Any]]:
    return lambda data: measure(data, code)


def _o(code: str) -> Callable[[Data], dict[str, Any]]:
    return lambda data: objective(data, code)


def _unit(code: str) -> Callable[[Data], dict[str, Any]]:
    return lambda data: next(u for u in data["units"] if u["code"] == code)


def _add_measure(**values: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["measures"].append({"owner": "x", "kind": "leading", "target": 1, **values})

    return change


def _both(*changes: Callable[[Data], None]) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        for c in changes:
            c(data)

    return change


def _rollup_family(parent: dict[str, Any], *children: dict[str, Any]) -> Callable[[Data], None]:
    """A roll-up measure on hq's financial objective fed by measures of the team."""

    def change(data: Data) -> None:
        data["measures"].append(
            {
                "code": "P",
                "name": "Parent",
                "objective": "H3",
                "owner": "x",
                "source": "rollup",
                "rollup": {"method": "sum"},
                **parent,
            }
        )
        for i, child in enumerate(children):
            data["measures"].append(
                {
                    "code": f"C{i}",
                    "name": f"Child {i}",
                    "objective": "T3",
                    "owner": "x",
                    "cascades_from": {"measure": "P", "mode": "contributing"},
                    **child,
                }
            )

    return change


def _sibling_unit(data: Data) -> None:
    data["units"].append({"code": "team2", "name": "Team 2", "parent": "hq", "owner": "y"})
    for i, perspective in enumerate(("learning", "process", "customer", "financial")):
        data["objectives"].append(
            {
                "code": f"S{i}",
                "name": f"s {perspective}",
                "unit": "team2",
                "perspective": perspective,
                "supports": [f"H{i}"],
                **({"drives": [f"S{i + 1}"]} if i < 3 else {}),
            }
        )


CASES: dict[str, tuple[Callable[[Data], None], Callable[[Data], None], str]] = {
    "duplicate-code": (
        _add_measure(code="M_H0", name="Again", objective="H0"),
        _add_measure(code="M_H0B", name="Again", objective="H0"),
        "M_H0",
    ),
    "unknown-reference": (
        _set(_o("T0"), supports=["NOPE"]),
        _set(_o("T0"), supports=["H0"]),
        "T0",
    ),
    "unit-cycle": (
        _both(_set(_unit("hq"), parent="team")),
        _set(_unit("team"), parent="hq"),
        "hq",
    ),
    "multiple-roots": (
        lambda d: d["units"].append({"code": "other", "name": "Other", "owner": "z"}),
        lambda d: d["units"].append(
            {"code": "other", "name": "Other", "parent": "hq", "owner": "z"}
        ),
        "other",
    ),
    "supports-non-ancestor": (
        _set(_o("H0"), supports=["T0"]),
        _set(_o("T1"), supports=["H1"]),
        "H0",
    ),
    "drives-other-unit": (
        _set(_o("T0"), drives=["H1"]),
        _set(_o("T0"), drives=["T1"]),
        "T0",
    ),
    "drives-cycle": (
        _set(_o("T3"), drives=["T0"]),
        _set(_o("T2"), drives=["T3"]),
        "T0",
    ),
    "drives-downward": (
        _set(_o("T2"), drives=["T3", "T1"]),
        _set(_o("T2"), drives=["T3"]),
        "T2",
    ),
    "cascade-non-ancestor": (
        _set(_m("M_H0"), cascades_from={"measure": "M_T0", "mode": "derived"}),
        _set(_m("M_T0"), cascades_from={"measure": "M_H0", "mode": "derived"}),
        "M_H0",
    ),
    "formula-syntax": (
        _set(_m("M_H3"), source="formula", formula="M_H0 * (2 +"),
        _set(_m("M_H3"), source="formula", formula="M_H0 * (2 + 1)"),
        "M_H3",
    ),
    "missing-formula": (
        _set(_m("M_H3"), source="formula"),
        _set(_m("M_H3"), source="formula", formula="M_H0 + 1"),
        "M_H3",
    ),
    "unused-formula": (
        _set(_m("M_H3"), formula="M_H0 + 1"),
        _set(_m("M_H3"), source="formula", formula="M_H0 + 1"),
        "M_H3",
    ),
    "circular-dependency": (
        _both(
            _set(_m("M_H3"), source="formula", formula="M_H2 + 1"),
            _set(_m("M_H2"), source="formula", formula="M_H3 * 2"),
        ),
        _both(
            _set(_m("M_H3"), source="formula", formula="M_H2 + 1"),
            _set(_m("M_H2"), source="formula", formula="M_H1 * 2"),
        ),
        "M_H2",
    ),
    "rollup-without-contributors": (
        _set(_m("M_H3"), source="rollup", rollup={"method": "sum"}),
        _both(
            _set(_m("M_H3"), source="rollup", rollup={"method": "sum"}),
            _set(_m("M_T3"), cascades_from={"measure": "M_H3", "mode": "contributing"}),
        ),
        "M_H3",
    ),
    "unused-rollup": (
        _set(_m("M_H3"), rollup={"method": "sum"}),
        _set(_m("M_H3"), source="manual"),
        "M_H3",
    ),
    "rollup-frequency-mismatch": (
        _rollup_family({"target": 10}, {"target": 10, "frequency": "quarter"}),
        _rollup_family({"target": 10}, {"target": 10}),
        "C0",
    ),
    "invalid-weight": (
        _set(_o("T0"), weight=-1),
        _set(_o("T0"), weight=0.5),
        "T0",
    ),
    "scoring-contradiction": (
        _set(_m("M_H3"), minimum=120),
        _set(_m("M_H3"), minimum=80),
        "M_H3",
    ),
    "ratio-negative-target": (
        _set(_m("M_H3"), target=-10),
        _set(_m("M_H3"), target=-10, baseline=-20),
        "M_H3",
    ),
    "ratio-zero-target": (
        _set(_m("M_H3"), target=0, polarity="down"),
        _set(_m("M_H3"), target=0, baseline=5, polarity="down"),
        "M_H3",
    ),
    "missing-scoring-parameter": (
        _set(_m("M_H3"), scoring={"method": "thresholds"}),
        _set(_m("M_H3"), scoring={"method": "thresholds"}, minimum=80),
        "M_H3",
    ),
    "bad-target": (
        _set(_m("M_H3"), frequency="quarter", target={"2026-03": 5}),
        _set(_m("M_H3"), frequency="quarter", target={"2026-Q1": 5}),
        "M_H3",
    ),
    "cascade-mismatch": (
        _set(_m("M_T3"), cascades_from={"measure": "M_H3", "mode": "identical"}, polarity="down"),
        _set(_m("M_T3"), cascades_from={"measure": "M_H3", "mode": "identical"}),
        "M_T3",
    ),
    "orphan-objective": (
        lambda d: objective(d, "T0").pop("supports"),
        _set(_o("T0"), supports=["H0"]),
        "T0",
    ),
    "cascade-gap": (
        lambda d: objective(d, "T1").pop("supports"),
        _set(_o("T1"), supports=["H1"]),
        "H1",
    ),
    "under-commitment": (
        _rollup_family({"target": 100}, {"target": 40}, {"target": 50}),
        _rollup_family({"target": 100}, {"target": 50}, {"target": 50}),
        "P",
    ),
    "over-commitment": (
        _rollup_family({"target": 100}, {"target": 60}, {"target": 50}),
        _rollup_family({"target": 100}, {"target": 40}, {"target": 60}),
        "P",
    ),
    "duplicate-measure": (
        _both(_sibling_unit, _add_measure(code="DUP", name="Measure T0", objective="S0")),
        _both(_sibling_unit, _add_measure(code="DUP", name="Measure S0", objective="S0")),
        "DUP",
    ),
    "objective-without-measures": (
        lambda d: d["measures"].remove(measure(d, "M_T0")),
        lambda d: d["measures"].remove(measure(d, "M_H0")),
        "T0",
    ),
    "only-lagging": (
        _set(_m("M_T0"), kind="lagging"),
        _set(_m("M_T3"), kind="lagging"),
        "T0",
    ),
    "too-many-measures-objective": (
        lambda d: [_add_measure(code=f"X{i}", name=f"X{i}", objective="H0")(d) for i in range(5)],
        lambda d: [_add_measure(code=f"X{i}", name=f"X{i}", objective="H0")(d) for i in range(4)],
        "H0",
    ),
    "too-many-measures-scorecard": (
        lambda d: [
            _add_measure(code=f"X{i}", name=f"X{i}", objective=f"H{i % 4}")(d) for i in range(22)
        ],
        lambda d: [
            _add_measure(code=f"X{i}", name=f"X{i}", objective=f"H{i % 4}")(d) for i in range(21)
        ],
        "hq",
    ),
    "measure-without-target": (
        lambda d: measure(d, "M_T0").pop("target"),
        _set(_m("M_T0"), scoring={"method": "none"}),
        "M_T0",
    ),
    "measure-without-owner": (
        lambda d: measure(d, "M_T0").pop("owner"),
        _set(_m("M_T0"), owner="someone else"),
        "M_T0",
    ),
    "empty-perspective": (
        _set(_o("T0"), active=False),
        _set(_o("T0"), weight=2),
        "team",
    ),
    "map-without-links": (
        lambda d: [objective(d, f"T{i}").pop("drives") for i in range(3)],
        lambda d: [objective(d, f"T{i}").pop("drives") for i in range(2)],
        "team",
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_finding_is_reported(code: str, findings_of) -> None:  # type: ignore[no-untyped-def]
    positive, _, obj = CASES[code]
    data = base()
    positive(data)
    hits = [f for f in findings_of(data) if f.code == code]
    assert [f.object for f in hits][:1] == [obj]
    assert hits[0].location.file is not None and hits[0].location.file.endswith("card.yaml")
    assert hits[0].location.line is not None and hits[0].location.line > 0


@pytest.mark.parametrize("code", sorted(CASES))
def test_near_miss_is_not_reported(code: str, findings_of) -> None:  # type: ignore[no-untyped-def]
    _, negative, _ = CASES[code]
    data = base()
    negative(data)
    assert [f.code for f in findings_of(data) if f.code == code] == []


def test_clean_scorecard_has_no_findings(findings_of) -> None:  # type: ignore[no-untyped-def]
    assert findings_of(base()) == []


def test_all_findings_are_collected_not_just_the_first(findings_of) -> None:  # type: ignore[no-untyped-def]
    data = base()
    objective(data, "T0")["supports"] = ["NOPE"]
    measure(data, "M_H3").update(source="formula", formula="1 +")
    objective(data, "T1")["weight"] = -3
    codes = {f.code for f in findings_of(data) if f.severity is Severity.ERROR}
    assert codes == {"unknown-reference", "formula-syntax", "invalid-weight"}


def test_every_code_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "checks.md").read_text(encoding="utf-8")
    loader = {"yaml-syntax", "duplicate-key", "schema", "unreadable-file"}
    data = {"data-header", "data-row", "data-file"}
    for code in sorted(set(CASES) | loader | data):
        assert f"`{code}`" in text, code


def test_a_perspective_whose_objectives_all_weigh_nothing_is_an_error(findings_of) -> None:  # type: ignore[no-untyped-def]
    data = base()
    objective(data, "T0")["weight"] = 0  # the only objective of the team's learning
    hits = [f for f in findings_of(data) if f.code == "invalid-weight"]
    assert [(f.object, f.severity, f.message) for f in hits] == [
        (
            "T0",
            Severity.ERROR,
            "weights of the objectives of the learning perspective of unit team: "
            "all weights are zero",
        )
    ]
    data["objectives"].append(
        {"code": "T9", "name": "another", "unit": "team", "perspective": "learning"}
    )
    assert [f for f in findings_of(data) if f.code == "invalid-weight"] == []


def test_unscored_inputs_do_not_count_as_too_many_measures(findings_of) -> None:  # type: ignore[no-untyped-def]
    data = base()
    for i in range(4):  # H0 has one scored measure already: five in all
        _add_measure(code=f"X{i}", name=f"X{i}", objective="H0")(data)
    for i in range(3):
        _add_measure(code=f"RAW{i}", name=f"Raw {i}", objective="H0", scoring={"method": "none"})(
            data
        )
    assert [f.code for f in findings_of(data) if f.code.startswith("too-many")] == []
    _add_measure(code="X9", name="X9", objective="H0")(data)
    hits = [f for f in findings_of(data) if f.code == "too-many-measures-objective"]
    assert [f.message for f in hits] == ["has 6 scored measures (more than 5)"]


@pytest.mark.parametrize("method", ["sum", "average", "min", "max"])
@pytest.mark.parametrize("polarity", ["up", "down"])
@pytest.mark.parametrize(
    "targets",
    [(100, 40, 50), (100, 60, 50), (100, 50, 50), (0.3, 0.1, 0.2), (7, 7, 7), (-5, -2, -4)],
)
def test_constant_commitments_read_as_the_month_grid_does(  # type: ignore[no-untyped-def]
    method: str, polarity: str, targets: tuple[float, ...], findings_of, monkeypatch
) -> None:
    from trellis.engine.checks import cascade

    data = base()
    parent, *children = ({"target": t} for t in targets)
    _rollup_family({**parent, "polarity": polarity}, *children)(data)
    measure(data, "P")["rollup"] = {"method": method}
    shortcut = [f for f in findings_of(data) if f.code.endswith("commitment")]
    monkeypatch.setattr(cascade, "_constant_commitment", lambda *args: False)
    on_the_grid = [f for f in findings_of(data) if f.code.endswith("commitment")]
    assert shortcut == on_the_grid
