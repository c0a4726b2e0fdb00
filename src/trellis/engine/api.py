"""The Python API: ``load`` a scorecard, ``check`` it, ``evaluate`` observations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from trellis.engine import collector
from trellis.engine.bulk_read import read_long_csv
from trellis.engine.checks import run_checks
from trellis.engine.compile import CompiledScorecard, compile_scorecard
from trellis.engine.evaluate import Evaluator
from trellis.engine.findings import Finding, ScorecardError, error, has_errors
from trellis.engine.loading import load_spec
from trellis.engine.observations import (
    Observation,
    ObservationSet,
    StoredObservations,
    from_tuples,
    grid_of,
    read_csv,
    validate,
)
from trellis.engine.periods import Grain, PeriodError, month_index
from trellis.engine.results import Results
from trellis.engine.spec import ScorecardSpec
from trellis.engine.targets import LEVELS, Horizon, build_grid

DataSource = str | Path | Iterable[Sequence[object]]


class Scorecard:
    """A loaded, checked scorecard that can evaluate observations."""

    def __init__(self, spec: ScorecardSpec, findings: list[Finding] | None = None) -> None:
        self.spec = spec
        self.findings = sorted((findings or []) + run_checks(spec), key=Finding.sort_key)
        if has_errors(self.findings):
            raise ScorecardError(self.findings)
        self._compiled: CompiledScorecard | None = None

    @classmethod
    def already_checked(cls, spec: ScorecardSpec) -> Scorecard:
        """A scorecard whose definitions passed every check when they were stored (the web
        application checks the whole scorecard before it stores a change): not checked
        again, which is a third of building it for a large organization. Its findings are
        not known (empty)."""
        scorecard = cls.__new__(cls)
        scorecard.spec = spec
        scorecard.findings = []
        scorecard._compiled = None
        return scorecard

    @property
    def compiled(self) -> CompiledScorecard:
        """The compiled form (built once, on first use)."""
        if self._compiled is None:
            self._compiled = compile_scorecard(self.spec)
        return self._compiled

    def check(self) -> list[Finding]:
        """Every finding of the loader and the alignment checks (warnings and infos)."""
        return list(self.findings)

    def read_observations(self, *sources: DataSource) -> ObservationSet:
        """Validate data from CSV paths and/or tuples; raises :class:`ScorecardError` with
        every bad row when any row is bad (nothing is read partially)."""
        c = self.compiled
        by_code = c.by_code
        items: list[Observation] = []
        ends: list[int] = []
        findings: list[Finding] = []
        for source in sources:
            if isinstance(source, str | Path):
                _, rows, problems = read_csv(source)
                findings.extend(problems)
                valid, problems = validate(rows, by_code, c.calendar, str(source))
            else:
                valid, problems = from_tuples(source, by_code, c.calendar)
            findings.extend(problems)
            items.extend(valid.items)
            ends.extend(valid.end_months)
        findings.extend(_cross_file_duplicates(items, ends))
        if findings:
            raise ScorecardError(findings)
        return ObservationSet(tuple(items), tuple(ends))

    def horizon(self, observations: ObservationSet | StoredObservations) -> Horizon:
        """Months to evaluate: the organization's horizon, else the data's fiscal years."""
        cal = self.compiled.calendar
        org = self.spec.organization
        ends = observations.end_months
        if org.horizon is not None:
            first, last = cal.parse(org.horizon.start).start, cal.parse(org.horizon.end).end
        elif len(ends):
            first, last = int(np.min(ends)), int(np.max(ends))  # arrays of millions
        else:
            today = dt.date.today()
            first = last = month_index(today.year, today.month)
        start, end = cal.fiscal_years_span(first, last)
        return Horizon(start, end)

    def read_stored(self, *sources: DataSource) -> StoredObservations:
        """Validate data as :meth:`read_observations` does, straight into the arrays
        evaluation reads: one long CSV file is read as arrays (millions of rows without an
        object per row; :mod:`trellis.engine.bulk_read`), anything else row by row."""
        c = self.compiled
        if len(sources) == 1 and isinstance(sources[0], str | Path):
            bulk = read_long_csv(sources[0], c.by_code, c.measure_index, c.calendar)
            if bulk is not None:
                if bulk.findings:
                    raise ScorecardError(bulk.findings)
                return bulk.stored
        return StoredObservations.of(self.read_observations(*sources), c.measure_index)

    def evaluate(self, *sources: DataSource) -> Results:
        """Evaluate observations (CSV paths or ``(measure, period, value)`` tuples)."""
        return self.evaluate_stored(self.read_stored(*sources))

    def evaluate_stored(self, stored: StoredObservations) -> Results:
        """Evaluate observations validated before (as a database stores them): no row is
        checked again, which matters for millions of them."""
        c = self.compiled
        horizon = self.horizon(stored)
        targets = {
            level: build_grid(c.measures, level, c.calendar, horizon, c.target_plans[level])
            for level in LEVELS
        }
        observed = grid_of(stored, c.measures, horizon)
        evaluator = Evaluator(c, horizon, observed, targets)
        results = Results(c, evaluator)
        evaluator.grain(Grain.MONTH)
        return results


def _cross_file_duplicates(items: list[Observation], ends: list[int]) -> list[Finding]:
    seen: set[tuple[str, int, str]] = set()
    out: list[Finding] = []
    for obs, end in zip(items, ends, strict=True):
        key = (obs.measure, end, obs.segment)
        if key in seen:
            out.append(
                error("data-row", f"{obs.measure} {obs.period} is given in more than one file")
            )
        seen.add(key)
    return out


def load(path: str | Path) -> Scorecard:
    """Load and check a scorecard file or folder; raises :class:`ScorecardError` carrying
    every finding when there are errors."""
    with collector.paused():  # one pause for reading and checking (see collector)
        loaded = load_spec(path)
        if loaded.spec is None or has_errors(loaded.findings):
            findings = loaded.findings
            if loaded.spec is not None:
                findings = findings + run_checks(loaded.spec)
            raise ScorecardError(findings)
        return Scorecard(loaded.spec, loaded.findings)


def check_path(path: str | Path) -> list[Finding]:
    """Every finding for a scorecard path, never raising for bad content."""
    with collector.paused():
        loaded = load_spec(path)
        findings = list(loaded.findings)
        if loaded.spec is not None:
            findings += run_checks(loaded.spec)
    return sorted(findings, key=Finding.sort_key)


__all__ = ["PeriodError", "Scorecard", "check_path", "load", "np"]
