"""Scorecard design: measures per objective, owners, targets, perspectives, the strategy map."""

from __future__ import annotations

from trellis.engine.checks.context import Context, cycle_findings
from trellis.engine.findings import Finding, info, warning
from trellis.engine.spec import Kind, Measure, Method, Polarity, ScoreFrom


def objectives(ctx: Context) -> list[Finding]:
    """Objectives without measures, with only lagging measures, or with too many."""
    findings: list[Finding] = []
    limit = ctx.spec.organization.limits.measures_per_objective
    for o in ctx.objectives.values():
        if not o.active:
            continue
        measures = ctx.active_measures(o.code)
        supported = any(s.active for s in ctx.supporters.get(o.code, []))
        if not measures:
            if o.score_from in (ScoreFrom.MEASURES, ScoreFrom.BOTH) or not supported:
                findings.append(
                    warning(
                        "objective-without-measures",
                        "has no active measure"
                        + (
                            ""
                            if supported
                            else " and no supporting objective, so it cannot be scored"
                        ),
                        o.code,
                        o.location,
                    )
                )
            continue
        # An objective that other objectives drive has its leading indicators in them.
        driven = any(d.active for d in ctx.drivers.get(o.code, []))
        if all(m.kind is Kind.LAGGING for m in measures) and not driven:
            findings.append(
                warning(
                    "only-lagging",
                    f"all {len(measures)} measure(s) are lagging and no objective drives it; "
                    "add a leading measure or a cause-and-effect link from a driver",
                    o.code,
                    o.location,
                )
            )
        scored = _scored(measures)
        if scored > limit:
            findings.append(
                warning(
                    "too-many-measures-objective",
                    f"has {scored} scored measures (more than {limit})",
                    o.code,
                    o.location,
                )
            )
    return findings


def _scored(measures: list[Measure]) -> int:
    """How many of the measures count towards a score (``scoring: none`` inputs of formulas
    are raw data, not measures people are judged by)."""
    return sum(1 for m in measures if m.scoring.method is not Method.NONE)


def measures(ctx: Context) -> list[Finding]:
    """Measures without a target or without an owner."""
    findings: list[Finding] = []
    for m in ctx.measures.values():
        if not m.active:
            continue
        method = m.scoring.method
        has_band = m.scoring.band is not None and (
            m.polarity is Polarity.BAND or method is Method.BAND
        )
        if m.target is None and method is not Method.NONE and not has_band:
            findings.append(
                warning(
                    "measure-without-target",
                    "has no target, so it cannot be scored (status no-target)",
                    m.code,
                    m.location,
                )
            )
        if not m.owner:
            findings.append(
                warning("measure-without-owner", "has no owner to report it", m.code, m.location)
            )
    return findings


def scorecards(ctx: Context) -> list[Finding]:
    """Per unit: every perspective has an objective; not too many measures."""
    findings: list[Finding] = []
    limit = ctx.spec.organization.limits.measures_per_scorecard
    for unit in ctx.units.values():
        active = [o for o in ctx.objectives_of.get(unit.code, []) if o.active]
        used = {o.perspective for o in active}
        for p in ctx.spec.organization.perspectives:
            if p.code not in used:
                findings.append(
                    warning(
                        "empty-perspective",
                        f"the {p.name} perspective has no objective on this scorecard",
                        unit.code,
                        unit.location,
                    )
                )
        count = sum(_scored(ctx.active_measures(o.code)) for o in active)
        if count > limit:
            findings.append(
                warning(
                    "too-many-measures-scorecard",
                    f"the scorecard has {count} scored measures (more than {limit})",
                    unit.code,
                    unit.location,
                )
            )
    return findings


def strategy_map(ctx: Context) -> list[Finding]:
    """``drives`` arrows: no cycles, and not pointing down the map."""
    findings: list[Finding] = []
    order = ctx.perspective_order()
    codes = list(ctx.objectives)
    index = {c: i for i, c in enumerate(codes)}
    edges = []
    for o in ctx.objectives.values():
        for code in o.drives:
            target = ctx.objectives.get(code)
            if target is None:
                continue
            edges.append((index[o.code], index[code]))
            if order.get(target.perspective, 0) < order.get(o.perspective, 0):
                findings.append(
                    warning(
                        "drives-downward",
                        f"drives '{code}' in {target.perspective}, below its own "
                        f"perspective {o.perspective}; cause-and-effect arrows point up the map",
                        o.code,
                        o.location.at("drives"),
                    )
                )
    findings += cycle_findings(
        "drives-cycle",
        "cause-and-effect arrows form a cycle",
        codes,
        edges,
        lambda code: ctx.objectives[code].location.at("drives"),
    )
    for unit in ctx.units.values():
        active = [o for o in ctx.objectives_of.get(unit.code, []) if o.active]
        if len(active) >= 4 and not any(o.drives for o in active):
            findings.append(
                info(
                    "map-without-links",
                    "the strategy map has no cause-and-effect arrows (drives)",
                    unit.code,
                    unit.location,
                )
            )
    return findings
