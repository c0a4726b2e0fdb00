"""What pages need besides stored series: periods, explanations, charts with control
limits, strategy-map evidence and special-cause signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from trellis.engine.analytics import capability, evidence, spc
from trellis.engine.analytics.rules import signal_matrix
from trellis.engine.findings import ScorecardError
from trellis.engine.periods import Calendar, Grain, PeriodError, month_index
from trellis.engine.spec import Specification
from trellis.web.core.delegate import answered_by_evaluation
from trellis.web.results.services.evaluation import GRAINS, _clean, engine
from trellis.web.scorecards.models import Organization
from trellis.web.scorecards.services.scope import redact_explanation, scope_of


def calendar() -> Calendar:
    """The organization's fiscal calendar."""
    org = Organization.current()
    start = int((org.definition if org else {}).get("fiscal_year_start", 1))
    return Calendar(start)


def reporting_month() -> int:
    """The month the organization reports on — the last closed month: its setting (the
    admin moves it on at each month's close), else the month before today's. Every page
    shows it unless another period is chosen; values entered early for later months never
    move it."""
    org = Organization.current()
    if org is not None and org.reporting_month is not None:
        return int(org.reporting_month)
    today = dt.date.today()
    return month_index(today.year, today.month) - 1


def reporting_label() -> str:
    """The reporting month as a label."""
    return month_label(reporting_month())


def month_label(month: int) -> str:
    """A month (its index) as a label."""
    return calendar().period(Grain.MONTH, month).label


def describe_period(label: str) -> str:
    """A period as people read it, in the organization's fiscal calendar
    (``FY2026 Q4 · Jan–Mar 2026``); the label itself when it is not a period."""
    cal = calendar()
    try:
        return cal.describe(cal.parse(label))
    except PeriodError:
        return label


def parse_period(label: str) -> tuple[str, str] | None:
    """(grain, normalized label) of a period label, or None when it is not one."""
    try:
        period = calendar().parse(label)
    except PeriodError:
        return None
    return period.grain.value, period.label


def period_options(label: str) -> list[str]:
    """The month, quarter, half, year and year-to-date periods that contain a month."""
    month = calendar().parse(label)
    return [calendar().period(g, month.end).label for g in GRAINS]


PAGE_ANSWER_SECONDS = 3.0
"""How long a page waits for the worker's part (explanation, chart, evidence) before it is
shown without it (and not kept in the page cache)."""


@answered_by_evaluation(PAGE_ANSWER_SECONDS)
def explain(code: str, label: str, user: Any = None) -> str:
    """The engine's explanation of one number, as text ('' when unavailable); the parts
    about objects ``user`` may not see keep no numbers."""
    try:
        found = engine().results.explain(code, label)
    except (ScorecardError, KeyError, ValueError):
        return ""
    return str(redact_explanation(found, scope_of(user)))


@answered_by_evaluation(PAGE_ANSWER_SECONDS)
def chart(code: str, grain: str) -> dict[str, Any]:
    """Periods, values and target levels of one measure over a grain, for the chart."""
    try:
        built = engine()
    except ScorecardError:
        return {}
    c = built.results.compiled
    row = c.measure_index.get(code)
    if row is None:
        return {}
    result = built.results.evaluator.grain(Grain(grain))
    rows = np.array([row])
    labels = [p.label for p in result.periods]
    return {
        "periods": labels,
        "value": _clean(result.value[row]),
        "target": _clean(result.target[row]),
        "minimum": _clean(result.minimum.take(rows)[0]),
        "stretch": _clean(result.stretch.take(rows)[0]),
        "polarity": c.measures[row].polarity.value,
        "control": control_chart(result.value[row], labels),
        "capability": process_capability(result.value[row], c.measures[row].specification),
    }


def control_chart(values: np.ndarray, labels: list[str]) -> dict[str, Any] | None:
    """XmR limits of a series (up to its last value) and its Western Electric signals."""
    present = np.flatnonzero(~np.isnan(values))
    if present.size < 2:
        return None
    series = values[: present[-1] + 1]
    try:
        chart = spc.xmr(series)
    except spc.SPCError:
        return None
    found = spc.signals(series, chart.center, chart.sigma, "western_electric")
    return {
        "center": chart.center,
        "ucl": chart.ucl,
        "lcl": chart.lcl,
        "sigma": chart.sigma,
        "signals": [
            {
                "period": labels[s.index],
                "index": s.index,
                "rule": s.rule,
                "description": s.description,
                "value": float(series[s.index]),
            }
            for s in found
        ],
    }


def process_capability(values: np.ndarray, spec: Specification | None) -> dict[str, Any] | None:
    """Capability indices of a series against the measure's specification limits, with the
    share expected outside them and the sigma level that implies."""
    present = values[~np.isnan(values)]
    if spec is None or present.size < 2:
        return None
    try:
        found = capability.capability(values, spec.lower, spec.upper, spec.target)
    except spc.SPCError:
        return None
    outside = capability.expected_dpmo(found.mean, found.sigma_overall, spec.lower, spec.upper)
    level = capability.sigma_level(outside) if 0 < outside < 1_000_000 else None
    return {
        "lower": spec.lower,
        "upper": spec.upper,
        "target": spec.target,
        **{k: _finite(getattr(found, k)) for k in CAPABILITY_FIELDS},
        "dpmo": outside,
        "sigma_level": level,
        "points": int(present.size),
    }


CAPABILITY_FIELDS = ("mean", "sigma_within", "sigma_overall", "cp", "cpk", "pp", "ppk", "cpm")


def _finite(value: float | None) -> float | None:
    """JSON has no infinity: an infinite index (a process without variation) becomes None."""
    return None if value is None or not np.isfinite(value) else float(value)


@answered_by_evaluation(PAGE_ANSWER_SECONDS)
def link_evidence(links: list[tuple[str, str]], max_lag: int = 6) -> dict[tuple[str, str], Any]:
    """Strategy-map evidence (lagged correlation) for cause-and-effect links, by link."""
    try:
        results = engine().results
    except ScorecardError:
        return {}
    return {(a, b): evidence.link(results, a, b, max_lag) for a, b in links}


def special_causes(series: list[list[float | None]], column: int) -> list[list[int]]:
    """For each month series, the Western Electric rules that signal at ``column`` (the
    limits come from the months up to that one)."""
    if not series:
        return []
    values = np.array([[np.nan if v is None else v for v in s[: column + 1]] for s in series])
    limits = spc.xmr_rows(values)
    masks = signal_matrix(values, limits.center, limits.sigma, "western_electric")
    return [[rule for rule, mask in masks.items() if mask[i, -1]] for i in range(len(series))]
