"""Writing data: every path (entry form, file import, connector, API) checks and writes
values here, so that they all obey the same rules.

``check_*`` validates without writing: rows and cells (engine), permissions, locked
periods, what changes against the stored values, and the measures' data rules. ``commit``
writes a clean check in one transaction (all or nothing) and records it as a
:class:`DataImport` that ``undo`` reverses as a whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.engine import collector
from trellis.engine.data_checks import check_rules
from trellis.engine.data_files import Columns, Row, column_letter, read_table
from trellis.engine.findings import Finding, error
from trellis.engine.observations import ObservationSet, validate
from trellis.engine.periods import Frequency
from trellis.engine.spec import Location
from trellis.web.core.delegate import Unavailable, answered_by_evaluation
from trellis.web.core.roles import Action
from trellis.web.observations.models import DataImport, PeriodLock, Submission
from trellis.web.observations.services.versions import (
    Version,
    snapshot_unrecorded,
    stored_observations,
    write_versions,
    written_mark,
)
from trellis.web.results import tasks
from trellis.web.results.services.evaluation import engine
from trellis.web.scorecards.models import Measure, Organization
from trellis.web.scorecards.services.definitions import measure_specs

BATCH = 2000


@dataclass(frozen=True)
class Change:
    """One value to write, with the stored one it replaces (None when new)."""

    measure_id: int
    code: str
    period: str
    end_month: int
    segment: str
    value: float
    comment: str
    observation_id: int | None
    old: float | None
    approval: bool


@dataclass
class DataCheck:
    """What a write would do, or why it may not happen."""

    file: str
    layout: str = "long"
    rows_read: int = 0
    sha256: str = ""
    errors: list[Finding] = field(default_factory=list)
    confirmations: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    valid: ObservationSet | None = None
    mark: int | None = None
    """The latest observation history row when the changes were planned."""

    @property
    def ok(self) -> bool:
        """Nothing refuses the write (outliers may still want a confirmation)."""
        return not self.errors

    @property
    def nothing_to_do(self) -> bool:
        """Every value is already stored as it is."""
        return self.ok and not self.changes


def check_file(name: str, content: bytes, user: Any, confirmed: bool = False) -> DataCheck:
    """Check a CSV/XLSX data file (long or wide)."""
    try:
        return _check_file(name, content, user, confirmed)
    except Unavailable:
        return _unavailable(DataCheck(name, "", sha256=hashlib.sha256(content).hexdigest()))


CHECK_ANSWER_SECONDS = 300.0
"""How long a data check waits for the worker (a large file takes a while)."""


@answered_by_evaluation(CHECK_ANSWER_SECONDS)
def _check_file(name: str, content: bytes, user: Any, confirmed: bool) -> DataCheck:
    """Read and check a file where the evaluated scorecard is (the file goes to the worker
    as it came, not as a million parsed rows)."""
    with collector.paused():
        table = read_table(name, content)
        check = DataCheck(name, table.layout, sha256=hashlib.sha256(content).hexdigest())
        check.errors.extend(table.findings)
        if table.findings:
            return check
        return _checked_rows(check, table.rows, user, confirmed)


def check_values(
    values: Iterable[Sequence[object]], user: Any, file: str, confirmed: bool = False
) -> DataCheck:
    """Check ``(measure, period, value[, segment, comment])`` tuples (forms, connectors);
    findings name the position of the tuple as the row."""
    check = DataCheck(file)
    rows: list[Row] = []
    names = ("measure", "period", "value", "segment", "comment")
    columns: Columns = {name: i + 1 for i, name in enumerate(names)}
    for number, item in enumerate(values, start=1):
        cells = ["" if v is None else str(v) for v in item]
        rows.append((number, dict(zip(names, cells, strict=False)), columns))
    with collector.paused():
        return _checked_rows(check, rows, user, confirmed)


def _checked_rows(check: DataCheck, rows: list[Row], user: Any, confirmed: bool) -> DataCheck:
    check.rows_read = len(rows)
    if not rows:
        check.errors.append(
            error("data-file", _("the file has a header but no values"), location=_at(check, 1))
        )
        return check
    try:
        return _checked_by_evaluation(check, rows, user, confirmed)
    except Unavailable:
        return _unavailable(check)


def _unavailable(check: DataCheck) -> DataCheck:
    """``check`` refused as a whole: the worker that holds the evaluation did not answer."""
    check.errors.append(
        error(
            "evaluation-unavailable",
            _(
                "the data could not be checked now: the worker that evaluates the "
                "scorecard did not answer (it may be starting). Nothing was written; "
                "try again in a minute."
            ),
            location=_at(check, None),
        )
    )
    return check


@answered_by_evaluation(CHECK_ANSWER_SECONDS)
def _checked_by_evaluation(
    check: DataCheck, rows: list[Row], user: Any, confirmed: bool
) -> DataCheck:
    """The checks that need the evaluated scorecard: measures, periods, values, locks,
    stored values and each measure's data rules."""
    results = engine().results
    by_code = results.compiled.by_code
    allowed = _enterable(user)
    unknown = None
    if allowed is not None:
        # What the person may not enter does not exist for them: a hidden code, a visible one
        # they may not enter and a code nobody has get one message, and nothing about the
        # measure (frequency, source, locks, data rules, past values) is looked at.
        by_code = {code: m for code, m in by_code.items() if code in allowed}
        unknown = _("no measure '{code}' that you may enter data for")
    valid, findings = validate(
        rows,
        by_code,
        results.compiled.calendar,
        check.file,
        unknown=unknown,
        limit=settings.TRELLIS_MAX_ABS_VALUE,
    )
    check.errors.extend(findings)
    check.valid = valid
    inactive = {code for code, m in by_code.items() if not m.active}
    for i, obs in enumerate(valid.items):
        if obs.measure in inactive:
            message = _("measure {code} is inactive: it takes no new values").format(
                code=obs.measure
            )
            check.errors.append(_row_finding(check, valid, i, "measure", message))
    check.errors.extend(_locked(check, valid, by_code))
    check.mark = written_mark()
    changes, unchanged, changed_at = plan(valid)
    check.changes, check.unchanged = changes, unchanged
    if changes:
        subset = ObservationSet(
            tuple(valid.items[i] for i in changed_at),
            tuple(valid.end_months[i] for i in changed_at),
            tuple(valid.lines[i] for i in changed_at),
            tuple(valid.columns[i] for i in changed_at),
        )
        for issue in check_rules(results, subset, confirmed=confirmed):
            finding = _row_finding(check, subset, issue.index, issue.field, issue.message)
            (check.confirmations if issue.confirm else check.errors).append(finding)
    check.errors.sort(key=lambda f: (f.location.line or 0, f.location.column or 0))
    return check


def _at(check: DataCheck, line: int | None, column: int | None = None) -> Location:
    return Location(file=check.file, line=line, column=column)


def _row_finding(
    check: DataCheck, valid: ObservationSet, index: int, name: str, message: str
) -> Finding:
    line = valid.lines[index]
    columns = valid.columns[index]
    position = columns.get(name)
    where = f"column {column_letter(position)} ({name})" if position else f"column {name}"
    return error("data-row", f"row {line}, {where}: {message}", location=_at(check, line, position))


def _enterable(user: Any) -> set[str] | None:
    """Codes of the measures ``user`` may enter data for (None: every one; no user is the
    command line, which runs with the installation's authority)."""
    if user is None or getattr(user, "is_superuser", False):
        return None
    return set(Measure.objects.restrict(user, Action.ENTER_DATA).values_list("code", flat=True))


def locks() -> list[PeriodLock]:
    """The locked periods."""
    return list(PeriodLock.objects.all())


def closing_lock(frequency: str, end_month: int, closed: list[PeriodLock]) -> PeriodLock | None:
    """The lock (if any) that closes a value of a measure reporting per ``frequency``
    whose period ends in ``end_month``: its months overlap the locked ones."""
    start = end_month - Frequency(frequency).months + 1
    return next(
        (lk for lk in closed if start <= lk.last_month and end_month >= lk.first_month), None
    )


def _locked(check: DataCheck, valid: ObservationSet, by_code: dict[str, Any]) -> list[Finding]:
    closed = locks()
    if not closed:
        return []
    out = []
    for i, (obs, end) in enumerate(zip(valid.items, valid.end_months, strict=True)):
        lock = closing_lock(by_code[obs.measure].frequency.value, end, closed)
        if lock is not None:
            message = _("period {period} is locked ({lock}); no value can be written").format(
                period=obs.period, lock=lock.period
            )
            out.append(_row_finding(check, valid, i, "period", message))
    return out


def plan(valid: ObservationSet) -> tuple[list[Change], int, list[int]]:
    """What writing the observations changes: the changes, how many are already stored as
    they are, and the positions of the changed ones. A row without a comment keeps the
    stored comment."""
    measures = dict(
        Measure.objects.filter(code__in={o.measure for o in valid.items}).values_list("code", "pk")
    )
    approval = {code for code, m in measure_specs(set(measures)).items() if m.data.approval}
    stored = stored_observations(set(measures.values()))
    changes: list[Change] = []
    changed_at: list[int] = []
    unchanged = 0
    for i, (obs, end) in enumerate(zip(valid.items, valid.end_months, strict=True)):
        if obs.measure not in measures:
            continue
        mid = measures[obs.measure]
        current = stored.get((mid, obs.period, obs.segment))
        if current is not None and current[1] == obs.value and obs.comment in ("", current[2]):
            unchanged += 1
            continue
        changes.append(
            Change(
                mid,
                obs.measure,
                obs.period,
                end,
                obs.segment,
                obs.value,
                obs.comment or (current[2] if current else ""),
                current[0] if current else None,
                current[1] if current else None,
                obs.measure in approval,
            )
        )
        changed_at.append(i)
    return changes, unchanged, changed_at


@dataclass(frozen=True)
class Written:
    """What a commit wrote."""

    record: DataImport | None
    created: int
    updated: int
    pending: int
    unchanged: int


def commit(check: DataCheck, user: Any, source: str, file_name: str | None = None) -> Written:
    """Write a clean check in one transaction. The values are planned again inside it,
    under the organization's row lock, so that two writers of overlapping data run one
    after the other and neither loses nor doubles a value. Values of measures that need
    approval become pending submissions. Raises ValueError when the check has errors."""
    if not check.ok or check.valid is None:
        raise ValueError("the data has errors; nothing was written")
    author = user if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    with collector.paused(), transaction.atomic():
        org = Organization.objects.select_for_update().order_by("pk").first()
        assert org is not None
        if check.mark is not None and check.mark == written_mark():
            changes, unchanged = check.changes, check.unchanged  # nothing written since
        else:
            changes, unchanged, _ = plan(check.valid)
        record = None
        if changes:
            record = DataImport.objects.create(
                source=source,
                file_name=file_name or check.file,
                sha256=check.sha256,
                layout=check.layout,
                user=author,
                rows_read=check.rows_read,
                unchanged=unchanged,
            )
        direct = [c for c in changes if not c.approval]
        queued = [c for c in changes if c.approval]
        by = author.pk if author is not None else None
        versions = [
            Version(
                c.observation_id,
                c.measure_id,
                c.period,
                c.end_month,
                c.segment,
                c.value,
                c.comment,
                source,
                by,
            )
            for c in direct
        ]
        updated = [v.pk for v in versions if v.pk is not None]
        if updated:
            snapshot_unrecorded(updated, now)
        write_versions(versions, author, record.reason if record else "", now)
        Submission.objects.bulk_create(
            [
                Submission(
                    measure_id=c.measure_id,
                    period=c.period,
                    end_month=c.end_month,
                    segment=c.segment,
                    value=c.value,
                    comment=c.comment,
                    source=source,
                    submitted_by=author,
                )
                for c in queued
            ],
            batch_size=BATCH,
        )
        if record is not None:
            record.created = len(versions) - len(updated)
            record.updated, record.pending = len(updated), len(queued)
            record.save(update_fields=["created", "updated", "pending"])
        refresh_after([(c.code, c.period, c.value, c.segment) for c in direct])
    return Written(record, len(versions) - len(updated), len(updated), len(queued), unchanged)


FULL_REFRESH_MEASURES = 2_000
"""Above this many changed measures one full recomputation beats incremental updates."""


def refresh_after(values: Sequence[tuple[str, str, float | None, str]]) -> None:
    """Once the transaction commits, bring stored results up to date with written values
    ``(code, period, value or None when removed, segment)``."""
    if not values:
        return
    segmented = any(segment for *_, segment in values)
    if segmented or len({v[0] for v in values}) > FULL_REFRESH_MEASURES:
        transaction.on_commit(tasks.recompute_all.enqueue)
        return
    changes: list[list[object]] = [[code, period, value] for code, period, value, _ in values]
    transaction.on_commit(lambda: tasks.refresh_observations.enqueue(changes))
