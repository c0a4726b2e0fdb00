"""Weights, scoring parameters that contradict the polarity, and target periods."""

from __future__ import annotations

import math

from trellis.engine.checks.context import Context
from trellis.engine.findings import Finding, error, warning
from trellis.engine.periods import Calendar, Grain, PeriodError
from trellis.engine.spec import Location, Measure, Method, Objective, Polarity, TargetSeries


def weights(ctx: Context) -> list[Finding]:
    """Weights are finite and non-negative, and a group of weights may not be all zero."""
    findings: list[Finding] = []

    def check(owner: str, what: str, values: list[float], where: Location) -> None:
        if any(v < 0 or not math.isfinite(v) for v in values):
            findings.append(
                error("invalid-weight", f"{what}: weights must be zero or more", owner, where)
            )
        elif values and all(v == 0 for v in values):
            findings.append(error("invalid-weight", f"{what}: all weights are zero", owner, where))

    org = ctx.spec.organization
    check(
        "organization",
        "perspective weights",
        [p.weight for p in org.perspectives],
        org.location.at("perspectives"),
    )
    for unit in ctx.units.values():
        merged = {p.code: unit.perspective_weights.get(p.code, p.weight) for p in org.perspectives}
        if unit.perspective_weights:
            check(
                unit.code,
                "perspective weights",
                list(merged.values()),
                unit.location.at("perspective_weights"),
            )
    for o in ctx.objectives.values():
        measures = ctx.active_measures(o.code)
        for m in measures:
            if m.weight < 0:
                check(m.code, "measure weight", [m.weight], m.location.at("weight"))
        if measures and all(m.weight == 0 for m in measures):
            check(o.code, "weights of its measures", [m.weight for m in measures], o.location)
        if o.weight < 0:
            check(o.code, "objective weight", [o.weight], o.location.at("weight"))
        for link in o.supports:
            if link.weight < 0:
                check(
                    o.code,
                    f"weight of the link to {link.objective}",
                    [link.weight],
                    o.location.at("supports"),
                )
    sections: dict[tuple[str, str], list[Objective]] = {}
    for o in ctx.objectives.values():
        if o.active:
            sections.setdefault((o.unit, o.perspective), []).append(o)
    for (owner, perspective), listed in sections.items():
        if all(o.weight == 0 for o in listed):
            # Without this the perspective, and with it the unit, would silently show no
            # score at all.
            check(
                listed[0].code,
                f"weights of the objectives of the {perspective} perspective of unit {owner}",
                [o.weight for o in listed],
                listed[0].location.at("weight"),
            )
    return findings


def _constant(series: TargetSeries | None) -> float | None:
    return series.constant if series is not None else None


def _method(m: Measure) -> Method | None:
    return m.scoring.method


def scoring_parameters(ctx: Context) -> list[Finding]:
    """Methods that need parameters have them; parameters agree with the polarity."""
    findings: list[Finding] = []
    for m in ctx.measures.values():
        method = _method(m)

        def bad(code: str, message: str, key: str = "scoring", m: Measure = m) -> None:
            findings.append(error(code, message, m.code, m.location.at(key)))

        if m.polarity is Polarity.BAND and method not in (
            None,
            Method.BAND,
            Method.BINARY,
            Method.NONE,
        ):
            bad(
                "scoring-contradiction",
                f"polarity band cannot be scored with '{method}'; use band or binary",
            )
        if method is Method.BAND and m.polarity is not Polarity.BAND:
            bad(
                "scoring-contradiction",
                f"method band needs polarity band (polarity is {m.polarity.value})",
                "polarity",
            )
        needs_band = method is Method.BAND or (
            m.polarity is Polarity.BAND and method in (None, Method.BINARY)
        )
        if needs_band and m.scoring.band is None:
            bad(
                "missing-scoring-parameter",
                "band scoring needs scoring.band with lower, upper and tolerance",
            )
        if m.scoring.band is not None and m.scoring.band.lower > m.scoring.band.upper:
            bad(
                "scoring-contradiction",
                f"band lower ({m.scoring.band.lower:g}) is above upper ({m.scoring.band.upper:g})",
            )
        if method is Method.LINEAR and m.baseline is None:
            bad("missing-scoring-parameter", "method linear needs a baseline (or use ratio)")
        if method is Method.THRESHOLDS and m.minimum is None:
            bad(
                "missing-scoring-parameter",
                "method thresholds needs a minimum (the red flag) besides the target (the goal)",
            )
        findings.extend(_directions(m))
        findings.extend(_ratio_targets(m))
    return findings


def _target_values(series: TargetSeries | None) -> list[float]:
    """Every number a target series states (constant, per period, glide path ends)."""
    if series is None:
        return []
    if not series.by_period and series.glide is None:  # most targets: one number
        return [] if series.constant is None else [series.constant]
    found = [] if series.constant is None else [series.constant]
    found += list(series.by_period.values())
    glide = series.glide
    if glide is not None:
        found += [v for v in (glide.start_value, glide.end_value) if v is not None]
    return found


def _ratio_targets(m: Measure) -> list[Finding]:
    """Ratio scoring divides by the target (or the target by the actual): a negative target
    turns the scale upside down, and a zero one only tells met from missed."""
    method = m.scoring.method
    # Without a baseline, linear (stated or by default) falls back to ratio.
    by_ratio = method is Method.RATIO or (
        method in (None, Method.LINEAR) and m.baseline is None and m.polarity is not Polarity.BAND
    )
    if not by_ratio:
        return []
    values = _target_values(m.target)
    if any(v < 0 for v in values):
        return [
            error(
                "ratio-negative-target",
                f"ratio scoring needs targets of zero or more (found {min(values):g}); "
                "give a baseline to score linearly",
                m.code,
                m.location.at("target"),
            )
        ]
    if any(v == 0 for v in values):
        return [
            warning(
                "ratio-zero-target",
                "a target of 0 under ratio scoring scores 100 when met and 0 otherwise; "
                "give a baseline to score the distance to it linearly",
                m.code,
                m.location.at("target"),
            )
        ]
    return []


def _directions(m: Measure) -> list[Finding]:
    """Constant levels must be ordered as the polarity says."""
    if m.polarity is Polarity.BAND or (
        m.minimum is None and m.stretch is None and m.baseline is None
    ):
        return []  # nothing to put in order with the target
    up = m.polarity is Polarity.UP
    target, minimum, stretch = (_constant(s) for s in (m.target, m.minimum, m.stretch))
    word = "higher" if up else "lower"
    out: list[Finding] = []

    def wrong(first: str, a: float, relation: str, second: str, b: float, key: str) -> None:
        out.append(
            error(
                "scoring-contradiction",
                f"{first} ({a:g}) is {relation} {second} "
                f"({b:g}) but {word} is better (polarity {m.polarity.value})",
                m.code,
                m.location.at(key),
            )
        )

    if (
        target is not None
        and minimum is not None
        and (minimum > target if up else minimum < target)
    ):
        wrong("minimum", minimum, "beyond the", "target", target, "minimum")
    if (
        target is not None
        and stretch is not None
        and (stretch < target if up else stretch > target)
    ):
        wrong("stretch", stretch, "short of the", "target", target, "stretch")
    if (
        target is not None
        and m.baseline is not None
        and _method(m) in (None, Method.LINEAR)
        and (target < m.baseline if up else target > m.baseline)
    ):
        wrong("target", target, "worse than the", "baseline", m.baseline, "target")
    return out


def target_periods(ctx: Context) -> list[Finding]:
    """Per-period targets name real periods no shorter than the measure's frequency."""
    findings: list[Finding] = []
    calendar = Calendar(ctx.spec.organization.fiscal_year_start)
    for m in ctx.measures.values():
        for level in ("target", "minimum", "stretch"):
            series: TargetSeries | None = getattr(m, level)
            if series is None or (not series.by_period and series.glide is None):
                continue  # a constant: no periods to check
            where = m.location.at(level)
            labels = list(series.by_period)
            if series.glide is not None:
                labels += [series.glide.start, series.glide.end]
                if series.glide.start_value is None and m.baseline is None:
                    findings.append(
                        error(
                            "bad-target",
                            f"{level} glide path needs 'from' or a baseline to start from",
                            m.code,
                            where,
                        )
                    )
            parsed = {}
            for label in labels:
                try:
                    period = calendar.parse(label)
                except PeriodError as exc:
                    findings.append(error("bad-target", f"{level}: {exc}", m.code, where))
                    continue
                parsed[label] = period
                if period.grain is Grain.YTD:
                    findings.append(
                        error(
                            "bad-target",
                            f"{level}: '{label}' is a year-to-date period; give targets per period",
                            m.code,
                            where,
                        )
                    )
                elif period.grain.months < m.frequency.months:
                    findings.append(
                        error(
                            "bad-target",
                            f"{level}: '{label}' is shorter than "
                            f"the measure's frequency ({m.frequency.value})",
                            m.code,
                            where,
                        )
                    )
            glide = series.glide
            if (
                glide
                and glide.start in parsed
                and glide.end in parsed
                and parsed[glide.start].end >= parsed[glide.end].end
            ):
                findings.append(
                    error(
                        "bad-target",
                        f"{level} glide path starts ({glide.start}) after it ends ({glide.end})",
                        m.code,
                        where,
                    )
                )
    return findings
