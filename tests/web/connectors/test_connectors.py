"""Database connectors against real databases: a SQLite file and the PostgreSQL server.

The PostgreSQL source tests use ``TRELLIS_TEST_SOURCE_PG`` (default: the machine's server,
database ``postgres``); they skip when no server answers, except in CI
(``TRELLIS_REQUIRE_SOURCE_PG=1``), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.conftest import signed_in
from trellis.web.collection.services.approval import set_reporting_month
from trellis.web.collection.services.undo import undo
from trellis.web.connectors.models import Connection, ConnectorRun
from trellis.web.connectors.services import runs as connectors
from trellis.web.connectors.services.runs import ConnectorError
from trellis.web.core import secrets
from trellis.web.observations.models import DataImport, Observation, PeriodLock
from trellis.web.scorecards.models import Measure

pytestmark = pytest.mark.django_db

SUM_SQL = (
    "SELECT sum(amount) AS value FROM sales WHERE store = 'oslo' "
    "AND day BETWEEN :period_start AND :period_end"
)


def value(code: str, period: str) -> float | None:
    found = Observation.objects.filter(measure__code=code, period=period, segment="").first()
    return None if found is None else found.value


@pytest.fixture
def pos(tmp_path: Path) -> Path:
    """A point-of-sale SQLite file: Oslo sold 300 + 120 in March 2026, 410 in April."""
    path = tmp_path / "pos.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sales (store TEXT, day TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO sales VALUES (?, ?, ?)",
            [
                ("oslo", "2026-03-01", 300),
                ("oslo", "2026-03-31", 120),
                ("oslo", "2026-04-01", 410),
                ("bergen", "2026-03-15", 999),
            ],
        )
    return path


def sqlite_connection(path: Path, sql: str = SUM_SQL, timeout: int = 30) -> Connection:
    connection = connectors.save_connection("pos", f"sqlite:///{path}", timeout_seconds=timeout)
    connectors.save_query(connection, Measure.objects.get(code="SALES_OSLO"), sql)
    return connection


def test_sqlite_run_writes_checks_and_undoes(pos: Path) -> None:
    before = value("SALES_OSLO", "2026-03")
    connection = sqlite_connection(pos)

    trial = connectors.run(connection, period="2026-03", write=False)
    assert (trial.state, trial.values_read) == ("checked", 1)
    assert trial.message == "1 value(s) would change, 0 unchanged"
    assert value("SALES_OSLO", "2026-03") == before

    done = connectors.run(connection, period="2026-03")
    assert done.state == "written", done.message
    assert done.message == "0 new, 1 changed, 0 waiting for approval, 0 unchanged"
    stored = Observation.objects.get(measure__code="SALES_OSLO", period="2026-03")
    assert (stored.value, stored.source) == (420.0, "connector")
    record = DataImport.objects.get(pk=done.data_import_id)
    assert (record.source, record.file_name, record.updated) == ("connector", "connector pos", 1)

    again = connectors.run(connection, period="2026-03")
    assert (again.state, again.data_import) == ("unchanged", None)

    undo(record, None)
    assert value("SALES_OSLO", "2026-03") == before


def test_a_quarter_reads_each_month_and_no_row_means_no_value(pos: Path) -> None:
    connection = sqlite_connection(pos)
    run = connectors.run(connection, period="2026-Q1", write=False)
    # Acme's fiscal year starts in April: 2026-Q1 is April-June 2025, where Oslo sold nothing.
    assert run.state == "checked"
    assert run.values_read == 0
    assert "no value for: SALES_OSLO 2025-04, SALES_OSLO 2025-05, SALES_OSLO 2025-06" in (
        run.message
    )
    year = connectors.run(connection, period="2026", write=False)
    assert year.values_read == 1  # March 2026 is the only month with sales in FY 2026


def test_default_period_is_the_one_due_at_the_reporting_month(pos: Path) -> None:
    set_reporting_month("2026-04")  # April is being collected
    connection = sqlite_connection(pos)
    connectors.run(connection)
    assert value("SALES_OSLO", "2026-04") == 410.0


def test_sqlite_session_is_read_only_and_never_creates_a_file(pos: Path, tmp_path: Path) -> None:
    writer = "WITH x AS (SELECT 1) DELETE FROM sales WHERE store = 'oslo'"
    connection = sqlite_connection(pos, writer)
    run = connectors.run(connection, period="2026-03")
    assert run.state == "failed"
    assert "SALES_OSLO 2026-03: attempt to write a readonly database" in run.message
    with sqlite3.connect(pos) as db:
        assert db.execute("SELECT count(*) FROM sales").fetchone() == (4,)

    missing = tmp_path / "nothing-here.sqlite3"
    connectors.save_connection("pos", f"sqlite:///{missing}")
    connectors.save_query(connection, Measure.objects.get(code="SALES_OSLO"), SUM_SQL)
    failed = connectors.run(Connection.objects.get(name="pos"), period="2026-03")
    assert failed.state == "failed"
    assert "pos: cannot connect: unable to open database file" in failed.message
    assert not missing.exists()


def test_sqlite_statement_timeout(pos: Path) -> None:
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT max(x) AS value FROM c"
    )
    run = connectors.run(sqlite_connection(pos, endless, timeout=1), period="2026-03")
    assert run.state == "failed"
    assert "SALES_OSLO 2026-03: stopped by the statement timeout (interrupted)" in run.message
    assert 1 <= run.seconds < 10


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM sales", "a query must be a SELECT (or WITH … SELECT) statement"),
        ("SELECT 1; SELECT 2", "a query must be one statement (no ';' inside)"),
        (
            "SELECT amount FROM sales WHERE store = :store",
            "unknown parameter(s) :store; a query may use :period_start, :period_end, "
            ":next_period_start, :period, :measure",
        ),
    ],
)
def test_bad_queries_are_refused_when_saved(pos: Path, sql: str, message: str) -> None:
    connection = connectors.save_connection("pos", f"sqlite:///{pos}")
    with pytest.raises(ConnectorError) as caught:
        connectors.save_query(connection, Measure.objects.get(code="SALES_OSLO"), sql)
    assert str(caught.value) == message


def test_computed_measures_take_no_query(pos: Path) -> None:
    connection = connectors.save_connection("pos", f"sqlite:///{pos}")
    with pytest.raises(ConnectorError, match="REV_NORTH is computed \\(rollup\\)"):
        connectors.save_query(connection, Measure.objects.get(code="REV_NORTH"), SUM_SQL)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT amount FROM sales WHERE day BETWEEN :period_start AND :period_end",
            "SALES_OSLO 2026-03: the query returns 3 rows; return one row, or one per segment "
            "with a 'segment' column",
        ),
        ("SELECT 'lots' AS value", "SALES_OSLO 2026-03: 'lots' is not a number"),
        (
            "SELECT 1 AS a, 2 AS b",
            "SALES_OSLO 2026-03: the query returns columns a, b; name the value column 'value'",
        ),
        ("SELECT amount AS value FROM no_such_table", "no such table: no_such_table"),
    ],
)
def test_bad_results_fail_the_run_and_write_nothing(pos: Path, sql: str, message: str) -> None:
    before = value("SALES_OSLO", "2026-03")
    run = connectors.run(sqlite_connection(pos, sql), period="2026-03")
    assert run.state == "failed"
    assert run.message.startswith("nothing was written\n")
    assert message in run.message
    assert value("SALES_OSLO", "2026-03") == before
    assert not DataImport.objects.exists()


def test_locked_period_is_refused(pos: Path) -> None:
    PeriodLock.objects.create(period="2026-03", first_month=2026 * 12 + 2, last_month=2026 * 12 + 2)
    before = value("SALES_OSLO", "2026-03")
    run = connectors.run(sqlite_connection(pos), period="2026-03")
    assert run.state == "failed"
    assert "SALES_OSLO 2026-03: period 2026-03 is locked (2026-03)" in run.message
    assert value("SALES_OSLO", "2026-03") == before


def test_passwords_are_stored_encrypted_and_never_shown() -> None:
    connection = connectors.save_connection("erp", "postgresql://reader:s3cret@db.example/erp")
    assert connection.url == "postgresql://reader@db.example/erp"
    assert "s3cret" not in connection.password_encrypted
    assert secrets.decrypt(connection.password_encrypted) == "s3cret"
    assert connectors.shown_url(connection) == "postgresql://reader:***@db.example/erp"
    assert connectors.credential(connection) == "stored encrypted ••••••••"
    kept = connectors.save_connection("erp", "postgresql://reader@db.example/erp", password=None)
    assert secrets.decrypt(kept.password_encrypted) == "s3cret"
    history = list(Connection.history.values_list("url", flat=True))
    assert all("s3cret" not in url for url in history)

    from_env = connectors.save_connection(
        "erp", "postgresql://reader@db.example/erp", password_env="TRELLIS_TEST_NO_SUCH_VARIABLE"
    )
    assert from_env.password_encrypted == ""
    assert connectors.credential(from_env) == "environment variable TRELLIS_TEST_NO_SUCH_VARIABLE"
    unset = r"TRELLIS_TEST_NO_SUCH_VARIABLE \(the password of erp\) is not set"
    with pytest.raises(ConnectorError, match=unset):
        connectors.open_engine(from_env)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "'not a url' is not a database URL"),
        ("oracle://u:pw@host/db", "oracle databases are not supported; use one of: sqlite"),
        ("sqlite://", "a SQLite connection needs a database file"),
    ],
)
def test_bad_connections_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConnectorError, match=message):
        connectors.save_connection("bad", url)
    assert not Connection.objects.exists()


def test_scheduled_runs_happen_once_when_due(pos: Path) -> None:
    connection = sqlite_connection(pos)
    connectors.save_connection("pos", f"sqlite:///{pos}", schedule="daily")
    Connection.objects.filter(pk=connection.pk).update(
        next_run_at=timezone.now() - dt.timedelta(minutes=1)
    )
    now = timezone.now()
    runs = connectors.run_due(now)
    assert [(r.connection.name, r.trigger, r.state) for r in runs] == [
        ("pos", "schedule", "written")
    ]
    assert Connection.objects.get(pk=connection.pk).next_run_at == now + dt.timedelta(days=1)
    assert connectors.run_due(now) == []


# -- web pages -----------------------------------------------------------------------------


def test_connector_page_for_admins(pos: Path, admin_client: Client) -> None:
    created = admin_client.post(
        "/data/connectors/",
        {
            "action": "save",
            "name": "erp",
            "url": "postgresql://reader@db.example/erp",
            "password": "hunter22",
            "timeout_seconds": "20",
            "schedule": "daily",
        },
        follow=True,
    )
    assert b"Connection erp saved." in created.content
    assert b"hunter22" not in created.content
    assert b"postgresql://reader:***@db.example/erp" in created.content
    assert secrets.decrypt(Connection.objects.get(name="erp").password_encrypted) == "hunter22"

    sqlite_connection(pos)
    ran = admin_client.post(
        "/data/connectors/", {"action": "run", "name": "pos", "period": "2026-03"}, follow=True
    )
    assert b"pos: values written" in ran.content
    assert value("SALES_OSLO", "2026-03") == 420.0
    assert ConnectorRun.objects.filter(connection__name="pos", user__username="admin").exists()

    bad = admin_client.post(
        "/data/connectors/",
        {"action": "query", "name": "pos", "measure": "SALES_OSLO", "sql": "DROP TABLE sales"},
    )
    assert bad.status_code == 400
    assert b"a query must be a SELECT" in bad.content


def test_connector_page_is_hidden_from_others(viewer_client: Client) -> None:
    assert viewer_client.get("/data/connectors/").status_code == 404
    assert signed_in("updater").post("/data/connectors/", {"action": "run"}).status_code == 404


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def pg_source() -> Iterator[str]:
    """A table of sales in a schema of its own on the PostgreSQL server; its URL."""
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("TRELLIS_TEST_SOURCE_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        db = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("TRELLIS_REQUIRE_SOURCE_PG") == "1":
            raise AssertionError(f"the PostgreSQL source must be reachable in CI: {exc}") from exc
        pytest.skip(f"no PostgreSQL server for connector tests ({url}): {exc}")
    schema = f"trellis_source_{uuid.uuid4().hex[:8]}"
    with db:
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"CREATE TABLE {schema}.sales (store text, day date, amount numeric)")
        db.execute(
            f"INSERT INTO {schema}.sales VALUES ('oslo', '2026-03-02', 120.5), "
            f"('oslo', '2026-03-30', 30), ('bergen', '2026-03-10', 999)"
        )
        try:
            yield f"{url}?options=-csearch_path%3D{schema}"
        finally:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def pg_connection(url: str, sql: str, timeout: int = 30) -> Connection:
    connection = connectors.save_connection("warehouse", url, timeout_seconds=timeout)
    connectors.save_query(connection, Measure.objects.get(code="SALES_OSLO"), sql)
    return connection


def test_postgresql_password_from_the_environment(
    pg_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRELLIS_TEST_PG_PASSWORD", "from-the-environment")
    connection = connectors.save_connection(
        "warehouse", pg_source, password_env="TRELLIS_TEST_PG_PASSWORD"
    )
    connectors.save_query(
        connection, Measure.objects.get(code="SALES_OSLO"), "SELECT count(*) AS value FROM sales"
    )
    assert connectors.shown_url(connection).startswith("postgresql://postgres:***@127.0.0.1")
    run = connectors.run(connection, period="2026-03", write=False)
    assert (run.state, run.values_read) == ("checked", 1), run.message


def test_postgresql_run(pg_source: str) -> None:
    sql = SUM_SQL.replace(
        "BETWEEN :period_start AND :period_end", ">= :period_start AND day < :next_period_start"
    )
    run = connectors.run(pg_connection(pg_source, sql), period="2026-03")
    assert run.state == "written", run.message
    assert value("SALES_OSLO", "2026-03") == 150.5


def test_postgresql_session_is_read_only(pg_source: str) -> None:
    writer = "WITH gone AS (DELETE FROM sales RETURNING 1) SELECT count(*) AS value FROM gone"
    run = connectors.run(pg_connection(pg_source, writer), period="2026-03")
    assert run.state == "failed"
    assert "SALES_OSLO 2026-03: cannot execute SELECT in a read-only transaction" in run.message
    check = connectors.run(
        pg_connection(pg_source, "SELECT count(*) AS value FROM sales"),
        period="2026-03",
        write=False,
    )
    assert check.message.startswith("1 value(s) would change")  # the three rows are all there


def test_postgresql_statement_timeout(pg_source: str) -> None:
    run = connectors.run(
        pg_connection(pg_source, "SELECT 1 AS value FROM pg_sleep(5)", timeout=1), period="2026-03"
    )
    assert run.state == "failed"
    assert "stopped by the statement timeout (canceling statement due to statement timeout)" in (
        run.message
    )
    assert run.seconds < 4


def test_outliers_are_written_and_noted(pos: Path) -> None:
    run = connectors.run(sqlite_connection(pos, "SELECT 99999 AS value"), period="2026-03")
    assert run.state == "written", run.message
    assert "outlier: SALES_OSLO 2026-03: 99,999 is beyond 3 standard deviations" in run.message
    assert value("SALES_OSLO", "2026-03") == 99999


def test_the_task_backend_runs_due_connections(pos: Path) -> None:
    from trellis.web.connectors import tasks

    connection = sqlite_connection(pos)
    connectors.save_connection("pos", f"sqlite:///{pos}", schedule="hourly")
    Connection.objects.filter(pk=connection.pk).update(
        next_run_at=timezone.now() - dt.timedelta(seconds=1)
    )
    result = tasks.run_due_connectors.enqueue()  # immediate backend in tests
    assert result.return_value == ["pos: written"]
    assert Connection.objects.get(pk=connection.pk).next_run_at > timezone.now()


def test_admin_pages_never_show_the_password(admin_client: Client) -> None:
    connection = connectors.save_connection("erp", "postgresql://reader:s3cret@db/erp")
    page = admin_client.get(f"/admin/connectors/connection/{connection.pk}/change/")
    assert page.status_code == 200
    assert b"s3cret" not in page.content
    assert connection.password_encrypted.encode() not in page.content


def test_the_connectors_page_says_what_is_wrong_with_a_form(admin_client: Client) -> None:
    response = admin_client.post(
        "/data/connectors/",
        {"action": "save", "name": "pos", "url": "sqlite:////x.db", "timeout_seconds": "abc"},
    )
    assert response.status_code == 400
    assert "timeout_seconds: &#x27;abc&#x27; is not a whole number" in response.content.decode()
    unknown = admin_client.post("/data/connectors/", {"action": "explode"})
    assert unknown.status_code == 400
    assert "unknown action" in unknown.content.decode()
    assert not Connection.objects.filter(name="pos").exists()
