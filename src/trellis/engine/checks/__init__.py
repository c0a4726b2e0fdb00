"""Alignment checks: a linter for strategy that reports every finding with its location.

Each check is a function of a :class:`~trellis.engine.checks.context.Context` returning
findings; :func:`run_checks` runs them all and turns a crashing check into a finding.
"""

from __future__ import annotations

from collections.abc import Callable

from trellis.engine import collector
from trellis.engine.checks import cascade, design, formulas, references, scoring
from trellis.engine.checks.context import Context
from trellis.engine.findings import Finding, error
from trellis.engine.spec import ScorecardSpec

Check = Callable[[Context], list[Finding]]

CHECKS: tuple[Check, ...] = (
    references.duplicate_codes,
    references.unknown_references,
    references.unit_tree,
    references.link_targets,
    formulas.formulas,
    formulas.dependency_cycles,
    formulas.rollups,
    scoring.weights,
    scoring.scoring_parameters,
    scoring.target_periods,
    cascade.identical_cascades,
    cascade.orphans_and_gaps,
    cascade.commitments,
    cascade.duplicates,
    design.objectives,
    design.measures,
    design.scorecards,
    design.strategy_map,
)


def run_checks(spec: ScorecardSpec) -> list[Finding]:
    """Run every check; never stops at the first finding or at a crashing check."""
    with collector.paused():
        return _run_checks(spec)


def _run_checks(spec: ScorecardSpec) -> list[Finding]:
    try:
        ctx = Context.build(spec)
    except Exception as exc:  # noqa: BLE001 - reported as a finding, by design
        return [error("check-crashed", f"could not index the scorecard: {exc!r}")]
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(ctx))
        except Exception as exc:  # noqa: BLE001 - a crashing check becomes a finding
            findings.append(error("check-crashed", f"check {check.__name__} failed: {exc!r}"))
    return sorted(findings, key=Finding.sort_key)
