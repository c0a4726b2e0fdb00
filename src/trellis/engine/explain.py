"""Explain one number: the observations, formula or roll-up behind a value, and the weights,
scores and exclusions behind an objective's, perspective's or unit's score."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from trellis.engine.compile import AGGREGATIONS, resolve_method
from trellis.engine.flags import flag_names
from trellis.engine.formula import render
from trellis.engine.grid import GrainResult
from trellis.engine.periods import FloatArray, Grain, month_label
from trellis.engine.scoring import STATUS_LABELS, shown_score, status_words
from trellis.engine.spec import Method, Source
from trellis.engine.structure import MEASURE, OBJECTIVE, Components

if TYPE_CHECKING:
    from trellis.engine.results import Results


@dataclass
class Component:
    """One input of an explained number."""

    kind: str
    code: str
    name: str
    value: float | None = None
    score: float | None = None
    status: str = ""
    weight: float | None = None
    share: float | None = None
    note: str = ""


@dataclass
class Explanation:
    """What is behind one number; ``str()`` gives the human-readable form."""

    level: str
    code: str
    name: str
    unit: str
    period: str
    value: float | None
    target: float | None
    score: float | None
    status: str
    flags: list[str]
    how: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    scoring: list[str] = field(default_factory=list)
    period_name: str = ""
    """The period as people read it (FY2026 Q4 · Jan–Mar 2026)."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form."""
        return {
            **{k: v for k, v in self.__dict__.items() if k != "components"},
            "components": [c.__dict__ for c in self.components],
        }

    def __str__(self) -> str:
        when = f"{self.period} ({self.period_name})" if self.period_name else self.period
        lines = [f"{self.level} {self.code} — {self.name} (unit {self.unit}), period {when}"]
        value = "" if self.value is None else f"value {_num(self.value)}  "
        target = "" if self.target is None else f"target {_num(self.target)}  "
        score = "score —" if self.score is None else f"score {shown_score(self.score, 2)}"
        flags = f"  [{', '.join(self.flags)}]" if self.flags else ""
        lines.append(f"  {value}{target}{score}  {status_words(self.status)}{flags}")
        lines += [f"  {line}" for line in self.how]
        if self.components:
            lines.append("  components:")
            for comp in self.components:
                parts = [f"    {comp.kind} {comp.code} ({comp.name})"]
                if comp.value is not None:
                    parts.append(f"value {_num(comp.value)}")
                if comp.weight is not None:
                    parts.append(f"weight {_num(comp.weight)}")
                if comp.share is not None:
                    parts.append(f"share {comp.share:.1%}")
                if comp.score is not None:
                    parts.append(f"score {shown_score(comp.score, 2)}")
                if comp.status:
                    parts.append(status_words(comp.status))
                if comp.note:
                    parts.append(comp.note)
                lines.append("  ".join(parts))
        lines += [f"  {line}" for line in self.scoring]
        return "\n".join(lines)


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _opt(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def explain(results: Results, code: str, period: str) -> Explanation:
    """Explain a measure, objective or unit (in that order of lookup) in one period."""
    c = results.compiled
    result, col = results.grain_for(period)
    if code in c.measure_index:
        found = _measure(results, result, col, c.measure_index[code])
    elif code in c.objective_index:
        found = _objective(results, result, col, c.objective_index[code])
    elif code in c.unit_index:
        found = _unit(results, result, col, c.unit_index[code])
    else:
        raise KeyError(f"no measure, objective or unit has the code '{code}'")
    found.period_name = c.calendar.describe(result.periods[col])
    return found


def _measure(results: Results, r: GrainResult, col: int, row: int) -> Explanation:
    c = results.compiled
    m = c.measures[row]
    period = r.periods[col]
    exp = Explanation(
        "measure",
        m.code,
        m.name,
        c.unit_codes[c.measure_unit[row]],
        period.label,
        _opt(r.value[row, col]),
        _opt(r.target[row, col]),
        _opt(r.score[row, col]),
        STATUS_LABELS[int(r.status[row, col])],
        flag_names(int(r.flags[row, col])),
    )
    carried = r.grain is not Grain.YTD and m.frequency.months > r.grain.months
    if carried:
        exp.how.append(
            f"{m.name} reports per {m.frequency.value}; a {r.grain.value} shows its latest "
            f"value due by {month_label(period.end)}"
            + (
                " — the latest due value is missing, so an older one is shown (stale)"
                if "stale" in exp.flags
                else ""
            )
        )
    elif m.source is Source.FORMULA and row in c.formulas:
        group = next(g for g in c.formula_groups if row in g.rows)
        codes = c.formulas[row][1]
        exp.how.append(f"formula: {m.formula}  (parsed as {render(group.tree, codes)})")
        exp.how.append(
            f"inputs are first aggregated to {period.label}, then the formula is applied"
        )
        slots = group.slots[int(np.flatnonzero(group.rows == row)[0])]
        for input_row in slots:
            im = c.measures[input_row]
            exp.components.append(
                Component(
                    "input",
                    im.code,
                    im.name,
                    _opt(r.value[input_row, col]),
                    note=", ".join(flag_names(int(r.flags[input_row, col]))),
                )
            )
    elif m.source is Source.ROLLUP:
        rollup = next(g for g in c.rollup_groups if row in g.rows)
        pos = int(np.flatnonzero(rollup.rows == row)[0])
        end = rollup.starts[pos + 1] if pos + 1 < rollup.starts.size else rollup.contributors.size
        members = rollup.contributors[rollup.starts[pos] : end]
        present = int(np.sum(~np.isnan(r.value[members, col])))
        exp.how.append(
            f"roll-up by {rollup.method.value} of {len(members)} contributing measure(s): "
            f"{present} of {len(members)} reported"
            + (" (require_all: missing unless all report)" if rollup.require_all else "")
        )
        for member in members:
            cm = c.measures[member]
            value = _opt(r.value[member, col])
            exp.components.append(
                Component(
                    "contributor",
                    cm.code,
                    cm.name,
                    value,
                    note=f"unit {c.unit_codes[c.measure_unit[member]]}"
                    + ("" if value is not None else ", missing — excluded"),
                )
            )
    else:
        exp.how.extend(_observations(results, row, period.start, period.end, r.grain))
    exp.scoring.extend(_scoring_lines(results, r, col, row))
    return exp


def _observations(results: Results, row: int, start: int, end: int, grain: Grain) -> list[str]:
    ev = results.evaluator
    m = results.compiled.measures[row]
    first = max(start - ev.horizon.first, 0)
    cols = np.arange(first, end - ev.horizon.first + 1)
    values = ev.observed[row, cols]
    shown = [
        f"{month_label(int(cc) + ev.horizon.first)} = {_num(v)}"
        for cc, v in zip(cols, values, strict=True)
        if not math.isnan(v)
    ]
    if grain is Grain.MONTH:
        return ["reported value" if shown else "no value reported for this month"]
    agg = AGGREGATIONS[int(results.compiled.aggregation[row])].value
    return [
        f"observations in the period ({m.frequency.value}ly): "
        + (", ".join(shown) if shown else "none"),
        f"aggregated over time by {agg}",
    ]


def _scoring_lines(results: Results, r: GrainResult, col: int, row: int) -> list[str]:
    c = results.compiled
    m = c.measures[row]
    method = resolve_method(m)
    a, t = r.value[row, col], r.target[row, col]
    cap = float(c.cap[row])
    lines = [
        f"scoring: {method.value}"
        + (
            " (no baseline, so ratio)"
            if m.scoring.method is None and method is Method.RATIO
            else ""
        )
        + f", cap {_num(cap)}, bands on target ≥ {_num(c.green[row])}, "
        + f"near target ≥ {_num(c.amber[row])}"
    ]
    if math.isnan(a):
        return [*lines, "no value: no score (status no-data)"]
    if method is Method.NONE:
        return [*lines, "unscored measure: shown, never rolled up"]
    if method is not Method.BAND and math.isnan(t):
        return [*lines, "no target for this period: no score (status no-target)"]
    one = np.array([row])
    b, lo = r.baseline.take(one)[0, col], r.minimum.take(one)[0, col]
    score = r.score[row, col]
    special = _special_rule(method, a, t, b, lo, m.polarity.value)
    if special is not None:
        return [*lines, f"score = {special} = {_num(score)}"]
    raw = {
        Method.LINEAR: f"100 × ({_num(a)} − {_num(b)}) / ({_num(t)} − {_num(b)})",
        Method.RATIO: (
            f"100 × {_num(t)} / {_num(a)}"
            if m.polarity.value == "down"
            else f"100 × {_num(a)} / {_num(t)}"
        ),
        Method.THRESHOLDS: f"50 + 50 × ({_num(a)} − {_num(lo)}) / ({_num(t)} − {_num(lo)})",
        Method.BAND: (
            f"100 inside [{_num(c.band_lower[row])}, {_num(c.band_upper[row])}], "
            f"0 at {_num(c.band_tolerance[row])} outside"
        ),
        Method.BINARY: f"100 if {_num(a)} meets {_num(t)}, else 0",
    }[method]
    return [*lines, f"score = {raw} → clamped to [0, {_num(cap)}] = {_num(score)}"]


def _special_rule(
    method: Method, a: float, t: float, b: float, lo: float, polarity: str
) -> str | None:
    """The rule used where the method's formula would divide by zero (or has no meaning),
    in words; None where the formula applies."""
    meets = "≤" if polarity == "down" else "≥"
    met = a <= t if polarity == "down" else a >= t
    verdict = f"{_num(a)} {meets} {_num(t)}: {'met' if met else 'not met'}"
    if method is Method.LINEAR and t == b:
        return f"100 if the target is met, else 0 (the target equals the baseline); {verdict}"
    if method is Method.THRESHOLDS and t == lo:
        return f"100 if the goal is met, else 0 (the goal equals the red flag); {verdict}"
    if method is Method.RATIO and t == 0:
        return f"100 if the target is met, else 0 (a target of 0 has no ratio); {verdict}"
    if method is Method.RATIO and t < 0:
        return "none: ratio scoring has no meaning for a negative target"
    if method is Method.RATIO and polarity == "down" and a <= 0:
        return f"the cap: an actual of {_num(a)} meets any target of 0 or more"
    return None


def _weighted(
    results: Results, r: GrainResult, col: int, comps: Components, owner: int
) -> list[Component]:
    c = results.compiled
    out: list[Component] = []
    positions = list(comps.of(owner))
    sources = {0: r.score, 1: r.objective_score, 2: r.section_score}
    statuses = {0: r.status, 1: r.objective_status, 2: r.section_status}
    present_weight = sum(
        comps.weight[p]
        for p in positions
        if not math.isnan(sources[int(comps.kind[p])][comps.index[p], col])
    )
    perspectives = c.spec.organization.perspectives
    for p in positions:
        kind, index, weight = int(comps.kind[p]), int(comps.index[p]), float(comps.weight[p])
        score = _opt(sources[kind][index, col])
        status = STATUS_LABELS[int(statuses[kind][index, col])]
        if kind == MEASURE:
            label, code, name = "measure", c.measures[index].code, c.measures[index].name
        elif kind == OBJECTIVE:
            obj = c.spec.objectives[index]
            label, code, name = "objective", obj.code, f"{obj.name}, unit {obj.unit}"
        else:
            per = perspectives[int(c.section_perspective[index])]
            label, code, name = "perspective", per.code, per.name
        share = weight / present_weight if score is not None and present_weight > 0 else None
        note = "" if score is not None else f"excluded ({status}); weights renormalized"
        out.append(
            Component(
                label, code, name, score=score, status=status, weight=weight, share=share, note=note
            )
        )
    return out


def _score_rollup(
    results: Results,
    r: GrainResult,
    col: int,
    head: tuple[str, str, str, str],
    scores: tuple[FloatArray, np.ndarray],
    comps: Components,
    index: int,
    how: str,
) -> Explanation:
    """Explain a weighted mean of scores (an objective or a unit)."""
    level, code, name, unit = head
    exp = Explanation(
        level,
        code,
        name,
        unit,
        r.periods[col].label,
        None,
        None,
        _opt(scores[0][index, col]),
        STATUS_LABELS[int(scores[1][index, col])],
        [],
    )
    exp.how.append(how)
    bands = results.compiled.spec.organization.bands
    exp.scoring.append(
        f"judged by the organization's bands: on target (green) ≥ {_num(bands.green)}, "
        f"near target (amber) ≥ {_num(bands.amber)}, else off target (red) — not by "
        "the statuses of its components"
    )
    exp.components = _weighted(results, r, col, comps, index)
    if not exp.components:
        exp.how.append("no scored component: no score (status no-data)")
    return exp


def _objective(results: Results, r: GrainResult, col: int, index: int) -> Explanation:
    c = results.compiled
    obj = c.spec.objectives[index]
    source = c.score_from[obj.code].value
    return _score_rollup(
        results,
        r,
        col,
        ("objective", obj.code, obj.name, obj.unit),
        (r.objective_score, r.objective_status),
        c.objective_components,
        index,
        f"score from {source}: weighted mean of the components that have a score",
    )


def _unit(results: Results, r: GrainResult, col: int, index: int) -> Explanation:
    c = results.compiled
    unit = c.spec.units[index]
    return _score_rollup(
        results,
        r,
        col,
        ("unit", unit.code, unit.name, unit.code),
        (r.unit_score, r.unit_status),
        c.unit_components,
        index,
        "score: weighted mean of its perspectives (perspective weights)",
    )
