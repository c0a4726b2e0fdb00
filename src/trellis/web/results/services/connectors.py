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
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from trellis.engine.periods import Frequency, Period, PeriodError, grain_of_frequency
from trellis.web.core import secrets
from trellis.web.observations.models import Connection, ConnectorQuery, ConnectorRun
from trellis.web.results.services import data
from trellis.web.results.services.collection import LOOKBACK_MONTHS, reporting_month
from trellis.web.results.services.pages import calendar

DIALECTS = ("sqlite", "postgresql")
"""Databases whose sessions Trellis can make read-only and time-limited."""
PARAMETERS = ("period_start", "period_end", "next_period_start", "period", "measure")
"""The bind parameters a query may use."""
SCHEDULE_EVERY = {
    Connection.Schedule.HOURLY: dt.timedelta(hours=1),
    Connection.Schedule.DAILY: dt.timedelta(days=1),
    Connection.Schedule.WEEKLY: dt.timedelta(weeks=1),
}
_FIRST_WORD = re.compile(r"^\s*(?:(?:--[^\n]*\n)|(?:/\*.*?\*/)|\s)*(\w+)", re.DOTALL)


class ConnectorError(Exception):
    """A connection or query cannot be used as it is; the message says why."""


# -- connections ---------------------------------------------------------------------------


def parse_url(text: str) -> tuple[URL, str]:
    """The URL without its password, and the password it carried ("" when none). Raises
    :class:`ConnectorError` for a malformed URL or an unsupported database."""
    try:
        url = make_url(text.strip())
    except ArgumentError as exc:
        raise ConnectorError(
            _("'{url}' is not a database URL (e.g. postgresql://user@host/db)").format(
                url=_hide(text)
            )
        ) from exc
    if url.get_backend_name() not in DIALECTS:
        raise ConnectorError(
            _("{name} databases are not supported; use one of: {known}").format(
                name=url.get_backend_name(), known=", ".join(DIALECTS)
            )
        )
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConnectorError(_("a SQLite connection needs a database file"))
    return url._replace(password=None), url.password or ""  # set() ignores None


def _hide(text: str) -> str:
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", text)


def save_connection(
    name: str,
    url: str,
    *,
    password: str | None = None,
    password_env: str = "",
    timeout_seconds: int = 30,
    schedule: str = "manual",
    user: Any = None,
) -> Connection:
    """Create or change a connection. A password given (or written in the URL) is stored
    encrypted; ``None`` keeps the stored one; ``""`` removes it."""
    bare, inline = parse_url(url)
    if schedule not in Connection.Schedule.values:
        raise ConnectorError(
            _("unknown schedule '{s}'; use one of: {known}").format(
                s=schedule, known=", ".join(Connection.Schedule.values)
            )
        )
    if not 1 <= timeout_seconds <= 3600:
        raise ConnectorError(_("the statement timeout must be 1 to 3600 seconds"))
    if password_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
        raise ConnectorError(_("'{v}' is not an environment variable name").format(v=password_env))
    connection = Connection.objects.filter(name=name).first() or Connection(
        name=name, created_by=user if getattr(user, "is_authenticated", False) else None
    )
    connection.url = bare.render_as_string(hide_password=False)
    connection.password_env = password_env
    secret = inline or password
    if secret is not None:
        connection.password_encrypted = secrets.encrypt(secret) if secret else ""
    if password_env:
        connection.password_encrypted = ""
    connection.timeout_seconds = timeout_seconds
    if connection.schedule != schedule or connection.next_run_at is None:
        connection.next_run_at = _next_run(schedule, timezone.now())
    connection.schedule = schedule
    connection.full_clean()
    connection.save()
    return connection


def shown_url(connection: Connection) -> str:
    """The URL as shown to people: a password, if any, only as a mask."""
    url = make_url(connection.url)
    if connection.password_encrypted or connection.password_env:
        url = url.set(password="hidden")  # noqa: S106 - rendered as ***
    return url.render_as_string(hide_password=True)


def credential(connection: Connection) -> str:
    """Where the password comes from, in words (never the password)."""
    if connection.password_env:
        return _("environment variable {name}").format(name=connection.password_env)
    if connection.password_encrypted:
        return _("stored encrypted {mask}").format(mask=secrets.masked("x"))
    return _("none")


def _full_url(connection: Connection) -> URL:
    import os  # noqa: PLC0415 - read at the moment of connecting

    url = make_url(connection.url)
    if connection.password_env:
        password = os.environ.get(connection.password_env)
        if password is None:
            raise ConnectorError(
                _("the environment variable {name} (the password of {conn}) is not set").format(
                    name=connection.password_env, conn=connection.name
                )
            )
        url = url.set(password=password)
    elif connection.password_encrypted:
        try:
            url = url.set(password=secrets.decrypt(connection.password_encrypted))
        except secrets.SecretError as exc:
            raise ConnectorError(f"{connection.name}: {exc}") from exc
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def open_engine(connection: Connection) -> sa.Engine:
    """An engine whose every session is read-only and stops statements after the
    connection's timeout. SQLite files open in read-only mode (never created); PostgreSQL
    sessions start with ``default_transaction_read_only`` and ``statement_timeout``."""
    url = _full_url(connection)
    seconds = connection.timeout_seconds
    try:
        if url.get_backend_name() == "sqlite":
            path = url.database or ""
            engine = sa.create_engine(
                url.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"}),
                poolclass=NullPool,
            )

            @sa.event.listens_for(engine, "connect")
            def _sqlite_session(dbapi: Any, record: Any) -> None:
                dbapi.execute("PRAGMA query_only = ON")

            return engine
        # The URL's own options (a search_path, say) are kept; read-only and the timeout
        # come last so that they win.
        given = url.query.get("options", "")
        options = " ".join(
            [
                *([given] if isinstance(given, str) else list(given)),
                "-c default_transaction_read_only=on",
                f"-c statement_timeout={seconds * 1000}",
            ]
        ).strip()
        return sa.create_engine(
            url.difference_update_query(["options"]),
            poolclass=NullPool,
            connect_args={"options": options, "connect_timeout": min(seconds, 30)},
        )
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConnectorError(f"{connection.name}: {exc}") from exc


# -- queries -------------------------------------------------------------------------------


def check_sql(sql: str) -> None:
    """Refuse a query that is not a single SELECT (or WITH … SELECT), or that uses bind
    parameters Trellis does not provide."""
    first = _FIRST_WORD.match(sql)
    if first is None or first.group(1).lower() not in ("select", "with"):
        raise ConnectorError(_("a query must be a SELECT (or WITH … SELECT) statement"))
    if ";" in sql.strip().rstrip(";"):
        raise ConnectorError(_("a query must be one statement (no ';' inside)"))
    unknown = sorted({name for name in sa.text(sql).compile().params if name not in PARAMETERS})
    if unknown:
        raise ConnectorError(
            _("unknown parameter(s) {names}; a query may use {known}").format(
                names=", ".join(f":{n}" for n in unknown),
                known=", ".join(f":{n}" for n in PARAMETERS),
            )
        )


def save_query(connection: Connection, measure: Any, sql: str) -> ConnectorQuery:
    """Create or change the query of a measure (its values must be reported, not computed)."""
    check_sql(sql)
    if measure.source in ("formula", "rollup"):
        raise ConnectorError(
            _(
                "measure {code} is computed ({source}); it cannot read values from a database"
            ).format(code=measure.code, source=measure.source)
        )
    query, _created = ConnectorQuery.objects.update_or_create(
        measure=measure, defaults={"connection": connection, "sql": sql.strip(), "active": True}
    )
    return query


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


def _next_run(schedule: str, after: dt.datetime) -> dt.datetime | None:
    every = SCHEDULE_EVERY.get(Connection.Schedule(schedule))
    return None if every is None else after + every


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
            connection.next_run_at = _next_run(connection.schedule, now)
            connection.save(update_fields=["next_run_at"])
        runs.append(run(connection, None, trigger="schedule"))
    return runs
