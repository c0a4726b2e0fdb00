"""Two web processes and a worker on PostgreSQL and Redis (``conftest.Cluster``): what one
process writes, the other shows; sessions are shared and revocable; a worker killed in the
middle of its work loses nothing."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import psycopg

from tests.operations.conftest import Cluster
from tests.real_client import Browser

ROW = r'{code}/">[^<]*</a></th><td class="number">([^<]*)<'


def _shown(client: Browser, code: str, period: str) -> str:
    """The actual of a measure on the Retail scorecard for a period, as shown."""
    status, _headers, page = client.request(f"/units/retail/?period={period}")
    assert status == 200
    found = re.search(ROW.format(code=code), page)
    assert found is not None, f"{code} not on the Retail scorecard"
    return found.group(1).split("<")[0].replace(",", "").strip()


def _wait_for(client: Browser, code: str, period: str, value: str, seconds: float) -> float:
    """Seconds until the page shows ``value`` (fails after ``seconds``)."""
    start = time.monotonic()
    while (shown := _shown(client, code, period)) != value:
        assert time.monotonic() - start < seconds, f"{code} still shows {shown!r}"
        time.sleep(0.05)
    return time.monotonic() - start


def _signed_in(url: str, name: str) -> Browser:
    client = Browser(url)
    assert client.sign_in(name, "demo") == 302
    return client


def test_a_value_saved_through_one_process_shows_on_the_other_within_a_second(
    cluster: Cluster,
) -> None:
    updater = _signed_in(cluster.urls[0], "updater")
    viewer = _signed_in(cluster.urls[1], "viewer")
    assert _shown(viewer, "OPEX_RETAIL", "2026-04") == "—"  # nothing reported yet
    status, headers, _page = updater.post(
        "/data/updates/", {"value__OPEX_RETAIL__2026-04": "831", "confirm": "on"}
    )
    assert (status, headers["location"]) == (302, "/data/updates/")
    _wait_for(viewer, "OPEX_RETAIL", "2026-04", "831", seconds=1.0)
    # … and the other way round, the stored results moving on from the new state
    status, _headers, _page = _signed_in(cluster.urls[1], "updater").post(
        "/data/updates/", {"value__OPEX_RETAIL__2026-04": "842", "confirm": "on"}
    )
    assert status == 302
    _wait_for(_signed_in(cluster.urls[0], "viewer"), "OPEX_RETAIL", "2026-04", "842", 1.0)


def test_sessions_live_in_redis_are_shared_and_end_everywhere_when_revoked(
    cluster: Cluster,
) -> None:
    viewer = _signed_in(cluster.urls[0], "viewer")
    key = next(c.value for c in viewer.jar if c.name == "sessionid")
    assert any(k.endswith(key.encode()) for k in cluster.redis.keys("*sessions*"))
    other = Browser(cluster.urls[1])
    other.jar.set_cookie(next(c for c in viewer.jar if c.name == "sessionid"))
    assert other.request("/")[0] == 200  # the same session, served by the other process
    revoked = cluster.cli("sessions", "--revoke", "viewer")
    assert revoked.returncode == 0, revoked.stderr
    assert not any(k.endswith(key.encode()) for k in cluster.redis.keys("*sessions*"))
    for client in (viewer, other):
        status, headers, _page = client.request("/")
        assert (status, headers["location"]) == (302, "/login/?next=/")


def test_health_reports_every_shared_service(cluster: Cluster) -> None:
    status, headers, body = Browser(cluster.urls[1]).request("/healthz")
    assert status == 200
    report = json.loads(body)
    assert report["status"] == "ok"
    checks = report["checks"]
    assert checks["database"]["vendor"] == "postgresql"
    assert checks["cache"]["backend"] == "SharedRedisCache"
    assert checks["queue"]["backend"] == "rq"
    assert checks["worker"]["alive"] == 1
    assert "no-store" in headers["cache-control"]


def test_a_worker_killed_in_the_middle_of_a_refresh_loses_nothing(cluster: Cluster) -> None:
    updater = _signed_in(cluster.urls[0], "updater")
    viewer = _signed_in(cluster.urls[1], "viewer")
    csv = b"measure,period,value\nOPEX_RETAIL,2026-05,817\nSTOCKOUT_RATE,2026-05,2.5\n"
    # The worker's refresh will wait, inside its transaction, for the Retail row held here.
    with psycopg.connect(cluster.database) as holder:
        holder.execute("SELECT 1 FROM scorecards_unit WHERE code = 'retail' FOR UPDATE")
        _import(updater, "may.csv", csv)
        deadline = time.monotonic() + 30
        while not cluster.sql(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE 'UPDATE \"scorecards_unit\"%%'"
        ):
            assert time.monotonic() < deadline, cluster.log("worker")
            time.sleep(0.05)
        cluster.kill_worker()
        holder.rollback()
    # The import is whole; the results it was refreshing were rolled back with the worker.
    assert cluster.sql(
        "SELECT created, updated, rows_read FROM observations_dataimport"
        " WHERE file_name = 'may.csv'"
    ) == [(2, 0, 2)]
    [(data, results)] = cluster.sql(
        "SELECT data_revision, results_revision FROM scorecards_organization"
    )
    assert results < data
    assert _shown(viewer, "OPEX_RETAIL", "2026-05") == "—"
    cluster.start_worker()  # catches up before it takes new work
    _wait_for(viewer, "OPEX_RETAIL", "2026-05", "817", seconds=60)
    assert "behind the data" in cluster.log("worker")
    [(data, results)] = cluster.sql(
        "SELECT data_revision, results_revision FROM scorecards_organization"
    )
    assert results == data
    # Importing the same file again changes nothing.
    _import(updater, "may.csv", csv)
    _wait_until(
        lambda: cluster.sql("SELECT count(*) FROM observations_pendingupload") == [(0,)], 30
    )
    assert cluster.sql(
        "SELECT count(*) FROM observations_dataimport WHERE file_name = 'may.csv'"
    ) == [(1,)]  # the second import found every value stored: nothing recorded


def test_a_worker_killed_in_the_middle_of_an_import_loses_nothing(cluster: Cluster) -> None:
    updater = _signed_in(cluster.urls[0], "updater")
    viewer = _signed_in(cluster.urls[1], "viewer")
    csv = b"measure,period,value\nOPEX_RETAIL,2026-05,905\nNPS_RETAIL,2026-05,44\n"
    [(row,)] = cluster.sql(
        "SELECT o.id FROM observations_observation o JOIN scorecards_measure m"
        " ON m.id = o.measure_id WHERE m.code = 'OPEX_RETAIL' AND o.period = '2026-05'"
    )
    # The worker's import will wait, inside its transaction, for the stored value held here.
    with psycopg.connect(cluster.database) as holder:
        holder.execute("SELECT 1 FROM observations_observation WHERE id = %s FOR UPDATE", [row])
        _import(updater, "june.csv", csv)
        _wait_until(lambda: bool(cluster.sql(WAITING_ON_A_LOCK)), 30, cluster.log("worker"))
        cluster.kill_worker()
        holder.rollback()
    # Nothing of it was written; the file is still queued.
    assert cluster.sql(
        "SELECT count(*) FROM observations_dataimport WHERE file_name = 'june.csv'"
    ) == [(0,)]
    assert _shown(viewer, "OPEX_RETAIL", "2026-05") == "817"
    assert cluster.sql(
        "SELECT file_name FROM observations_pendingupload WHERE queued_at IS NOT NULL"
    ) == [("june.csv",)]
    _status, _headers, page = updater.request("/data/imports/")
    assert "june.csv — queued at" in page
    cluster.start_worker()  # runs the queued import again, whole
    _wait_for(viewer, "OPEX_RETAIL", "2026-05", "905", seconds=60)
    assert cluster.sql(
        "SELECT created, updated FROM observations_dataimport WHERE file_name = 'june.csv'"
    ) == [(1, 1)]
    assert cluster.sql("SELECT count(*) FROM observations_pendingupload") == [(0,)]


WAITING_ON_A_LOCK = (
    "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    " AND datname = 'trellis_processes'"
)


def _import(client: Browser, name: str, content: bytes) -> None:
    """Upload a file, and import it from its preview."""
    status, _headers, page = client.upload("/data/imports/", name, content)
    assert status == 200, page
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    status, _headers, _page = client.post(
        "/data/imports/", {"token": token.group(1), "confirm": "on"}
    )
    assert status == 302


def _wait_until(done: Any, seconds: float, why: str = "") -> None:
    start = time.monotonic()
    while not done():
        assert time.monotonic() - start < seconds, why
        time.sleep(0.05)


def test_web_processes_ask_the_worker_for_what_needs_the_evaluation(cluster: Cluster) -> None:
    viewer = _signed_in(cluster.urls[0], "viewer")
    updater = _signed_in(cluster.urls[1], "updater")
    page = _page(viewer, "/measures/NPS_RETAIL/?period=2026-03")
    assert "score = " in _explanation(page)  # the worker's evaluation, through Redis
    assert '"control"' in page and MISSING not in page
    cluster.kill_worker()
    # Without the worker, the page says what is missing and is not kept that way …
    page = _page(viewer, "/measures/NPS_RETAIL/?period=2026-02")
    assert MISSING in page and _explanation(page) == ""
    assert '<script id="chart-data" type="application/json">{}</script>' in page
    # … and nothing can be saved unchecked.
    status, _headers, page = updater.post(
        "/data/updates/", {"value__OPEX_RETAIL__2026-04": "850", "confirm": "on"}
    )
    assert status == 400
    assert "the worker that evaluates the scorecard did not answer" in page
    status, _headers, page = updater.upload(
        "/data/imports/", "april.csv", b"measure,period,value\nOPEX_RETAIL,2026-04,850\n"
    )
    assert status == 400
    assert "the worker that evaluates the scorecard did not answer" in page
    assert 'name="token"' not in page  # nothing kept to import
    assert _shown(viewer, "OPEX_RETAIL", "2026-04") == "842"
    cluster.start_worker()
    _wait_until(lambda: MISSING not in _page(viewer, "/measures/NPS_RETAIL/?period=2026-02"), 60)
    assert "score = " in _explanation(_page(viewer, "/measures/NPS_RETAIL/?period=2026-02"))


MISSING = "Part of this page (explanations, charts or evidence) is missing"


def _page(client: Browser, path: str) -> str:
    status, _headers, page = client.request(path)
    assert status == 200
    return page


def _explanation(page: str) -> str:
    found = re.search(r'<pre class="explain">(.*?)</pre>', page, re.S)
    assert found is not None
    return found.group(1)
