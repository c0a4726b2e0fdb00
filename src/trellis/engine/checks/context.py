"""Lookups shared by the checks, built once per run and tolerant of broken definitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from trellis.engine import formula as fx
from trellis.engine.findings import Finding, error
from trellis.engine.graph import build_graph, cycles
from trellis.engine.resolve import resolved_measures
from trellis.engine.spec import CascadeMode, Location, Measure, Objective, ScorecardSpec, Unit


@dataclass
class Context:
    """Indexes of a (possibly broken) scorecard: first definition wins on duplicates."""

    spec: ScorecardSpec
    units: dict[str, Unit] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    measures_of: dict[str, list[Measure]] = field(default_factory=lambda: defaultdict(list))
    objectives_of: dict[str, list[Objective]] = field(default_factory=lambda: defaultdict(list))
    supporters: dict[str, list[Objective]] = field(default_factory=lambda: defaultdict(list))
    drivers: dict[str, list[Objective]] = field(default_factory=lambda: defaultdict(list))
    contributors: dict[str, list[Measure]] = field(default_factory=lambda: defaultdict(list))
    """Active measures that cascade into each measure (identical or contributing: their
    values roll up into it), in the order of the scorecard."""
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _codes: dict[str, list[str] | None] = field(default_factory=dict)

    @classmethod
    def build(cls, spec: ScorecardSpec) -> Context:
        """Index a scorecard."""
        ctx = cls(spec)
        for unit in spec.units:
            ctx.units.setdefault(unit.code, unit)
        for unit in ctx.units.values():
            if unit.parent:
                ctx.children[unit.parent].append(unit.code)
        for objective in spec.objectives:
            ctx.objectives.setdefault(objective.code, objective)
        for objective in ctx.objectives.values():
            ctx.objectives_of[objective.unit].append(objective)
            for link in objective.supports:
                ctx.supporters[link.objective].append(objective)
            for code in objective.drives:
                ctx.drivers[code].append(objective)
        # Identical cascades are checked with the settings they inherit.
        for measure in resolved_measures(spec):
            ctx.measures.setdefault(measure.code, measure)
        for measure in ctx.measures.values():
            ctx.measures_of[measure.objective].append(measure)
            cascade = measure.cascades_from
            if cascade and cascade.mode is not CascadeMode.DERIVED and measure.active:
                ctx.contributors[cascade.measure].append(measure)
        return ctx

    def ancestors(self, unit: str) -> tuple[str, ...]:
        """Proper ancestors of a unit, nearest first (stops on a cycle); found once per
        unit (checks ask for a unit's ancestors once per link that starts in it)."""
        found = self._ancestors.get(unit)
        if found is None:
            out: list[str] = []
            current = self.units.get(unit)
            while current is not None and current.parent and current.parent not in out:
                if current.parent == unit:
                    break
                out.append(current.parent)
                current = self.units.get(current.parent)
            found = self._ancestors[unit] = tuple(out)
        return found

    def codes_of(self, formula: str) -> list[str]:
        """The codes a formula names (:func:`trellis.engine.formula.codes_of`), found once
        per formula text: several checks read every formula. Raises as that does."""
        if formula not in self._codes:
            try:
                self._codes[formula] = fx.codes_of(formula)
            except fx.FormulaError:
                self._codes[formula] = None
                raise
        found = self._codes[formula]
        return fx.codes_of(formula) if found is None else found  # None: raises again

    def unit_of_measure(self, measure: Measure) -> str | None:
        """The unit whose scorecard holds a measure."""
        objective = self.objectives.get(measure.objective)
        return objective.unit if objective else None

    def active_measures(self, objective: str) -> list[Measure]:
        """Active measures of an objective."""
        return [m for m in self.measures_of.get(objective, []) if m.active]

    def perspective_order(self) -> dict[str, int]:
        """Position of each perspective from the bottom of the map."""
        return {p.code: i for i, p in enumerate(self.spec.organization.perspectives)}


def cycle_findings(
    code: str,
    message: str,
    codes: list[str],
    edges: list[tuple[int, int]],
    where: Callable[[str], Location],
) -> list[Finding]:
    """One error per cycle in a graph over ``codes``: ``message`` followed by the path
    ``A → B → A``, located at the first object of the cycle."""
    findings: list[Finding] = []
    for cycle in cycles(build_graph(len(codes), edges)):
        path = " → ".join(codes[i] for i in cycle + cycle[:1])
        first = codes[cycle[0]]
        findings.append(error(code, f"{message}: {path}", first, where(first)))
    return findings
