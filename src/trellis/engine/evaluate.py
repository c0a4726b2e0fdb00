"""Compiled scorecard + observations → values, targets, scores and statuses per grain.

One grain (month, quarter, half, year or year-to-date) is computed at a time, for all measures
and all periods of the horizon at once:

1. reported measures: native values aggregated into the grain's periods (or carried forward
   when the grain is finer than the measure's frequency, marked stale when late);
2. computed measures, one topological level at a time: formula groups and roll-up groups
   evaluated on the inputs *at this grain* (a ratio of sums, never an average of ratios);
3. scores and statuses of every measure;
4. weighted means of scores: objectives (by level), sections (unit × perspective), units.

Every step takes an optional set of rows so that a change re-evaluates only what it affects,
with exactly the same code path as a full run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial

import numpy as np
import numpy.typing as npt

from trellis.engine import scoring
from trellis.engine.aggregation import (
    block_aggregate,
    carry_forward,
    expected_points,
    ytd_aggregate,
)
from trellis.engine.combine import rollup
from trellis.engine.compile import AGGREGATIONS, CompiledScorecard, RollupGroup
from trellis.engine.flags import FLAG_INVALID, FLAG_PARTIAL, FLAG_STALE
from trellis.engine.formula import TimeAxis
from trellis.engine.formula import evaluate as evaluate_formula
from trellis.engine.grid import GrainResult, RowSubset, new_result, ranges
from trellis.engine.periods import FloatArray, Grain, IntArray, Period
from trellis.engine.score_rollup import ScoreRollup
from trellis.engine.scoring import Int8Array
from trellis.engine.spec import Method
from trellis.engine.targets import LEVELS, Horizon, TargetGrid, native_ends

GRAIN_ORDER = (Grain.YEAR, Grain.HALF, Grain.QUARTER, Grain.MONTH, Grain.YTD)
"""Coarser grains first: finer ones carry computed values forward from them."""

METHOD = scoring.METHOD_CODES
INHERITED_FLAGS = FLAG_STALE | FLAG_PARTIAL
BLOCK_ROWS = 16384
"""Rows scored at once in a full run: small temporaries are reused, large ones are not."""


def _group_index(size: int, groups: list[IntArray]) -> tuple[IntArray, IntArray]:
    """For each row: the group holding it (-1 for none) and its position inside the group."""
    group = np.full(size, -1, dtype=np.int64)
    position = np.full(size, -1, dtype=np.int64)
    for g, rows in enumerate(groups):
        group[rows] = g
        position[rows] = np.arange(rows.size)
    return group, position


def _invalid_to_missing(out: GrainResult, rows: IntArray | slice, values: FloatArray) -> None:
    """Values too large for a number (a sum over time that overflowed, or an infinity
    stored from outside Trellis) become missing with the ``invalid-number`` flag."""
    overflow = np.isinf(values)
    if overflow.any():
        out.value[rows] = np.where(overflow, np.nan, values)
        out.flags[rows] |= np.where(overflow, FLAG_INVALID, 0).astype(np.uint8)


class Evaluator:
    """Holds the observation grid and computes grains on demand."""

    def __init__(
        self,
        compiled: CompiledScorecard,
        horizon: Horizon,
        observed: FloatArray,
        targets: dict[str, TargetGrid],
    ) -> None:
        c = compiled
        self.compiled = c
        self.horizon = horizon
        self.observed = observed
        self.targets = targets
        self.grains: dict[Grain, GrainResult] = {}
        self.ends = {f: native_ends(c.calendar, horizon, f) for f in (1, 3, 6, 12)}
        keys = c.frequency * 10 + c.aggregation
        self.time_keys = [int(k) for k in np.unique(keys)]
        self.time_rows = [np.flatnonzero(keys == k) for k in self.time_keys]
        self.time_group, self.time_pos = _group_index(c.size, self.time_rows)
        self.formula_group, self.formula_pos = _group_index(
            c.size, [g.rows for g in c.formula_groups]
        )
        self.rollup_group, self.rollup_pos = _group_index(c.size, [g.rows for g in c.rollup_groups])
        self.sparse: dict[str, npt.NDArray[np.bool_]] = {
            level: np.asarray(targets[level].native.position >= 0)
            for level in LEVELS
            if level != "target"
        }
        months = np.arange(horizon.first, horizon.last + 1)
        self.fiscal_year = np.array([c.calendar.fiscal_year_of(int(m)) for m in months])
        self.scores = ScoreRollup(c)

    # -- public ------------------------------------------------------------------------------
    def grain(self, grain: Grain) -> GrainResult:
        """The (cached) results of one grain."""
        if grain not in self.grains:
            for coarser in self._needed(grain):
                self.grain(coarser)
            c = self.compiled
            out = new_result(
                grain,
                self.periods(grain),
                c.size,
                len(c.objective_codes),
                c.section_unit.size,
                len(c.unit_codes),
                self.sparse,
            )
            self._compute(out, None)
            self.grains[grain] = out
        return self.grains[grain]

    def branch(self) -> Evaluator:
        """An evaluator that starts where this one is and changes on its own: what changes
        (the observation grid and every computed grain) is copied; the rest is shared."""
        other = copy.copy(self)
        other.observed = self.observed.copy()
        other.grains = {grain: copy.deepcopy(result) for grain, result in self.grains.items()}
        return other

    def update(self, rows: IntArray) -> None:
        """Recompute the given measure rows (and what rolls up from them) in cached grains."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        for grain in GRAIN_ORDER:
            if grain in self.grains:
                self._compute(self.grains[grain], rows)

    def periods(self, grain: Grain) -> list[Period]:
        """The periods of a grain over the horizon."""
        return self.compiled.calendar.periods(grain, self.horizon.first, self.horizon.last)

    # -- steps -------------------------------------------------------------------------------
    def _needed(self, grain: Grain) -> list[Grain]:
        if grain is Grain.YTD:
            return []
        lengths = np.unique(self.compiled.frequency[self.compiled.computed])
        return [
            g
            for g in (Grain.YEAR, Grain.HALF, Grain.QUARTER)
            if g.months > grain.months and g.months in lengths
        ]

    def _compute(self, out: GrainResult, rows: IntArray | None) -> None:
        view_ends = np.array([p.end - self.horizon.first for p in out.periods], dtype=np.int64)
        self._time(out, rows, view_ends)
        self._computed(out, rows, view_ends)
        self._score(out, rows)
        self.scores.run(out, rows)

    @staticmethod
    def _subsets(
        rows: IntArray | None, group_of: IntArray, position_of: IntArray, groups: list[IntArray]
    ) -> list[tuple[int, IntArray]]:
        """(group, sorted positions inside it) for every group holding some of ``rows``."""
        if rows is None:
            return [(g, np.arange(members.size)) for g, members in enumerate(groups)]
        ids = group_of[rows]
        return [(int(g), np.sort(position_of[rows[ids == g]])) for g in np.unique(ids[ids >= 0])]

    def _time(self, out: GrainResult, rows: IntArray | None, view_ends: IntArray) -> None:
        """Step 1: values and target levels from the native grids, per (frequency, aggregation)."""
        grain = out.grain
        copied = grain is Grain.MONTH and rows is None
        if copied:
            # Monthly measures at the month grain are their native grids: copy them whole.
            out.value[:] = self.observed
            out.flags[:] = 0
            _invalid_to_missing(out, slice(None), out.value)
            for level, grid in self.targets.items():
                if level == "target":
                    out.target[:] = np.nan
                    out.target[grid.native.rows] = grid.native.values
                else:
                    getattr(out, level).values[:] = grid.native.values
        for g, positions in self._subsets(rows, self.time_group, self.time_pos, self.time_rows):
            members = self.time_rows[g][positions]
            length, agg = self.time_keys[g] // 10, AGGREGATIONS[self.time_keys[g] % 10]
            if copied and length == 1:
                continue
            if grain is not Grain.YTD and length > grain.months:
                self._carry(out, members, length, view_ends)
                continue
            sources: list[tuple[str, FloatArray | RowSubset]] = [("value", self.observed)]
            sources += [(k, v.native) for k, v in self.targets.items()]
            for name, source in sources:
                if name in self.sparse:
                    chosen = members[self.sparse[name][members]]
                    if chosen.size == 0:
                        continue
                else:
                    chosen = members
                x = source.take(chosen) if isinstance(source, RowSubset) else source[chosen]
                if grain is Grain.MONTH:
                    values, present = x, None
                else:
                    w = (
                        ytd_aggregate(x, agg)
                        if grain is Grain.YTD
                        else block_aggregate(x, grain.months, agg)
                    )
                    values, present = w.values, w.present
                if name != "value":
                    out.put_level(name, chosen, values)
                    continue
                out.value[chosen] = values
                if present is None:
                    out.flags[chosen] = 0
                else:
                    block = None if grain is Grain.YTD else grain.months
                    expected = expected_points(self.ends[length], block)
                    partial = (present > 0) & (present < expected[None, :])
                    out.flags[chosen] = np.where(partial, FLAG_PARTIAL, 0)
                _invalid_to_missing(out, chosen, values)
            self._explicit(out, members)

    def _carry(self, out: GrainResult, members: IntArray, length: int, view_ends: IntArray) -> None:
        """A measure reporting less often than the grain shows its latest due value."""
        moved = carry_forward(self.observed[members], view_ends)
        assert moved.source is not None
        due = self._due_columns(view_ends, length)
        stale = (moved.source >= 0) & (moved.source < due[None, :])
        out.value[members] = moved.values
        out.flags[members] = np.where(stale, FLAG_STALE, 0)
        pick = np.where(moved.source >= 0, moved.source, due[None, :])
        for level, grid in self.targets.items():
            mask = self.sparse[level][members] if level in self.sparse else slice(None)
            chosen, where = members[mask], pick[mask]
            if chosen.size == 0:
                continue
            taken = np.take_along_axis(grid.native.take(chosen), np.maximum(where, 0), axis=1)
            out.put_level(level, chosen, np.where(where >= 0, taken, np.nan))

    def _explicit(self, out: GrainResult, rows: IntArray) -> None:
        """Targets set explicitly for a longer period than the measure's frequency."""
        for level, grid in self.targets.items():
            items = grid.explicit.get(out.grain)
            if not items:
                continue
            member = np.zeros(self.compiled.size, dtype=bool)
            member[rows] = True
            for row, col, value in items:
                if member[row] and 0 <= col < out.value.shape[1]:
                    if level == "target":
                        out.target[row, col] = value
                    else:
                        getattr(out, level).set(row, col, value)

    def _due_columns(self, view_ends: IntArray, length: int) -> IntArray:
        """Latest column closing a native period at or before each view end."""
        ends = np.flatnonzero(self.ends[length])
        pos = np.searchsorted(ends, view_ends, side="right") - 1
        return np.where(pos >= 0, ends[np.maximum(pos, 0)], -1)

    def _computed(self, out: GrainResult, rows: IntArray | None, view_ends: IntArray) -> None:
        """Step 2: formulas and roll-ups level by level, or carried from a coarser grain."""
        c = self.compiled
        grain = out.grain
        carried = np.zeros(c.size, dtype=bool)
        if grain is not Grain.YTD:
            carried = c.computed & (c.frequency > grain.months)
            targets = np.flatnonzero(carried) if rows is None else rows[carried[rows]]
            for length in np.unique(c.frequency[targets]):
                self._carry_computed(
                    out, targets[c.frequency[targets] == length], int(length), view_ends
                )
        axis = TimeAxis(fiscal_year=self.fiscal_year[view_ends], cumulative=grain is Grain.YTD)
        formula_sets = self._subsets(
            rows, self.formula_group, self.formula_pos, [g.rows for g in c.formula_groups]
        )
        rollup_sets = self._subsets(
            rows, self.rollup_group, self.rollup_pos, [g.rows for g in c.rollup_groups]
        )
        levels = sorted(
            {c.formula_groups[g].level for g, _ in formula_sets}
            | {c.rollup_groups[g].level for g, _ in rollup_sets}
        )
        for level in levels:
            for g, positions in formula_sets:
                fg = c.formula_groups[g]
                if fg.level != level:
                    continue
                kept = positions[~carried[fg.rows[positions]]]
                if kept.size == 0:
                    continue
                members, slots = fg.rows[kept], fg.slots[kept]
                env = {code: out.value[slots[:, i]] for i, code in enumerate(fg.codes)}
                result = evaluate_formula(fg.tree, env, axis, fg.ytd_aggregation)
                inherited = np.zeros(result.values.shape, dtype=np.uint8)
                for i in range(slots.shape[1]):
                    inherited |= out.flags[slots[:, i]] & INHERITED_FLAGS
                out.value[members] = result.values
                out.flags[members] = result.flags.astype(np.uint8) | inherited
            for g, positions in rollup_sets:
                rg = c.rollup_groups[g]
                if rg.level == level:
                    self._rollup_group(rg, positions[~carried[rg.rows[positions]]], out)

    def _rollup_group(self, rg: RollupGroup, positions: IntArray, out: GrainResult) -> None:
        if positions.size == 0:
            return
        ptr = np.append(rg.starts, rg.contributors.size)
        offsets, parents, starts = ranges(ptr, positions)
        empty = np.setdiff1d(positions, parents, assume_unique=True)
        out.value[rg.rows[empty]] = np.nan
        out.flags[rg.rows[empty]] = 0
        if parents.size == 0:
            return
        members = rg.contributors[offsets]
        weight_rows = rg.weights[offsets]
        weights = None
        if (weight_rows >= 0).any():
            weights = np.where(
                (weight_rows >= 0)[:, None], out.value[np.maximum(weight_rows, 0)], np.nan
            )
        combined = rollup(
            rg.method, out.value[members], weights, out.flags[members], starts, rg.require_all
        )
        out.value[rg.rows[parents]] = combined.values
        out.flags[rg.rows[parents]] = combined.flags

    def _carry_computed(
        self, out: GrainResult, rows: IntArray, length: int, view_ends: IntArray
    ) -> None:
        source = self.grains[{3: Grain.QUARTER, 6: Grain.HALF, 12: Grain.YEAR}[length]]
        month_grid = np.full((rows.size, self.horizon.months), np.nan)
        flag_grid = np.zeros((rows.size, self.horizon.months), np.uint8)
        cols = np.array([p.end - self.horizon.first for p in source.periods], dtype=np.int64)
        month_grid[:, cols] = source.value[rows]
        flag_grid[:, cols] = source.flags[rows]
        moved = carry_forward(month_grid, view_ends)
        assert moved.source is not None
        due = self._due_columns(view_ends, length)
        stale = (moved.source >= 0) & (moved.source < due[None, :])
        taken_flags = np.take_along_axis(flag_grid, np.maximum(moved.source, 0), axis=1)
        out.value[rows] = moved.values
        out.flags[rows] = np.where(moved.source >= 0, taken_flags, 0) | np.where(
            stale, FLAG_STALE, 0
        )

    def _score(self, out: GrainResult, rows: IntArray | None) -> None:
        """Step 3: scores and statuses of measure rows, one method at a time. A full run
        scores each method's contiguous rows through views, in blocks of rows so that the
        temporaries stay small and reuse the same memory."""
        c = self.compiled
        for name, code in METHOD.items():
            lo, hi = int(c.method_bounds[code]), int(c.method_bounds[code + 1])
            if rows is None:
                for start in range(lo, hi, BLOCK_ROWS):
                    self._score_rows(out, name, slice(start, min(start + BLOCK_ROWS, hi)))
            else:
                subset = rows[(rows >= lo) & (rows < hi)]
                if subset.size:
                    self._score_rows(out, name, subset)
        blocks = (
            [slice(start, start + BLOCK_ROWS) for start in range(0, c.size, BLOCK_ROWS)]
            if rows is None
            else [rows]
        )
        for every in blocks:
            out.status[every] = scoring.status(
                out.score[every],
                ~np.isnan(out.value[every]),
                c.green[every][:, None],
                c.amber[every][:, None],
                (c.method[every] == METHOD[Method.NONE])[:, None],
            )

    def _score_rows(self, out: GrainResult, name: Method, r: IntArray | slice) -> None:
        if name is Method.NONE:
            out.score[r] = np.nan
            return
        out.score[r] = method_score(
            self.compiled,
            name,
            r,
            out.value[r],
            out.target[r],
            lambda: out.baseline.take(r),
            lambda: out.minimum.take(r),
        )

    def score_values(
        self, grain: Grain, rows: IntArray, cols: IntArray, values: FloatArray
    ) -> tuple[FloatArray, Int8Array]:
        """Scores and status codes the given measure rows would get with these values in
        these columns of a grain (what a value being entered would score), changing
        nothing."""
        c = self.compiled
        out = self.grain(grain)
        score = np.full(rows.size, np.nan)
        for name, code in METHOD.items():
            sel = np.flatnonzero(c.method[rows] == code)
            if name is Method.NONE or not sel.size:
                continue
            r, j = rows[sel], cols[sel]
            score[sel] = method_score(
                c,
                name,
                r,
                values[sel][:, None],
                out.target[r, j][:, None],
                partial(_level_at, out.baseline, r, j),
                partial(_level_at, out.minimum, r, j),
            )[:, 0]
        status = scoring.status(
            score,
            ~np.isnan(values),
            c.green[rows],
            c.amber[rows],
            c.method[rows] == METHOD[Method.NONE],
        )
        return score, status


def _level_at(subset: RowSubset, rows: IntArray, cols: IntArray) -> FloatArray:
    """A target level (baseline, red flag) at one column per row, as a column vector."""
    return subset.take(rows)[np.arange(rows.size), cols][:, None]


def method_score(
    c: CompiledScorecard,
    name: Method,
    r: IntArray | slice,
    a: FloatArray,
    target: FloatArray,
    baseline: Callable[[], FloatArray],
    minimum: Callable[[], FloatArray],
) -> FloatArray:
    """Scores of measure rows ``r`` (values ``a``, rows × periods) by one scoring method,
    clamped to each row's cap; baseline and red-flag levels are fetched only when needed."""
    pol = c.polarity[r][:, None]
    if name is Method.LINEAR:
        s = scoring.linear(a, target, baseline(), pol)
    elif name is Method.RATIO:
        s = scoring.ratio(a, target, pol)
    elif name is Method.THRESHOLDS:
        s = scoring.thresholds(a, target, minimum(), pol)
    elif name is Method.BAND:
        lo, hi, tol = (x[r][:, None] for x in (c.band_lower, c.band_upper, c.band_tolerance))
        s = scoring.band(a, lo, hi, tol)
    else:
        s = scoring.binary(a, target, pol, c.band_lower[r][:, None], c.band_upper[r][:, None])
    return scoring.clamp(s, c.cap[r][:, None])
