"""Comparison benchmark: the month evaluation of the synthetic organization done three ways —
Trellis's engine, pandas (long tables, group-bys and joins) and DuckDB (the same in SQL) —
from the same observations, with every output compared.

    pip install -e ".[compare]"                    # pandas and DuckDB, for this script only
    python benchmarks/compare.py --levels 4        # 1,111 units, ~25,000 measures
    python benchmarks/compare.py                   # the 5-level enterprise

The semantics implemented by pandas and DuckDB are those the synthetic organization uses
(and only those): reported values; roll-ups (sum, average, min, max, count) of the values
present among the contributors, level by level up the cascade, missing when none is
present; the four formula shapes with missing inputs giving a missing value and division by
zero a missing value; ratio scores (100 · actual / target, clamped to [0, 100]); objective,
perspective and unit scores as means over the components that have a score (every weight is
1 in this organization). Outputs compared, for every month: measure values and scores,
objective, perspective (per unit) and unit scores. Floating-point sums may be added in another
order by pandas and DuckDB, so numbers are compared to 1e-9 relative; missing must match
missing exactly.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from trellis.demo import synthetic
from trellis.engine import formula as fx
from trellis.engine.compile import CompiledScorecard
from trellis.engine.evaluate import Evaluator
from trellis.engine.periods import Grain
from trellis.engine.spec import ScorecardSpec, Source

BASE_SHAPES = ("_0 / _1 * 100", "_0 - _1", "(_0 + _1) / 2", "if(_0 > _1, _0, _1)")
SHAPES = {text: i for i, text in enumerate(BASE_SHAPES)} | {
    text.replace("_1", "_0"): i for i, text in enumerate(BASE_SHAPES)
}
"""The formula shapes of the synthetic organization, also with one measure in both places
(anything else is refused)."""


class Tables:
    """The definitions as plain columns, shared by the pandas and DuckDB versions."""

    def __init__(self, spec: ScorecardSpec) -> None:
        depth = {u.code: 0 for u in spec.units if u.parent is None}
        for u in spec.units:  # parents come first
            if u.parent is not None:
                depth[u.code] = depth[u.parent] + 1
        unit_of = {o.code: o.unit for o in spec.objectives}
        measure_unit = {m.code: unit_of[m.objective] for m in spec.measures}
        self.edges: dict[str, list[Any]] = {"child": [], "parent": [], "depth": []}
        self.rollups: dict[str, list[Any]] = {"code": [], "method": []}
        self.formulas: dict[str, list[Any]] = {k: [] for k in ("code", "shape", "a", "b", "level")}
        formula_level: dict[str, int] = {}
        for m in spec.measures:
            if m.source is Source.ROLLUP:
                assert m.rollup is not None
                self.rollups["code"].append(m.code)
                self.rollups["method"].append(m.rollup.method.value)
            if m.cascades_from is not None:
                self.edges["child"].append(m.code)
                self.edges["parent"].append(m.cascades_from.measure)
                self.edges["depth"].append(depth[measure_unit[m.cascades_from.measure]])
            if m.source is Source.FORMULA:
                assert m.formula is not None
                shape, codes = fx.template(m.formula)
                a, b = codes[0], codes[-1]
                level = 1 + max(formula_level.get(a, -1), formula_level.get(b, -1))
                formula_level[m.code] = level
                for key, value in zip(
                    self.formulas, (m.code, SHAPES[shape], a, b, level), strict=True
                ):
                    self.formulas[key].append(value)
        self.measures = {
            "code": [m.code for m in spec.measures],
            "objective": [m.objective for m in spec.measures],
        }
        self.objectives = {
            "objective": [o.code for o in spec.objectives],
            "unit": [o.unit for o in spec.objectives],
            "perspective": [o.perspective for o in spec.objectives],
        }
        self.depths = sorted(set(self.edges["depth"]), reverse=True)


def observations(compiled: CompiledScorecard, grid: np.ndarray) -> dict[str, Any]:
    """The reported values as a long table (one row per present value)."""
    rows, months = np.nonzero(~np.isnan(grid))
    codes = np.array([m.code for m in compiled.measures], dtype=object)
    return {"measure": codes[rows], "month": months.astype(np.int64), "value": grid[rows, months]}


def with_pandas(tables: Tables, obs: dict[str, Any]) -> dict[str, Any]:
    """Values and scores at every level, as long tables."""
    import pandas as pd

    values = pd.DataFrame(obs)
    edges = pd.DataFrame(tables.edges)
    methods = pd.DataFrame(tables.rollups).set_index("code")["method"]
    for depth in tables.depths:  # the deepest parents first
        joined = edges[edges["depth"] == depth].merge(values, left_on="child", right_on="measure")
        grouped = joined.groupby(["parent", "month"])["value"]
        agg = grouped.agg(["sum", "mean", "min", "max", "count"]).reset_index()
        method = agg["parent"].map(methods)
        pick = {"sum": "sum", "average": "mean", "min": "min", "max": "max", "count": "count"}
        agg["value"] = np.select(
            [method == name for name in pick], [agg[col] for col in pick.values()], np.nan
        ).astype(np.float64)
        rolled = agg.loc[np.isfinite(agg["value"]), ["parent", "month", "value"]]
        values = pd.concat([values, rolled.rename(columns={"parent": "measure"})])
    formulas = pd.DataFrame(tables.formulas)
    for level in sorted(formulas["level"].unique()):
        f = formulas[formulas["level"] == level]
        joined = f.merge(values, left_on="a", right_on="measure").merge(
            values, left_on=["b", "month"], right_on=["measure", "month"], suffixes=("_a", "_b")
        )
        a, b, shape = joined["value_a"], joined["value_b"], joined["shape"]
        with np.errstate(all="ignore"):
            result = np.select(
                [shape == 0, shape == 1, shape == 2, shape == 3],
                [np.where(b == 0, np.nan, a / b) * 100, a - b, (a + b) / 2, np.where(a > b, a, b)],
            )
        out = pd.DataFrame({"measure": joined["code"], "month": joined["month"], "value": result})
        values = pd.concat([values, out[np.isfinite(out["value"])]])
    values["score"] = (values["value"] / 100.0 * 100.0).clip(0.0, 100.0)
    scored = values.merge(pd.DataFrame(tables.measures), left_on="measure", right_on="code")
    objective = scored.groupby(["objective", "month"])["score"].mean().reset_index()
    objective = objective.merge(pd.DataFrame(tables.objectives), on="objective")
    section = objective.groupby(["unit", "perspective", "month"])["score"].mean().reset_index()
    unit = section.groupby(["unit", "month"])["score"].mean().reset_index()
    return {
        "measure": (values["measure"], values["month"], values["value"], values["score"]),
        "objective": (objective["objective"], objective["month"], objective["score"]),
        "section": (section["unit"], section["perspective"], section["month"], section["score"]),
        "unit": (unit["unit"], unit["month"], unit["score"]),
    }


def with_duckdb(tables: Tables, obs: dict[str, Any]) -> dict[str, Any]:
    """The same in SQL, one statement per cascade level and formula level."""
    import duckdb
    import pandas as pd

    db = duckdb.connect()
    for name, columns in (
        ("obs", obs),
        ("edges", tables.edges),
        ("rollups", tables.rollups),
        ("formulas", tables.formulas),
        ("measures", tables.measures),
        ("objectives", tables.objectives),
    ):
        db.register(f"{name}_frame", pd.DataFrame(columns))
        db.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    db.execute("CREATE TABLE vals AS SELECT measure, month, value FROM obs")
    for depth in tables.depths:
        db.execute(
            """
            INSERT INTO vals
            SELECT parent, month, v FROM (
                SELECT e.parent, x.month, CASE any_value(r.method)
                    WHEN 'sum' THEN sum(x.value) WHEN 'average' THEN avg(x.value)
                    WHEN 'min' THEN min(x.value) WHEN 'max' THEN max(x.value)
                    ELSE count(x.value)::DOUBLE END AS v
                FROM edges e JOIN vals x ON x.measure = e.child
                JOIN rollups r ON r.code = e.parent
                WHERE e.depth = ? GROUP BY e.parent, x.month
            ) WHERE isfinite(v)
            """,
            [depth],
        )
    for level in sorted(set(tables.formulas["level"])):
        db.execute(
            """
            INSERT INTO vals
            SELECT code, month, v FROM (
                SELECT f.code, a.month, CASE f.shape
                    WHEN 0 THEN CASE WHEN b.value = 0 THEN NULL ELSE a.value / b.value * 100 END
                    WHEN 1 THEN a.value - b.value
                    WHEN 2 THEN (a.value + b.value) / 2
                    ELSE CASE WHEN a.value > b.value THEN a.value ELSE b.value END END AS v
                FROM formulas f JOIN vals a ON a.measure = f.a
                JOIN vals b ON b.measure = f.b AND b.month = a.month
                WHERE f.level = ?
            ) WHERE v IS NOT NULL AND isfinite(v)
            """,
            [level],
        )
    db.execute(
        """
        CREATE TABLE scores AS SELECT measure, month, value,
            greatest(0.0, least(100.0, value / 100.0 * 100.0)) AS score FROM vals;
        CREATE TABLE objective AS SELECT m.objective, s.month, avg(s.score) AS score
            FROM scores s JOIN measures m ON m.code = s.measure GROUP BY ALL;
        CREATE TABLE section AS SELECT o.unit, o.perspective, x.month, avg(x.score) AS score
            FROM objective x JOIN objectives o USING (objective) GROUP BY ALL;
        CREATE TABLE unit_score AS SELECT unit, month, avg(score) AS score
            FROM section GROUP BY ALL;
        """
    )

    def columns(sql: str) -> tuple[Any, ...]:
        frame = db.execute(sql).df()
        return tuple(frame[c] for c in frame.columns)

    return {
        "measure": columns("SELECT measure, month, value, score FROM scores"),
        "objective": columns("SELECT objective, month, score FROM objective"),
        "section": columns("SELECT unit, perspective, month, score FROM section"),
        "unit": columns("SELECT unit, month, score FROM unit_score"),
    }


def dense(
    keys: list[Any], index: dict[Any, int], months: Any, values: Any, shape: tuple[int, int]
) -> np.ndarray:
    """A long table back as a rows × months matrix (NaN where it has no row)."""
    out = np.full(shape, np.nan)
    rows = np.fromiter((index[k] for k in zip(*keys, strict=True)), np.int64, len(months))
    out[rows, np.asarray(months, dtype=np.int64)] = np.asarray(values, dtype=np.float64)
    return out


def differences(expected: np.ndarray, found: np.ndarray) -> tuple[int, int, float]:
    """Cells that differ in being missing, cells whose numbers differ beyond 1e-9 relative,
    and the largest absolute difference of numbers."""
    missing = np.isnan(expected) != np.isnan(found)
    both = ~np.isnan(expected) & ~np.isnan(found)
    gap = np.abs(expected[both] - found[both])
    beyond = gap > 1e-9 * np.maximum(1.0, np.abs(expected[both]))
    return int(missing.sum()), int(beyond.sum()), float(gap.max(initial=0.0))


def compare(c: CompiledScorecard, month: Any, found: dict[str, Any], name: str) -> bool:
    """Print how the long outputs of ``name`` agree with Trellis's matrices."""
    months = month.value.shape[1]
    perspectives = [p.code for p in c.spec.organization.perspectives]
    measure_rows = {(m.code,): i for i, m in enumerate(c.measures)}
    expected = {  # output → (its rows by key, Trellis's matrix, the column of the numbers)
        "measure values": ("measure", measure_rows, month.value, -2),
        "measure scores": ("measure", measure_rows, month.score, -1),
        "objective scores": (
            "objective",
            {(code,): i for i, code in enumerate(c.objective_codes)},
            month.objective_score,
            -1,
        ),
        "perspective scores": (  # row = unit index × perspectives + perspective index
            "section",
            {(u, p): i * len(perspectives) + k for i, u in enumerate(c.unit_codes)
             for k, p in enumerate(perspectives)},
            month.section_score,
            -1,
        ),
        "unit scores": (
            "unit", {(code,): i for i, code in enumerate(c.unit_codes)}, month.unit_score, -1
        ),
    }  # fmt: skip
    same = True
    for label, (output, index, matrix, column) in expected.items():
        columns = found[output]
        keys = columns[: -3 if output == "measure" else -2]
        month_column = columns[len(keys)]
        got = dense(list(keys), index, month_column, columns[column], (matrix.shape[0], months))
        missing, beyond, largest = differences(matrix, got)
        same = same and missing == 0 and beyond == 0
        print(
            f"  {name:7s} {label:19s} {np.count_nonzero(~np.isnan(matrix)):>11,} numbers: "
            f"{missing} missing/present differences, {beyond} beyond 1e-9 "
            f"(largest difference {largest:.1e})"
        )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--periods", type=int, default=36, help="months of data")
    args = parser.parse_args()
    try:
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        needs = "benchmarks/compare.py needs pandas and DuckDB: pip install -e '.[compare]'"
        raise SystemExit(needs) from None

    spec, compiled, horizon, targets, grid = synthetic.month_inputs(args.levels, args.periods)
    obs = observations(compiled, grid)
    tables = Tables(spec)
    print(
        f"{len(spec.units):,} units, {len(spec.measures):,} measures, "
        f"{obs['value'].size:,} observations × {horizon.months} months"
    )

    # The same long table, with each code as Trellis's reader gives it: the measure's row
    # (reading and validating a CSV into that form is measured by files.py).
    rows = np.fromiter(
        (compiled.measure_index[code] for code in obs["measure"]), np.int64, obs["value"].size
    )
    t0 = time.perf_counter()
    laid = np.full(grid.shape, np.nan)
    laid[rows, obs["month"]] = obs["value"]
    month = Evaluator(compiled, horizon, laid, targets).grain(Grain.MONTH)
    print(f"Trellis  month evaluation {time.perf_counter() - t0:8.2f} s")
    ok = True
    for name, run in (("pandas", with_pandas), ("DuckDB", with_duckdb)):
        t0 = time.perf_counter()
        found = run(tables, obs)
        print(f"{name:8s} month evaluation {time.perf_counter() - t0:8.2f} s")
        ok = compare(compiled, month, found, name) and ok
    print("every output agrees" if ok else "OUTPUTS DIFFER")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
