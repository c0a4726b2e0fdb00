"""The formula language: parsing, errors with positions, vectorized evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import base, measure
from trellis.engine import formula as fx
from trellis.engine.flags import FLAG_DIV_ZERO, FLAG_INVALID

AXIS = fx.TimeAxis(fiscal_year=np.array([2026, 2026, 2026, 2027, 2027]))


def run(text: str, **env: list[float]) -> tuple[list[float], list[int]]:
    arrays = {k: np.array([v], dtype=float) for k, v in env.items()}
    result = fx.evaluate(fx.parse(text), arrays, AXIS)
    return result.values[0].tolist(), result.flags[0].tolist()


def test_precedence_and_associativity() -> None:
    assert fx.render(fx.parse("1 + 2 * 3 ^ 2")) == "(1 + (2 * (3 ^ 2)))"
    assert fx.render(fx.parse("2 ^ 3 ^ 2")) == "(2 ^ (3 ^ 2))"
    assert fx.render(fx.parse("-A ^ 2")) == "-(A ^ 2)"
    assert fx.render(fx.parse("A < 1 or not B and C")) == "((A < 1) or (not B and C))"


def test_arithmetic_over_rows_and_periods() -> None:
    values, flags = run("A / B * 100", A=[1, 2, 3, 4, 5], B=[4, 4, 0, 8, np.nan])
    assert values[:2] == [25.0, 50.0]
    assert np.isnan(values[2]) and np.isnan(values[4])
    assert values[3] == 50.0
    assert flags == [0, 0, FLAG_DIV_ZERO, 0, 0]


def test_functions() -> None:
    a = [1.0, -2.0, np.nan, 4.0, 5.0]
    b = [2.0, 2.0, 2.0, np.nan, 1.0]
    assert run("abs(A)", A=a)[0][:2] == [1.0, 2.0]
    assert run("max(A, B)", A=a, B=b)[0] == [2.0, 2.0, 2.0, 4.0, 5.0]
    assert run("sum(A, B)", A=a, B=b)[0] == [3.0, 0.0, 2.0, 4.0, 6.0]
    assert run("avg(A, B)", A=a, B=b)[0] == [1.5, 0.0, 2.0, 4.0, 3.0]
    assert run("coalesce(A, B, 0)", A=a, B=b)[0] == [1.0, -2.0, 2.0, 4.0, 5.0]
    assert run("if(A > 0, 1, -1)", A=a)[0][:2] == [1.0, -1.0]
    assert run("round(A / 3, 2)", A=[1, 2, 3, 4, 5])[0] == [0.33, 0.67, 1.0, 1.33, 1.67]


def test_time_functions() -> None:
    a = [10.0, 20.0, 30.0, 40.0, 50.0]
    prev = run("prev(A)", A=a)[0]
    assert np.isnan(prev[0]) and prev[1:] == [10.0, 20.0, 30.0, 40.0]
    lag = run("lag(A, 2)", A=a)[0]
    assert lag[2:] == [10.0, 20.0, 30.0]
    assert run("change(A)", A=a)[0][1:] == [10.0, 10.0, 10.0, 10.0]
    assert run("pct_change(A)", A=a)[0][1:] == [100.0, 50.0, pytest.approx(100 / 3), 25.0]
    # ytd restarts at the fiscal year boundary between the third and fourth column.
    assert run("ytd(A)", A=a)[0] == [10.0, 30.0, 60.0, 40.0, 90.0]


def test_ytd_uses_the_measures_aggregation() -> None:
    tree = fx.parse("ytd(A)")
    env = {"A": np.array([[10.0, 20.0, 30.0, 40.0, 50.0]])}
    result = fx.evaluate(tree, env, AXIS, {"A": "average"})
    assert result.values[0].tolist() == [10.0, 15.0, 20.0, 40.0, 45.0]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("A +", "expected a number, a measure code or '(' but found 'end of formula'", 3),
        ("A + * B", "expected a number, a measure code or '(' but found '*'", 4),
        ("(A + B", "expected ')' but found 'end of formula'", 6),
        ("A $ B", "unexpected character '$'", 2),
        ("foo(A)", "unknown function 'foo'", 0),
        ("lag(A, B)", "lag() needs a whole number of periods as its second argument", 0),
        ("if(A, B)", "if() takes 3 arguments, got 2", 0),
        ("A < B < C", "comparisons cannot be chained; use 'and'", 6),
        ("1e999", "number '1e999' is out of range", 0),
        ("", "empty formula", 0),
        ("A B", "unexpected 'B'", 2),
    ],
)
def test_errors_carry_the_position(text: str, message: str, position: int) -> None:
    with pytest.raises(fx.FormulaError) as caught:
        fx.parse(text)
    assert (caught.value.message, caught.value.position) == (message, position)
    assert str(caught.value).endswith(f"\n  {text}\n  {' ' * position}^")


def test_nesting_is_bounded() -> None:
    with pytest.raises(fx.FormulaError) as caught:
        fx.parse("(" * 200 + "1" + ")" * 200)
    assert caught.value.message == f"formula nests deeper than {fx.MAX_DEPTH} levels"


def test_references_and_templates() -> None:
    tree = fx.parse("A / B + A")
    assert [r.code for r in fx.references(tree)] == ["A", "B", "A"]
    assert fx.template("A / B + max(A, 1e3) and not C2") == (
        "_0 / _1 + max(_0, 1e3) and not _2",
        ["A", "B", "C2"],
    )
    assert fx.template("X / Y + X")[0] == fx.template("A / B + A")[0]
    assert fx.template("X / Y + Y")[0] != fx.template("A / B + A")[0]
    text, codes = fx.template("ytd(REV) / lag(COST, 12)")
    assert fx.render(fx.parse(text), codes) == "(ytd(REV) / lag(COST, 12))"


def test_a_chain_of_operations_is_bounded_with_its_position() -> None:
    longest = "+".join(["A"] * (fx.MAX_CHAIN + 1))
    tree = fx.parse(longest)  # 200 additions, the most one chain may have
    assert len(fx.references(tree)) == fx.MAX_CHAIN + 1
    assert run(longest, A=[1.0])[0] == [float(fx.MAX_CHAIN + 1)]
    assert fx.render(tree).count("+") == fx.MAX_CHAIN
    with pytest.raises(fx.FormulaError) as caught:
        fx.parse(longest + "+A")
    assert caught.value.message == (
        "formula chains more than 200 operations; add long lists with sum(...)"
    )
    assert caught.value.position == len(longest)
    # the full 4,000 characters of one chain: refused, never a RecursionError
    with pytest.raises(fx.FormulaError):
        fx.parse("A+" * 1999 + "A")
    # the same number of terms as a list
    listed = "sum(" + ",".join(["A"] * 1333) + ")"
    assert len(listed) <= fx.MAX_LENGTH
    assert run(listed, A=[1.0])[0] == [1333.0]


def test_flags_come_only_from_the_branch_taken() -> None:
    values, flags = run("if(D > 0, N / D * 100, 100)", N=[1, 1, 1], D=[2, 0, -1])
    assert values == [50.0, 100.0, 100.0]
    assert flags == [0, 0, 0]
    values, flags = run("if(D == 0, N / D, 7)", N=[1, 1], D=[0, 2])
    assert np.isnan(values[0]) and values[1] == 7.0
    assert flags == [FLAG_DIV_ZERO, 0]
    values, flags = run("coalesce(N / D, 0)", N=[1, 4], D=[0, 2])
    assert (values, flags) == ([0.0, 2.0], [0, 0])
    # the condition's own flags count whichever branch is taken
    values, flags = run("if(N / D > 1, 1, 2)", N=[1], D=[0])
    assert np.isnan(values[0]) and flags == [FLAG_DIV_ZERO]
    # a value carried from another period carries that period's flags
    values, flags = run("prev(N / D)", N=[1, 1, 1], D=[0, 1, 1])
    assert flags == [0, FLAG_DIV_ZERO, 0]


def test_an_overflow_is_an_invalid_number_not_an_infinity() -> None:
    values, flags = run("A * A - A * A", A=[1e200, 2.0])
    assert np.isnan(values[0]) and values[1] == 0.0
    assert flags == [FLAG_INVALID, 0]


TERMS = ("A", "B", "1", "0", "2.5e3", "sum(A, B)", "if(A > B, A / B, 1)", "(A - B)", "-A")
OPERATORS = (" + ", " - ", " * ", " / ", " ^ ", " > ", " and ", ",", ")", "(")


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(OPERATORS), st.sampled_from(TERMS)), max_size=1400),
    st.integers(min_value=0, max_value=40),
)
@example([(" + ", "A")] * 1400, 0)  # a chain cut at the full 4,000 characters
@example([(" * ", "sum(A, B)"), (",", "A")] * 300, 0)  # arguments past the limit
@example([("(", "A")] * 200, 30)  # nesting
def test_formulas_of_any_length_up_to_the_limit_raise_only_formula_errors(
    parts: list[tuple[str, str]], open_parens: int
) -> None:
    text = ("(" * open_parens + "A" + "".join(op + term for op, term in parts))[: fx.MAX_LENGTH]
    try:
        tree = fx.parse(text)
    except fx.FormulaError:
        return
    env = {r.code: np.array([[1.0, 0.0, -2.5, 1e300]]) for r in fx.references(tree)}
    result = fx.evaluate(tree, env, fx.TimeAxis(fiscal_year=np.array([1, 1, 1, 1])))
    assert not np.isinf(result.values).any()
    assert fx.render(tree)
    assert fx.template(text)[0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("AB1.2e+-*/^()<>=!, andortif_x \t$é"), max_size=40))
def test_random_text_raises_only_formula_errors(text: str) -> None:
    try:
        tree = fx.parse(text)
    except fx.FormulaError:
        return
    env = {r.code: np.array([[1.0, 0.0, -2.5]]) for r in fx.references(tree)}
    result = fx.evaluate(tree, env, fx.TimeAxis(fiscal_year=np.array([1, 1, 1])))
    assert not np.isinf(result.values).any()


def test_long_formulas_are_checked_evaluated_and_explained(findings_of, card_of) -> None:  # type: ignore[no-untyped-def]
    data = base()
    total = measure(data, "M_H3")
    total.update(source="formula", formula=" + ".join(["M_H0"] * (fx.MAX_CHAIN + 1)))
    results = card_of(data).evaluate([("M_H0", "2026-01", 2.0)])
    assert results.records("measure", "2026-01")[3]["value"] == 2.0 * (fx.MAX_CHAIN + 1)
    assert "M_H0" in str(results.explain("M_H3", "2026-01"))
    total["formula"] = "M_H0+" * 999 + "M_H0"  # 4,999 characters: too long
    too_long = [f for f in findings_of(data) if f.code == "formula-syntax"]
    assert [f.message.split(" at column")[0] for f in too_long] == [
        "formula is longer than 4000 characters"
    ]
    total["formula"] = "M_H0+" * 799 + "M_H0"  # 3,999 characters: one chain
    chained = [f for f in findings_of(data) if f.code == "formula-syntax"]
    assert len(chained) == 1 and chained[0].location.line is not None
    assert "formula chains more than 200 operations" in chained[0].message


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("AB_1.2e+-*/^()<>=!, andortif_xlagsum \t$é"), max_size=40))
@example("A B")
@example("lag(A, B)")
@example("_0 + A")
@example("A + A * B")
def test_codes_of_a_formula_agree_with_its_parse_errors_included(text: str) -> None:
    try:
        tree = fx.parse(text)
    except fx.FormulaError as parsed:
        with pytest.raises(fx.FormulaError) as caught:
            fx.codes_of(text)
        assert (caught.value.message, caught.value.position) == (parsed.message, parsed.position)
        return
    assert fx.codes_of(text) == list(dict.fromkeys(r.code for r in fx.references(tree)))
