"""Weighted means of scores: objectives (level by level), sections, units.

Each roll-up is a CSR layout of components per owner, so a change recomputes only the
owners it reaches, with the same code as a full run.
"""

from __future__ import annotations

import numpy as np

from trellis.engine import scoring
from trellis.engine.combine import weighted_mean
from trellis.engine.compile import CompiledScorecard
from trellis.engine.grid import GrainResult, ranges
from trellis.engine.periods import FloatArray, IntArray
from trellis.engine.structure import MEASURE, OBJECTIVE, Components


def _ptr(comps: Components, owners: int) -> IntArray:
    return np.searchsorted(comps.owner, np.arange(owners + 1)).astype(np.int64)


class ScoreRollup:
    """Precomputed layouts of the score roll-ups of one compiled scorecard."""

    def __init__(self, compiled: CompiledScorecard) -> None:
        c = compiled
        self.c = c
        self.perspectives = len(c.spec.organization.perspectives)
        self.objective_ptr = _ptr(c.objective_components, len(c.objective_codes))
        self.section_ptr = _ptr(c.section_components, c.section_unit.size)
        self.unit_ptr = _ptr(c.unit_components, len(c.unit_codes))
        comps = c.objective_components
        children = comps.kind == OBJECTIVE
        order = np.argsort(comps.index[children], kind="stable")
        self.parent_of = comps.owner[children][order]
        child_sorted = comps.index[children][order]
        self.parent_ptr = np.searchsorted(
            child_sorted, np.arange(len(c.objective_codes) + 1)
        ).astype(np.int64)
        levels = c.objective_level
        self.by_level = (
            [np.flatnonzero(levels == lvl) for lvl in range(int(levels.max()) + 1)]
            if (levels.size)
            else []
        )

    def objectives_of(self, measure_rows: IntArray) -> IntArray:
        """Objectives whose score depends on the measures, with their ancestors."""
        start = np.unique(self.c.measure_objective[measure_rows])
        start = start[start >= 0]
        seen = np.zeros(len(self.c.objective_codes), dtype=bool)
        seen[start] = True
        frontier = start
        while frontier.size:
            positions, _, _ = ranges(self.parent_ptr, frontier)
            parents = np.unique(self.parent_of[positions])
            frontier = parents[~seen[parents]]
            seen[frontier] = True
        return np.flatnonzero(seen)

    def run(self, out: GrainResult, measure_rows: IntArray | None) -> None:
        """Recompute objectives, sections and units (all, or those the measures reach)."""
        c = self.c
        bands = c.spec.organization.bands
        green, amber = np.asarray(bands.green), np.asarray(bands.amber)
        objectives = None if measure_rows is None else self.objectives_of(measure_rows)
        sources = {0: out.score, 1: out.objective_score, 2: out.section_score}
        for level, level_owners in enumerate(self.by_level):
            owners = (
                level_owners
                if objectives is None
                else objectives[c.objective_level[objectives] == level]
            )
            self._mean(
                c.objective_components,
                self.objective_ptr,
                owners,
                sources,
                out.objective_score,
                out.objective_status,
                green,
                amber,
            )
        if objectives is None:
            sections = np.arange(c.section_unit.size)
            units = np.arange(len(c.unit_codes))
        else:
            sections = np.unique(
                c.objective_unit[objectives] * self.perspectives
                + c.objective_perspective[objectives]
            )
            units = np.unique(c.section_unit[sections])
        self._mean(
            c.section_components,
            self.section_ptr,
            sections,
            sources,
            out.section_score,
            out.section_status,
            green,
            amber,
        )
        self._mean(
            c.unit_components,
            self.unit_ptr,
            units,
            sources,
            out.unit_score,
            out.unit_status,
            green,
            amber,
        )

    @staticmethod
    def _mean(
        comps: Components,
        ptr: IntArray,
        owners: IntArray,
        sources: dict[int, FloatArray],
        score_out: FloatArray,
        status_out: np.ndarray,
        green: np.ndarray,
        amber: np.ndarray,
    ) -> None:
        if owners.size == 0:
            return
        score_out[owners] = np.nan
        status_out[owners] = scoring.Status.NO_DATA
        positions, with_items, starts = ranges(ptr, owners)
        if with_items.size == 0:
            return
        kind, index = comps.kind[positions], comps.index[positions]
        kinds = np.unique(kind)
        if kinds.size == 1:
            values = sources[int(kinds[0])][index]
        else:
            values = np.empty((positions.size, score_out.shape[1]))
            for k in kinds:
                sel = kind == k
                values[sel] = sources[int(k)][index[sel]]
        mean, _ = weighted_mean(values, comps.weight[positions], starts)
        score_out[with_items] = mean
        status_out[with_items] = scoring.status(mean, ~np.isnan(mean), green, amber)


__all__ = ["MEASURE", "ScoreRollup"]
