"""Formulas and the dependency graph of computed measures."""

from __future__ import annotations

from trellis.engine import formula as fx
from trellis.engine.checks.context import Context, cycle_findings
from trellis.engine.findings import Finding, error, warning
from trellis.engine.spec import CascadeMode, Source


def formulas(ctx: Context) -> list[Finding]:
    """Formula syntax (with the position marked), unknown codes and misplaced formulas."""
    findings: list[Finding] = []
    for m in ctx.spec.measures:
        if m.source is Source.FORMULA and not (m.formula or "").strip():
            findings.append(
                error(
                    "missing-formula",
                    "source is formula but no formula is given",
                    m.code,
                    m.location.at("source"),
                )
            )
            continue
        if m.formula and m.source is not Source.FORMULA:
            findings.append(
                warning(
                    "unused-formula",
                    f"has a formula but source is '{m.source.value}'; the formula is ignored",
                    m.code,
                    m.location.at("formula"),
                )
            )
            continue
        if not m.formula:
            continue
        where = m.location.at("formula")
        try:
            codes = ctx.codes_of(m.formula)
        except fx.FormulaError as exc:
            findings.append(
                error(
                    "formula-syntax",
                    f"{exc.message} at column {exc.position + 1} of '{m.formula}'",
                    m.code,
                    where,
                )
            )
            continue
        if all(code in ctx.measures for code in codes):
            continue
        for ref in fx.references(fx.parse(m.formula)):  # each unknown one, where it is
            if ref.code not in ctx.measures:
                findings.append(
                    error(
                        "unknown-reference",
                        f"formula refers to unknown measure "
                        f"'{ref.code}' at column {ref.position + 1}",
                        m.code,
                        where,
                    )
                )
    return findings


def dependency_cycles(ctx: Context) -> list[Finding]:
    """Circular formulas and roll-ups (any mix of the two)."""
    codes = list(ctx.measures)
    index = {c: i for i, c in enumerate(codes)}
    edges: list[tuple[int, int]] = []
    for m in ctx.measures.values():
        if m.source is Source.FORMULA and m.formula:
            try:
                refs = ctx.codes_of(m.formula)
            except fx.FormulaError:
                continue
            edges += [(index[r], index[m.code]) for r in refs if r in index]
        link = m.cascades_from
        parent = ctx.measures.get(link.measure) if link else None
        if (
            link
            and parent
            and link.mode is not CascadeMode.DERIVED
            and parent.source is Source.ROLLUP
        ):
            edges.append((index[m.code], index[parent.code]))
        if m.source is Source.ROLLUP and m.rollup and m.rollup.weight_measure in index:
            edges.append((index[m.rollup.weight_measure], index[m.code]))
    return cycle_findings(
        "circular-dependency",
        "measures depend on each other in a circle",
        codes,
        edges,
        lambda code: ctx.measures[code].location,
    )


def rollups(ctx: Context) -> list[Finding]:
    """Roll-up measures need contributors of the same frequency."""
    findings: list[Finding] = []
    for m in ctx.measures.values():
        if m.source is not Source.ROLLUP:
            if m.rollup is not None:
                findings.append(
                    warning(
                        "unused-rollup",
                        f"has rollup settings but source is '{m.source.value}'",
                        m.code,
                        m.location.at("rollup"),
                    )
                )
            continue
        feeding = ctx.contributors.get(m.code, [])
        if not feeding:
            findings.append(
                warning(
                    "rollup-without-contributors",
                    "no measure cascades into "
                    "this roll-up (identical or contributing), so it has no "
                    "values",
                    m.code,
                    m.location.at("source"),
                )
            )
        for child in feeding:
            inherits = child.cascades_from is not None and (
                child.cascades_from.mode is CascadeMode.IDENTICAL
            )
            if child.frequency is not m.frequency and (
                "frequency" in child.set_fields or not inherits
            ):
                findings.append(
                    warning(
                        "rollup-frequency-mismatch",
                        f"reports per {child.frequency.value} but rolls up into '{m.code}', which "
                        f"reports per {m.frequency.value}",
                        child.code,
                        child.location.at("frequency"),
                    )
                )
    return findings
