"""Writing data: every path (entry form, file import, connector, API) checks and writes
values here, so that they all obey the same rules.

``check_*`` validates without writing: rows and cells (engine), permissions, locked
periods, what changes against the stored values, and the measures' data rules. ``commit``
writes a clean check in one transaction (all or nothing) and records it as a
:class:`DataImport` that ``undo`` reverses as a whole.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.engine.data_checks import check_rules
from trellis.engine.data_files import Columns, Row, column_letter, read_table
from trellis.engine.findings import Finding, error
from trellis.engine.observations import ObservationSet, validate
from trellis.engine.periods import Frequency
from trellis.engine.spec import Location
from trellis.web.core import bulk
from trellis.web.core.roles import Action
from trellis.web.observations.models import DataImport, Observation, PeriodLock, Submission
from trellis.web.results.services.evaluation import engine
from trellis.web.scorecards.models import Measure, Organization

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


@contextmanager
def many_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of short-lived rows are built: its
    passes over the growing heap would otherwise cost more than the work (a collection
    runs when it ends)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_file(name: str, content: bytes, user: Any, confirmed: bool = False) -> DataCheck:
    """Check a CSV/XLSX data file (long or wide)."""
    with many_objects():
        return _check_file(name, content, user, confirmed)


def _check_file(name: str, content: bytes, user: Any, confirmed: bool) -> DataCheck:
    table = read_table(name, content)
    check = DataCheck(name, table.layout, sha256=hashlib.sha256(content).hexdigest())
    check.errors.extend(table.findings)
    if table.findings:
        return check
    return _check_rows(check, table.rows, user, confirmed)


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
    return _check_rows(check, rows, user, confirmed)


def _check_rows(check: DataCheck, rows: list[Row], user: Any, confirmed: bool) -> DataCheck:
    with many_objects():
        return _checked_rows(check, rows, user, confirmed)


def _checked_rows(check: DataCheck, rows: list[Row], user: Any, confirmed: bool) -> DataCheck:
    check.rows_read = len(rows)
    if not rows:
        check.errors.append(
            error("data-file", _("the file has a header but no values"), location=_at(check, 1))
        )
        return check
    results = engine().results
    by_code = {m.code: m for m in results.compiled.measures}
    valid, findings = validate(rows, by_code, results.compiled.calendar, check.file)
    check.errors.extend(findings)
    check.valid = valid
    allowed = _enterable(user)
    inactive = {code for code, m in by_code.items() if not m.active}
    for i, obs in enumerate(valid.items):
        if allowed is not None and obs.measure not in allowed:
            message = _("you may not enter data for measure {code}").format(code=obs.measure)
            check.errors.append(_row_finding(check, valid, i, "measure", message))
        elif obs.measure in inactive:
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
    approval = {m.code for m in engine().results.compiled.measures if m.data.approval}
    stored = _stored(set(measures.values()))
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


def written_mark() -> int:
    """The latest observation history row: every write of an observation (imports, forms,
    connectors, approvals, undo, the admin) adds one, so an unchanged mark means that
    nothing was written."""
    latest = Observation.history.model.objects.order_by("-history_id").values_list(
        "history_id", flat=True
    )
    return latest.first() or 0


def _stored(measure_ids: set[int]) -> dict[tuple[int, str, str], tuple[int, float, str]]:
    """Stored observations of these measures: (measure, period, segment) → (pk, value,
    comment); all of them when many measures are asked for (one scan beats long IN lists)."""
    fields = ("measure_id", "period", "segment", "pk", "value", "comment")
    ids = sorted(measure_ids)
    if len(ids) > 500:
        found: Iterable[tuple[Any, ...]] = Observation.objects.values_list(*fields).iterator(
            chunk_size=20_000
        )
        return {(m, p, s): (pk, v, c) for m, p, s, pk, v, c in found if m in measure_ids}
    out: dict[tuple[int, str, str], tuple[int, float, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for m, p, s, pk, v, c in Observation.objects.filter(measure_id__in=chunk).values_list(
            *fields
        ):
            out[(m, p, s)] = (pk, v, c)
    return out


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
    with many_objects(), transaction.atomic():
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
            _snapshot_unrecorded(updated, now)
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


class Version(NamedTuple):
    """A new version of one observation (``pk`` None: a new observation)."""

    pk: int | None
    measure_id: int
    period: str
    end_month: int
    segment: str
    value: float
    comment: str
    source: str
    changed_by_id: int | None


def save_versions(
    created: list[Observation], updated: list[Observation], author: Any, reason: str, now: Any
) -> None:
    """Insert new observations and update stored ones, each with its history row (who,
    when, why)."""
    write_versions(
        [
            Version(
                o.pk,
                o.measure_id,
                o.period,
                o.end_month,
                o.segment,
                o.value,
                o.comment,
                o.source,
                o.changed_by_id,
            )
            for o in (*created, *updated)
        ],
        author,
        reason,
        now,
    )


_OBSERVATION_COLUMNS = (
    "measure_id",
    "period",
    "end_month",
    "segment",
    "value",
    "comment",
    "source",
    "changed_by_id",
    "changed_at",
)
_HISTORY_COLUMNS = (
    "id",
    *_OBSERVATION_COLUMNS,
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
)


def write_versions(versions: Sequence[Version], author: Any, reason: str, now: Any) -> None:
    """Write observation versions and their history rows (who, when, why) with the
    driver's ``executemany`` (:mod:`trellis.web.core.bulk`); the history of new
    observations is copied inside the database. Runs under the organization's row lock."""
    if not versions:
        return
    when = bulk.datetime_value(Observation, now)
    user_id = author.pk if author is not None else None
    table = bulk.database(Observation).ops.quote_name(Observation._meta.db_table)
    old = [v for v in versions if v.pk is not None]
    # In index order: each insert lands next to the previous one in the B-trees.
    new = sorted((v for v in versions if v.pk is None), key=lambda v: (v.measure_id, v.period))
    bulk.execute_many(
        Observation,
        f"UPDATE {table} SET value = %s, comment = %s, source = %s, "  # noqa: S608 - model names
        "changed_by_id = %s, changed_at = %s WHERE id = %s",
        ((v.value, v.comment, v.source, v.changed_by_id, when, v.pk) for v in old),
    )
    bulk.insert_rows(
        Observation.history.model,
        _HISTORY_COLUMNS,
        ((*v, when, when, reason, "~", user_id) for v in old),
    )
    if new:
        before = Observation.objects.aggregate(last=Max("pk"))["last"] or 0
        bulk.insert_rows(Observation, _OBSERVATION_COLUMNS, ((*v[1:], when) for v in new))
        # The rows just inserted: newer than every row before, and written at this moment.
        with bulk.database(Observation).cursor() as cursor:
            cursor.execute(
                _history_copy("o.id > %s AND o.changed_at = %s"),
                [when, reason, "+", user_id, before, when],
            )


def _history_copy(where: str) -> str:
    """An INSERT … SELECT that records the current version of the observations ``where``
    selects (alias ``o``); parameters: history date, reason, type, user, then ``where``'s."""
    db = bulk.database(Observation)
    quote = db.ops.quote_name
    history = quote(Observation.history.model._meta.db_table)
    taken = ", ".join(f"o.{quote(c)}" for c in ("id", *_OBSERVATION_COLUMNS))
    columns = ", ".join(quote(c) for c in _HISTORY_COLUMNS)
    return (
        f"INSERT INTO {history} ({columns}) SELECT {taken}, %s, %s, %s, %s "  # noqa: S608
        f"FROM {quote(Observation._meta.db_table)} o WHERE {where}"
    )


def _snapshot_unrecorded(ids: list[int], now: Any) -> None:
    """Record the current version of observations that have no history yet (loaded in
    bulk), so that the values an import replaces can be put back: one INSERT … SELECT
    per 500 observations, inside the database."""
    db = bulk.database(Observation)
    history = db.ops.quote_name(Observation.history.model._meta.db_table)
    when = bulk.datetime_value(Observation, now)
    with db.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                _history_copy(
                    f"o.id IN ({marks}) AND NOT EXISTS "  # noqa: S608 - model names
                    f"(SELECT 1 FROM {history} h WHERE h.id = o.id)"
                ),
                [when, "before import", "+", None, *chunk],
            )


FULL_REFRESH_MEASURES = 2_000
"""Above this many changed measures one full recomputation beats incremental updates."""


def refresh_after(values: Sequence[tuple[str, str, float | None, str]]) -> None:
    """Once the transaction commits, bring stored results up to date with written values
    ``(code, period, value or None when removed, segment)``."""
    from trellis.web.results import tasks  # noqa: PLC0415 - tasks import the services

    if not values:
        return
    segmented = any(segment for *_, segment in values)
    if segmented or len({v[0] for v in values}) > FULL_REFRESH_MEASURES:
        transaction.on_commit(tasks.recompute_all.enqueue)
        return
    changes: list[list[object]] = [[code, period, value] for code, period, value, _ in values]
    transaction.on_commit(lambda: tasks.refresh_observations.enqueue(changes))
