"""Roll-up structure of scores: measures → objectives → perspectives (sections) → units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trellis.engine.graph import build_graph, topological_levels
from trellis.engine.periods import FloatArray, IntArray
from trellis.engine.scoring import METHOD_CODES
from trellis.engine.spec import Measure, Method, ScorecardSpec, ScoreFrom

MEASURE, OBJECTIVE, SECTION = 0, 1, 2
UNSCORED_METHOD = METHOD_CODES[Method.NONE]


@dataclass(frozen=True)
class Components:
    """Weighted components of a roll-up of scores, sorted by the owner they roll up into."""

    owner: IntArray
    kind: IntArray  # MEASURE, OBJECTIVE or SECTION
    index: IntArray
    weight: FloatArray

    def of(self, owner: int) -> range:
        """Positions of one owner's components."""
        lo, hi = np.searchsorted(self.owner, [owner, owner + 1])
        return range(int(lo), int(hi))


def _components(rows: list[tuple[int, int, int, float]]) -> Components:
    array = np.array(rows, dtype=np.float64).reshape(-1, 4)
    array = array[np.lexsort((array[:, 2], array[:, 1], array[:, 0]))]
    return Components(
        owner=array[:, 0].astype(np.int64),
        kind=array[:, 1].astype(np.int64),
        index=array[:, 2].astype(np.int64),
        weight=array[:, 3],
    )


def score_sources(
    spec: ScorecardSpec, measures: list[Measure], method: IntArray, active: np.ndarray
) -> dict[str, ScoreFrom]:
    """What each objective's score comes from, with ``auto`` resolved."""
    scored = {
        m.objective for i, m in enumerate(measures) if active[i] and method[i] != UNSCORED_METHOD
    }
    out: dict[str, ScoreFrom] = {}
    for o in spec.objectives:
        if o.score_from is ScoreFrom.AUTO:
            out[o.code] = ScoreFrom.MEASURES if o.code in scored else ScoreFrom.CHILDREN
        else:
            out[o.code] = o.score_from
    return out


def objective_components(
    spec: ScorecardSpec,
    measures: list[Measure],
    objective_index: dict[str, int],
    method: IntArray,
    active: np.ndarray,
) -> tuple[IntArray, Components, dict[str, ScoreFrom]]:
    """Components of every objective and the level at which it can be computed."""
    sources = score_sources(spec, measures, method, active)
    rows: list[tuple[int, int, int, float]] = []
    for i, m in enumerate(measures):
        owner = objective_index.get(m.objective, -1)
        if owner < 0 or not active[i] or method[i] == UNSCORED_METHOD:
            continue
        if sources[m.objective] in (ScoreFrom.MEASURES, ScoreFrom.BOTH):
            rows.append((owner, MEASURE, i, m.weight))
    edges: list[tuple[int, int]] = []
    for child in spec.objectives:
        if not child.active:
            continue
        for link in child.supports:
            parent = objective_index.get(link.objective, -1)
            if parent < 0 or sources[link.objective] not in (ScoreFrom.CHILDREN, ScoreFrom.BOTH):
                continue
            rows.append((parent, OBJECTIVE, objective_index[child.code], link.weight))
            edges.append((objective_index[child.code], parent))
    level = topological_levels(build_graph(len(spec.objectives), edges))
    return level, _components(rows), sources


def sections(
    spec: ScorecardSpec,
    unit_index: dict[str, int],
    objective_index: dict[str, int],
) -> tuple[IntArray, IntArray, Components, Components]:
    """Sections (unit × perspective) with their objectives, and units with their sections."""
    perspectives = spec.organization.perspectives
    count = len(perspectives)
    p_index = {p.code: i for i, p in enumerate(perspectives)}
    section_unit = np.repeat(np.arange(len(spec.units)), count).astype(np.int64)
    section_perspective = np.tile(np.arange(count), len(spec.units)).astype(np.int64)
    objective_rows = [
        (
            unit_index[o.unit] * count + p_index[o.perspective],
            OBJECTIVE,
            objective_index[o.code],
            o.weight,
        )
        for o in spec.objectives
        if o.active
    ]
    unit_rows = [
        (u, SECTION, u * count + p, spec.units[u].perspective_weights.get(per.code, per.weight))
        for u in range(len(spec.units))
        for p, per in enumerate(perspectives)
    ]
    return section_unit, section_perspective, _components(objective_rows), _components(unit_rows)
