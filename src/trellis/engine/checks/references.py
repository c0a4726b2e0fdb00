"""Duplicate codes, unknown references, the unit tree and where links may point."""

from __future__ import annotations

from trellis.engine.checks.context import Context, cycle_findings
from trellis.engine.findings import Finding, error
from trellis.engine.spec.location import Location


def duplicate_codes(ctx: Context) -> list[Finding]:
    """Codes must be unique: units among units; objectives and measures together."""
    findings: list[Finding] = []
    seen: dict[str, Location] = {}  # written out only for a duplicate
    for unit in ctx.spec.units:
        if unit.code in seen:
            findings.append(
                error(
                    "duplicate-code",
                    f"unit code '{unit.code}' is already used at {seen[unit.code]}",
                    unit.code,
                    unit.location,
                )
            )
        else:
            seen[unit.code] = unit.location
    seen = {}
    items = [("objective", o.code, o.location) for o in ctx.spec.objectives] + [
        ("measure", m.code, m.location) for m in ctx.spec.measures
    ]
    for kind, code, location in items:
        if code in seen:
            findings.append(
                error(
                    "duplicate-code",
                    f"{kind} code '{code}' is already used at {seen[code]}",
                    code,
                    location,
                )
            )
        else:
            seen[code] = location
    codes = [p.code for p in ctx.spec.organization.perspectives]
    for code in {c for c in codes if codes.count(c) > 1}:
        findings.append(
            error(
                "duplicate-code",
                f"perspective code '{code}' is listed twice",
                code,
                ctx.spec.organization.location.at("perspectives"),
            )
        )
    return findings


def unknown_references(ctx: Context) -> list[Finding]:
    """Every code that names a unit, perspective, objective or measure must exist."""
    findings: list[Finding] = []
    perspectives = {p.code for p in ctx.spec.organization.perspectives}

    def missing(kind: str, code: str, owner: str, where: object, key: str) -> None:
        location = where.at(key)  # type: ignore[attr-defined]
        findings.append(
            error("unknown-reference", f"{key} refers to unknown {kind} '{code}'", owner, location)
        )

    for unit in ctx.spec.units:
        if unit.parent and unit.parent not in ctx.units:
            missing("unit", unit.parent, unit.code, unit.location, "parent")
        for code in unit.perspective_weights:
            if code not in perspectives:
                missing("perspective", code, unit.code, unit.location, "perspective_weights")
    for o in ctx.spec.objectives:
        if o.unit not in ctx.units:
            missing("unit", o.unit, o.code, o.location, "unit")
        if o.perspective not in perspectives:
            missing("perspective", o.perspective, o.code, o.location, "perspective")
        for link in o.supports:
            if link.objective not in ctx.objectives:
                missing("objective", link.objective, o.code, o.location, "supports")
        for code in o.drives:
            if code not in ctx.objectives:
                missing("objective", code, o.code, o.location, "drives")
    for m in ctx.spec.measures:
        if m.objective not in ctx.objectives:
            missing("objective", m.objective, m.code, m.location, "objective")
        if m.cascades_from and m.cascades_from.measure not in ctx.measures:
            missing("measure", m.cascades_from.measure, m.code, m.location, "cascades_from")
        if m.rollup and m.rollup.weight_measure and m.rollup.weight_measure not in ctx.measures:
            missing("measure", m.rollup.weight_measure, m.code, m.location, "rollup")
    return findings


def unit_tree(ctx: Context) -> list[Finding]:
    """Units form one tree: no cycles, exactly one root."""
    codes = list(ctx.units)
    index = {c: i for i, c in enumerate(codes)}
    edges = [(index[u.parent], index[u.code]) for u in ctx.units.values() if u.parent in index]
    findings = cycle_findings(
        "unit-cycle",
        "units form a cycle",
        codes,
        edges,
        lambda code: ctx.units[code].location.at("parent"),
    )
    # A unit whose parent is unknown is reported as such; here it counts as a root.
    roots = [u for u in ctx.units.values() if not u.parent or u.parent not in ctx.units]
    if ctx.units and not roots and not findings:  # without a root there is a cycle
        findings.append(error("unit-cycle", "no unit is the root (every unit has a parent)"))
    for extra in [u for u in roots if not u.parent][1:]:
        findings.append(
            error(
                "multiple-roots",
                f"unit '{extra.code}' has no parent but "
                f"'{roots[0].code}' is already the root; give it a parent",
                extra.code,
                extra.location,
            )
        )
    return findings


def link_targets(ctx: Context) -> list[Finding]:
    """``supports`` and ``cascades_from`` point to an ancestor unit; ``drives`` stays inside
    the unit."""
    findings: list[Finding] = []
    for o in ctx.spec.objectives:
        ancestors = ctx.ancestors(o.unit) if o.supports else ()
        for link in o.supports:
            target = ctx.objectives.get(link.objective)
            known = o.unit in ctx.units and target is not None and target.unit in ctx.units
            if known and target is not None and target.unit not in ancestors:
                findings.append(
                    error(
                        "supports-non-ancestor",
                        f"supports '{target.code}' of unit '{target.unit}', which is not an "
                        f"ancestor of '{o.unit}'",
                        o.code,
                        link.location if link.location.file else o.location.at("supports"),
                    )
                )
        for code in o.drives:
            target = ctx.objectives.get(code)
            known = o.unit in ctx.units and target is not None and target.unit in ctx.units
            if known and target is not None and target.unit != o.unit:
                findings.append(
                    error(
                        "drives-other-unit",
                        f"drives '{code}' of unit '{target.unit}'; cause-and-effect arrows stay "
                        f"inside one unit's strategy map",
                        o.code,
                        o.location.at("drives"),
                    )
                )
    for m in ctx.spec.measures:
        cascade = m.cascades_from
        if cascade is None:
            continue
        parent = ctx.measures.get(cascade.measure)
        unit = ctx.unit_of_measure(m)
        if parent is None or unit is None:
            continue
        parent_unit = ctx.unit_of_measure(parent)
        if parent_unit is not None and parent_unit not in ctx.ancestors(unit):
            findings.append(
                error(
                    "cascade-non-ancestor",
                    f"cascades from '{parent.code}' of unit '{parent_unit}', which is not an "
                    f"ancestor of '{unit}'",
                    m.code,
                    m.location.at("cascades_from"),
                )
            )
    return findings
