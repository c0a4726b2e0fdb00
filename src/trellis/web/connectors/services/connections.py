"""Database connections: SQLAlchemy URLs whose password comes from an environment variable
or is stored encrypted (never shown back in full), sessions that are read-only with a
statement timeout, and the rules a measure's query obeys. Runs are in :mod:`.connectors`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import sqlalchemy as sa
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from trellis.web.connectors.models import Connection, ConnectorQuery
from trellis.web.core import secrets

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
        connection.next_run_at = next_run(schedule, timezone.now())
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


def next_run(schedule: str, after: dt.datetime) -> dt.datetime | None:
    """When a connection on this schedule runs next (None: on demand only)."""
    every = SCHEDULE_EVERY.get(Connection.Schedule(schedule))
    return None if every is None else after + every
