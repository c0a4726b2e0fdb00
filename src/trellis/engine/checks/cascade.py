"""Vertical alignment: orphans, gaps, identical cascades, commitments, duplicates."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from trellis.engine.checks.context import Context
from trellis.engine.findings import Finding, error, warning
from trellis.engine.periods import Calendar, PeriodError, grain_of_frequency
from trellis.engine.spec import CascadeMode, Measure, Polarity, RollupMethod, Source
from trellis.engine.targets import Horizon, build_grid


def orphans_and_gaps(ctx: Context) -> list[Finding]:
    """A non-root unit's objective that supports nothing; a parent objective nobody supports."""
    findings: list[Finding] = []
    for o in ctx.objectives.values():
        if not o.active:
            continue
        unit = ctx.units.get(o.unit)
        if unit is not None and unit.parent and not o.supports:
            findings.append(
                warning(
                    "orphan-objective",
                    "supports no objective of a parent "
                    "unit, so it does not link up to the strategy",
                    o.code,
                    o.location,
                )
            )
        if ctx.children.get(o.unit) and not any(s.active for s in ctx.supporters.get(o.code, [])):
            findings.append(
                warning(
                    "cascade-gap",
                    "no objective of a child unit supports it "
                    f"(child units: {', '.join(ctx.children[o.unit])})",
                    o.code,
                    o.location,
                )
            )
    return findings


def identical_cascades(ctx: Context) -> list[Finding]:
    """An ``identical`` cascade may not change polarity, unit of measure or aggregation."""
    findings: list[Finding] = []
    for m in ctx.measures.values():
        link = m.cascades_from
        parent = ctx.measures.get(link.measure) if link else None
        if link is None or parent is None or link.mode is not CascadeMode.IDENTICAL:
            continue
        for key in ("polarity", "unit_of_measure", "aggregation"):
            mine, theirs = getattr(m, key), getattr(parent, key)
            if key in m.set_fields and mine != theirs:
                findings.append(
                    error(
                        "cascade-mismatch",
                        f"is an identical cascade of '{parent.code}' but its {key} is "
                        f"'{_text(mine)}' where the parent's is '{_text(theirs)}'",
                        m.code,
                        m.location.at(key),
                    )
                )
    return findings


def _text(value: object) -> str:
    return str(getattr(value, "value", value))


def commitments(ctx: Context) -> list[Finding]:
    """Contributing targets that cannot reach (or overshoot) the roll-up's target."""
    findings: list[Finding] = []
    calendar = Calendar(ctx.spec.organization.fiscal_year_start)
    for parent in ctx.measures.values():
        children = ctx.contributors.get(parent.code, [])
        if parent.source is not Source.ROLLUP or not children or parent.target is None:
            continue
        rollup = parent.rollup
        method = rollup.method if rollup else RollupMethod.SUM
        if method in (RollupMethod.COUNT, RollupMethod.WEIGHTED_AVERAGE):
            continue
        if any(c.target is None for c in children):
            continue
        involved = [parent, *children]
        if _constant_commitment(parent, children, method, findings):
            continue
        horizon = _horizon(involved, calendar)
        grid = build_grid(involved, "target", calendar, horizon).dense()
        ends = ~np.isnan(grid[0])
        kids = grid[1:][:, ends]
        if kids.size == 0 or np.isnan(kids).any():
            continue
        combined = {
            RollupMethod.SUM: kids.sum(axis=0),
            RollupMethod.AVERAGE: kids.mean(axis=0),
            RollupMethod.MIN: kids.min(axis=0),
            RollupMethod.MAX: kids.max(axis=0),
        }[method]
        wanted = grid[0][ends]
        lower_is_better = parent.polarity is Polarity.DOWN
        short = combined > wanted if lower_is_better else combined < wanted
        over = combined < wanted if lower_is_better else combined > wanted
        months = np.flatnonzero(ends) + horizon.first
        tolerance = 1e-9 * np.maximum(1.0, np.abs(wanted))
        for code, mask, verb in (
            ("under-commitment", short & (np.abs(combined - wanted) > tolerance), "fall short of"),
            ("over-commitment", over & (np.abs(combined - wanted) > tolerance), "overshoot"),
        ):
            if mask.any():
                first = int(np.flatnonzero(mask)[0])
                label = calendar.period(
                    grain_of_frequency(parent.frequency), int(months[first])
                ).label
                constant = all(
                    m.target is not None and m.target.constant is not None for m in involved
                )
                when = (
                    "in every period"
                    if constant
                    else f"in {label}"
                    + (f" and {int(mask.sum()) - 1} more period(s)" if mask.sum() > 1 else "")
                )
                findings.append(
                    warning(
                        code,
                        f"the {method.value} of the contributing targets "
                        f"({combined[first]:g}) would {verb} its target ({wanted[first]:g}) "
                        + when,
                        parent.code,
                        parent.location.at("target"),
                    )
                )
    return findings


_COMBINE: dict[RollupMethod, Callable[..., Any]] = {
    RollupMethod.SUM: np.sum,
    RollupMethod.AVERAGE: np.mean,
    RollupMethod.MIN: np.min,
    RollupMethod.MAX: np.max,
}


def _constant_commitment(
    parent: Measure, children: list[Measure], method: RollupMethod, findings: list[Finding]
) -> bool:
    """The check of :func:`commitments` where every target involved is one constant and
    every measure has the parent's frequency (most cascades): the same arithmetic on the
    constants, without laying them on a grid of months. False when that is not the case."""
    months = parent.frequency.months
    targets = []
    for m in (parent, *children):
        t = m.target
        if t is None or t.constant is None or t.by_period or t.glide is not None:
            return False
        if m.frequency.months != months:
            return False
        targets.append(t.constant)
    kids = np.array(targets[1:], dtype=np.float64)[:, None]
    combined = float(_COMBINE[method](kids, axis=0)[0])  # as on the grid, column by column
    wanted = float(targets[0])
    down = parent.polarity is Polarity.DOWN
    tolerance = 1e-9 * max(1.0, abs(wanted))
    if abs(combined - wanted) <= tolerance or combined == wanted:
        return True
    short = combined > wanted if down else combined < wanted
    code, verb = (
        ("under-commitment", "fall short of") if short else ("over-commitment", "overshoot")
    )
    findings.append(
        warning(
            code,
            f"the {method.value} of the contributing targets ({combined:g}) would {verb} "
            f"its target ({wanted:g}) in every period",
            parent.code,
            parent.location.at("target"),
        )
    )
    return True


def _horizon(measures: list[Measure], calendar: Calendar) -> Horizon:
    """The fiscal years named by any per-period target or glide (one year if none)."""
    months: list[int] = []
    for m in measures:
        series = m.target
        if series is not None:
            labels = list(series.by_period)
            if series.glide is not None:
                labels += [series.glide.start, series.glide.end]
            for label in labels:
                try:
                    period = calendar.parse(label)
                except PeriodError:
                    continue
                months += [period.start, period.end]
    if not months:
        months = [calendar.fiscal_year_first_month(2000)]  # constants: any one year will do
    return Horizon(*calendar.fiscal_years_span(min(months), max(months)))


_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def _normalized(name: str, known: dict[str, str]) -> str:
    """A name as compared between siblings (once per distinct name of the scorecard)."""
    found = known.get(name)
    if found is None:
        found = known[name] = _NOT_ALPHANUMERIC.sub(" ", name.lower()).strip()
    return found


def duplicates(ctx: Context) -> list[Finding]:
    """Measures with the same name in sibling units that are not declared ``identical``."""
    findings: list[Finding] = []
    by_parent_and_name: dict[tuple[str, str], list[Measure]] = defaultdict(list)
    names: dict[str, str] = {}
    for m in ctx.measures.values():
        if not m.active:
            continue
        unit = ctx.units.get(ctx.unit_of_measure(m) or "")
        if unit is not None and unit.parent:
            by_parent_and_name[(unit.parent, _normalized(m.name, names))].append(m)
    for (_, _name), group in by_parent_and_name.items():
        if len(group) < 2:
            continue
        units = {ctx.unit_of_measure(m) for m in group}
        if len(units) < 2:
            continue
        sources = {
            m.cascades_from.measure
            for m in group
            if m.cascades_from and m.cascades_from.mode is CascadeMode.IDENTICAL
        }
        declared = (
            all(m.cascades_from and m.cascades_from.mode is CascadeMode.IDENTICAL for m in group)
            and len(sources) == 1
        )
        if declared:
            continue
        for m in group[1:]:
            findings.append(
                warning(
                    "duplicate-measure",
                    f"'{m.name}' is also measured in sibling unit(s) "
                    f"{', '.join(sorted(u for u in units if u != ctx.unit_of_measure(m) and u))}; "
                    "declare both as identical cascades of one parent measure",
                    m.code,
                    m.location,
                )
            )
    return findings
