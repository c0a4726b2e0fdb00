"""Results of an evaluation: records per level and period, incremental updates, explain."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from trellis.engine.compile import CompiledScorecard
from trellis.engine.evaluate import Evaluator
from trellis.engine.explain import Explanation, explain
from trellis.engine.findings import ScorecardError
from trellis.engine.flags import flag_names
from trellis.engine.graph import affected
from trellis.engine.grid import GrainResult
from trellis.engine.observations import from_tuples
from trellis.engine.periods import Grain, Period
from trellis.engine.scoring import STATUS_LABELS

LEVELS = ("measure", "objective", "perspective", "unit")
RECORD_KEYS = (
    "level",
    "code",
    "name",
    "unit",
    "period",
    "period_name",
    "value",
    "target",
    "score",
    "status",
    "flags",
)
"""Keys of every record, in output order."""

Record = dict[str, Any]


def _clean(value: float, digits: int) -> float | None:
    """Round for output; NaN and infinities never leave the engine."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


class Results:
    """Values, targets, scores and statuses of every level for every period of the horizon."""

    def __init__(self, compiled: CompiledScorecard, evaluator: Evaluator) -> None:
        self.compiled = compiled
        self.evaluator = evaluator

    # -- periods -----------------------------------------------------------------------------
    def period(self, label: str) -> Period:
        """Parse a period label with the organization's calendar."""
        return self.compiled.calendar.parse(label)

    def grain_for(self, label: str) -> tuple[GrainResult, int]:
        """The grain results holding a period and the period's column in them."""
        period = self.period(label)
        result = self.evaluator.grain(period.grain)
        try:
            return result, result.column(period.label)
        except KeyError:
            first = self.evaluator.periods(Grain.MONTH)
            raise ValueError(
                f"period {period.label} is outside the evaluated horizon "
                f"({first[0].label} to {first[-1].label})"
            ) from None

    def latest_period(self) -> str:
        """The last month with any observation (the natural "current" period)."""
        observed = ~np.isnan(self.evaluator.observed)
        cols = np.flatnonzero(observed.any(axis=0))
        months = self.evaluator.periods(Grain.MONTH)
        return months[int(cols[-1]) if cols.size else len(months) - 1].label

    # -- records -----------------------------------------------------------------------------
    def _units_in_scope(self, unit: str | None) -> np.ndarray:
        c = self.compiled
        scope = np.ones(len(c.unit_codes), dtype=bool)
        if unit is None:
            return scope
        if unit not in c.unit_index:
            raise KeyError(f"unknown unit '{unit}'")
        scope[:] = False
        scope[c.unit_index[unit]] = True
        changed = True
        while changed:
            inside = scope[np.maximum(c.unit_parent, 0)] & (c.unit_parent >= 0) & ~scope
            changed = bool(inside.any())
            scope |= inside
        return scope

    def records(
        self, level: str = "measure", period: str | None = None, unit: str | None = None
    ) -> list[Record]:
        """Records with keys level, code, name, unit, period (its label), period_name (as
        people read it), value, target, score, status, flags — for one level, one period
        (default: latest) and a unit's subtree."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        label = period or self.latest_period()
        result, col = self.grain_for(label)
        label = result.periods[col].label
        scope = self._units_in_scope(unit)
        c = self.compiled
        out: list[Record] = []
        if level == "measure":
            rows = c.definition_order
            for row in rows[(c.active & scope[np.maximum(c.measure_unit, 0)])[rows]]:
                m = c.measures[row]
                out.append(
                    _record(
                        "measure",
                        m.code,
                        m.name,
                        c.unit_codes[c.measure_unit[row]],
                        label,
                        _clean(result.value[row, col], m.decimals),
                        _clean(result.target[row, col], m.decimals),
                        result.score[row, col],
                        int(result.status[row, col]),
                        int(result.flags[row, col]),
                    )
                )
        elif level == "objective":
            for i, obj in enumerate(c.spec.objectives):
                if obj.active and scope[c.objective_unit[i]]:
                    out.append(
                        _record(
                            "objective",
                            obj.code,
                            obj.name,
                            obj.unit,
                            label,
                            None,
                            None,
                            result.objective_score[i, col],
                            int(result.objective_status[i, col]),
                            0,
                        )
                    )
        elif level == "perspective":
            perspectives = c.spec.organization.perspectives
            for s in range(c.section_unit.size):
                u = c.section_unit[s]
                if scope[u]:
                    p = perspectives[c.section_perspective[s]]
                    out.append(
                        _record(
                            "perspective",
                            p.code,
                            p.name,
                            c.unit_codes[u],
                            label,
                            None,
                            None,
                            result.section_score[s, col],
                            int(result.section_status[s, col]),
                            0,
                        )
                    )
        else:
            for u, unit_def in enumerate(c.spec.units):
                if scope[u]:
                    out.append(
                        _record(
                            "unit",
                            unit_def.code,
                            unit_def.name,
                            unit_def.code,
                            label,
                            None,
                            None,
                            result.unit_score[u, col],
                            int(result.unit_status[u, col]),
                            0,
                        )
                    )
        described = c.calendar.describe(result.periods[col])
        for record in out:
            record["period_name"] = described  # as people read it: FY2026 Q4 · Jan–Mar 2026
        return out

    def target_table(self) -> list[tuple[str, str, float | None, float | None, float | None]]:
        """Every target level per native period of each active measure (rounded)."""
        c = self.compiled
        ev = self.evaluator
        rows: list[tuple[str, str, float | None, float | None, float | None]] = []
        grids = [ev.targets[level].dense() for level in ("target", "minimum", "stretch")]
        for row in c.definition_order[c.active[c.definition_order]]:
            m = c.measures[row]
            grain = Grain(m.frequency.value)
            for col in np.flatnonzero(~np.isnan(grids[0][row]) | ~np.isnan(grids[1][row])):
                label = c.calendar.period(grain, int(col) + ev.horizon.first).label
                levels = [_clean(g[row, col], m.decimals + 2) for g in grids]
                rows.append((m.code, label, levels[0], levels[1], levels[2]))
        return rows

    # -- change ------------------------------------------------------------------------------
    def updated(self, observations: Iterable[Sequence[object]]) -> tuple[Results, list[str]]:
        """New results with changed observations applied (see :meth:`update`); these stay
        as they are, so that whoever is reading them meanwhile reads one consistent state.
        Returns the new results and the codes of the measures recomputed."""
        other = Results(self.compiled, self.evaluator.branch())
        return other, other.update(observations)

    def update(self, observations: Iterable[Sequence[object]]) -> list[str]:
        """Apply changed observations (a NaN/None value clears one) and re-evaluate only
        what they affect. Returns the codes of the measures recomputed."""
        c = self.compiled
        cleared: list[tuple[int, int]] = []
        kept: list[Sequence[object]] = []
        for item in observations:
            value = item[2]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                period = c.calendar.parse(str(item[1]))
                cleared.append((c.measure_index[str(item[0])], period.end))
            else:
                kept.append(item)
        valid, findings = from_tuples(kept, c.by_code, c.calendar)
        if findings:
            raise ScorecardError(findings)
        horizon = self.evaluator.horizon
        changed: list[int] = []
        for obs, end in zip(valid.items, valid.end_months, strict=True):
            col = horizon.column(end)
            if not 0 <= col < horizon.months:
                raise ValueError(f"period {obs.period} is outside the evaluated horizon")
            row = c.measure_index[obs.measure]
            self.evaluator.observed[row, col] = obs.value
            changed.append(row)
        for row, end in cleared:
            self.evaluator.observed[row, horizon.column(end)] = np.nan
            changed.append(row)
        rows = affected(c.dependency, changed)
        self.evaluator.update(rows)
        mask = np.zeros(c.size, dtype=bool)
        mask[rows] = True
        return [c.measures[r].code for r in c.definition_order[mask[c.definition_order]]]

    # -- explain -----------------------------------------------------------------------------
    def explain(self, code: str, period: str | None = None) -> Explanation:
        """The roll-up or formula behind one number (see :mod:`trellis.engine.explain`)."""
        return explain(self, code, period or self.latest_period())


def _record(
    level: str,
    code: str,
    name: str,
    unit: str,
    period: str,
    value: float | None,
    target: float | None,
    score: float,
    status: int,
    flags: int,
) -> Record:
    return {
        "level": level,
        "code": code,
        "name": name,
        "unit": unit,
        "period": period,
        "value": value,
        "target": target,
        "score": _clean(score, 2),
        "status": STATUS_LABELS[status],
        "flags": flag_names(flags),
    }
