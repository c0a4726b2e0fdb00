"""Database connectors: read measure values from the databases where they already live.

A :class:`Connection` is an SQLAlchemy URL whose password comes from an environment variable
or is stored encrypted; each measure may have one :class:`ConnectorQuery`. A run executes the
queries of a connection for the measures' periods, each in a read-only session with a
statement timeout inside a transaction that is always rolled back, and writes what they
return through the same checks as every other path (:mod:`.data`): permissions, locked
periods, data rules, approval, one transaction, undoable as a whole.

A query returns one row with the value (a column named ``value``, or the only column) or,
for segmented measures, one row per segment (columns ``segment`` and ``value``); a
``comment`` column is optional. No row, or a NULL value, means no value for that period.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from trellis.engine.periods import Frequency, Period, PeriodError, grain_of_frequency
from trellis.web.collection.services import data
from trellis.web.collection.services.reporting import LOOKBACK_MONTHS
from trellis.web.connectors.models import Connection, ConnectorQuery, ConnectorRun
from trellis.web.connectors.services.connections import (
    PARAMETERS,
    ConnectorError,
    check_sql,
    credential,
    next_run,
    open_engine,
    parse_url,
    save_connection,
    save_query,
    shown_url,
)
from trellis.web.results.services.pages import calendar, reporting_month


@dataclass(frozen=True)
class Read:
    """One row a query returned."""

    measure: str
    period: str
    segment: str
    value: object
    comment: str


@dataclass
class Reading:
    """What a connection's queries returned, and what went wrong."""

    values: list[Read] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


def bounds(period: Period) -> dict[str, object]:
    """The bind parameters of a period."""
    start = dt.date(period.start // 12, period.start % 12 + 1, 1)
    after = dt.date((period.end + 1) // 12, (period.end + 1) % 12 + 1, 1)
    return {
        "period_start": start,
        "period_end": after - dt.timedelta(days=1),
        "next_period_start": after,
        "period": period.label,
    }


def periods_for(frequency: str, within: Period | None) -> list[Period]:
    """The periods of a measure reporting per ``frequency`` to read: those ending inside
    ``within``, or (None) the latest one due at the reporting month."""
    grain = grain_of_frequency(Frequency(frequency))
    cal = calendar()
    if within is not None:
        return cal.periods(grain, within.start, within.end)
    month = reporting_month()
    return cal.periods(grain, month - LOOKBACK_MONTHS + 1, month)[-1:]


def read(
    connection: Connection, queries: Sequence[ConnectorQuery], within: Period | None
) -> Reading:
    """Run the queries for their periods; every failure is collected, none stops the rest."""
    reading = Reading()
    try:
        engine = open_engine(connection)
    except ConnectorError as exc:
        reading.problems.append(str(exc))
        return reading
    try:
        with engine.connect() as conn:
            for query in queries:
                measure = query.measure
                for period in periods_for(measure.frequency, within):
                    _run_one(conn, connection, query, period, reading)
    except SQLAlchemyError as exc:
        reading.problems.append(
            _("{conn}: cannot connect: {error}").format(conn=connection.name, error=_brief(exc))
        )
    finally:
        engine.dispose()
    return reading


def _run_one(
    conn: sa.Connection,
    connection: Connection,
    query: ConnectorQuery,
    period: Period,
    reading: Reading,
) -> None:
    code = query.measure.code
    where = f"{code} {period.label}"
    params = {**bounds(period), "measure": code}
    statement = sa.text(query.sql)
    used = set(statement.compile().params)
    if conn.dialect.name == "sqlite":
        params = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
    try:
        check_sql(query.sql)
        with conn.begin() as tx:
            deadline = time.monotonic() + connection.timeout_seconds
            if conn.dialect.name == "sqlite":
                raw = conn.connection.driver_connection
                raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)  # type: ignore[union-attr]
            result = conn.execute(statement, {k: v for k, v in params.items() if k in used})
            columns = [str(c).lower() for c in result.keys()]  # noqa: SIM118 - Result, not dict
            rows = result.fetchmany(10_001)
            tx.rollback()
    except ConnectorError as exc:
        reading.problems.append(f"{where}: {exc}")
        return
    except SQLAlchemyError as exc:
        reading.problems.append(f"{where}: {_brief(exc)}")
        return
    _collect(where, code, period.label, columns, rows, reading)


def _collect(
    where: str,
    code: str,
    period: str,
    columns: list[str],
    rows: Sequence[Any],
    reading: Reading,
) -> None:
    if "value" in columns:
        at = columns.index("value")
    elif len(columns) == 1:
        at = 0
    else:
        reading.problems.append(
            _("{where}: the query returns columns {cols}; name the value column 'value'").format(
                where=where, cols=", ".join(columns)
            )
        )
        return
    segment_at = columns.index("segment") if "segment" in columns else None
    comment_at = columns.index("comment") if "comment" in columns else None
    if len(rows) > 1 and segment_at is None:
        reading.problems.append(
            _(
                "{where}: the query returns {n} rows; return one row, or one per segment with a "
                "'segment' column"
            ).format(where=where, n=len(rows) if len(rows) <= 10_000 else "over 10,000")
        )
        return
    found = False
    for row in rows:
        if row[at] is None:
            continue
        found = True
        reading.values.append(
            Read(
                code,
                period,
                "" if segment_at is None or row[segment_at] is None else str(row[segment_at]),
                row[at],
                "" if comment_at is None or row[comment_at] is None else str(row[comment_at]),
            )
        )
    if not found:
        reading.empty.append(where)


def _brief(exc: SQLAlchemyError) -> str:
    """The database's own message, without SQLAlchemy's statement dump and links."""
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc).strip()
    text = text.split("\n[SQL:", 1)[0].split("\n(Background", 1)[0]
    if "interrupted" in text or "statement timeout" in text:
        return _("stopped by the statement timeout ({text})").format(text=text.splitlines()[0])
    return " ".join(text.split())


# -- runs ----------------------------------------------------------------------------------


def run(
    connection: Connection,
    user: Any = None,
    *,
    period: str | None = None,
    write: bool = True,
    trigger: str = "manual",
    measures: Sequence[str] | None = None,
) -> ConnectorRun:
    """Read the connection's active queries for ``period`` (a label of any grain: each
    measure's periods ending inside it; default: each measure's period due at the reporting
    month) and, with ``write``, write the values as one undoable import (all or nothing).
    The run is recorded with every problem."""
    started = time.monotonic()
    record = ConnectorRun(connection=connection, trigger=trigger, periods=period or "")
    record.user = user if getattr(user, "is_authenticated", False) else None
    queries = list(
        connection.queries.filter(active=True).select_related("measure").order_by("measure__code")
    )
    if measures is not None:
        queries = [q for q in queries if q.measure.code in set(measures)]
    problems: list[str] = []
    within = None
    if period:
        try:
            within = calendar().parse(period)
        except PeriodError as exc:
            problems.append(str(exc))
    if not queries:
        problems.append(
            _("the connection {name} has no active queries").format(name=connection.name)
        )
    reading = Reading() if problems else read(connection, queries, within)
    problems.extend(reading.problems)
    record.values_read = len(reading.values)
    notes: list[str] = []
    if reading.empty:
        notes.append(_("no value for: {which}").format(which=", ".join(reading.empty[:50])))
    if not problems and reading.values:
        label = _("connector {name}").format(name=connection.name)
        rows = [(v.measure, v.period, v.value, v.segment, v.comment) for v in reading.values]
        check = data.check_values(rows, user, label)
        if check.confirmations:
            # Nobody is there to confirm an outlier during a run: it is written and noted.
            notes.extend(
                _("outlier: {what}").format(what=_describe(f.message, rows, f.location.line))
                for f in check.confirmations
            )
        if check.errors:
            problems.extend(_describe(f.message, rows, f.location.line) for f in check.errors)
        elif not write:
            record.state = ConnectorRun.State.CHECKED
            notes.insert(
                0,
                _("{n} value(s) would change, {u} unchanged").format(
                    n=len(check.changes), u=check.unchanged
                ),
            )
        else:
            check.sha256 = ""
            written = data.commit(check, user, "connector", label)
            record.data_import = written.record
            record.state = (
                ConnectorRun.State.WRITTEN if written.record else ConnectorRun.State.UNCHANGED
            )
            notes.insert(
                0,
                _("{c} new, {u} changed, {p} waiting for approval, {s} unchanged").format(
                    c=written.created, u=written.updated, p=written.pending, s=written.unchanged
                ),
            )
    if problems:
        record.state = ConnectorRun.State.FAILED
        notes = [_("nothing was written"), *problems, *notes]
    elif not reading.values:
        record.state = ConnectorRun.State.UNCHANGED if write else ConnectorRun.State.CHECKED
    record.message = "\n".join(notes)
    record.seconds = round(time.monotonic() - started, 3)
    record.save()
    return record


def _describe(message: str, rows: Sequence[tuple[object, ...]], line: int | None) -> str:
    """A data finding of a connector value, named by measure and period instead of a row."""
    if line is None or not 1 <= line <= len(rows):
        return message
    code, period = rows[line - 1][:2]
    return f"{code} {period}: {message.split(': ', 1)[-1]}"


def run_due(now: dt.datetime | None = None) -> list[ConnectorRun]:
    """Run every active scheduled connection whose time has come, and set its next time.
    Each connection is claimed under a row lock so that two schedulers never run it twice."""
    now = now or timezone.now()
    runs: list[ConnectorRun] = []
    due = Connection.objects.filter(active=True, next_run_at__lte=now).exclude(
        schedule=Connection.Schedule.MANUAL
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            connection = (
                Connection.objects.select_for_update().filter(pk=pk, next_run_at__lte=now).first()
            )
            if connection is None:
                continue
            connection.next_run_at = next_run(connection.schedule, now)
            connection.save(update_fields=["next_run_at"])
        runs.append(run(connection, None, trigger="schedule"))
    return runs


__all__ = [
    "PARAMETERS",
    "ConnectorError",
    "check_sql",
    "credential",
    "open_engine",
    "parse_url",
    "read",
    "run",
    "run_due",
    "save_connection",
    "save_query",
    "shown_url",
]
