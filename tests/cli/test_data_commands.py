"""The data commands, run for real against the demo's data folder: imports with their
problems, export → import round trip, undo, period locks and database connectors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_main import trellis


def stored(demo: Path, code: str, period: str) -> float | None:
    with sqlite3.connect(demo / "trellis.sqlite3") as db:
        row = db.execute(
            "SELECT o.value FROM observations_observation o JOIN scorecards_measure m "
            "ON m.id = o.measure_id WHERE m.code = ? AND o.period = ? AND o.segment = ''",
            (code, period),
        ).fetchone()
    return None if row is None else row[0]


def test_import_reports_every_problem_and_writes_nothing(demo: Path, tmp_path: Path) -> None:
    before = stored(demo, "SALES_OSLO", "2026-02")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "measure,period,value\nSALES_OSLO,2026-02,1\nNOPE,2026-02,1\nSALES_OSLO,2026-13,x\n"
    )
    result = trellis("import-data", bad, "--data-dir", demo)
    assert result.returncode == 1
    assert "row 3, column A (measure): unknown measure 'NOPE'" in result.stderr
    assert "row 4, column B (period)" in result.stderr
    assert "nothing was written" in result.stderr
    assert stored(demo, "SALES_OSLO", "2026-02") == before


def test_export_import_undo_round_trip(demo: Path, tmp_path: Path) -> None:
    everything = tmp_path / "all.xlsx"
    exported = trellis("export-data", everything, "--layout", "wide", "--data-dir", demo)
    assert exported.returncode == 0, exported.stderr
    again = trellis("import-data", everything, "--data-dir", demo)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Nothing to change: all ")

    change = tmp_path / "change.csv"
    change.write_text("measure,period,value\nSALES_OSLO,2026-02,43210\n")
    before = stored(demo, "SALES_OSLO", "2026-02")
    dry = trellis("import-data", change, "--dry-run", "--data-dir", demo)
    assert dry.returncode == 1
    assert "1 value(s) look like outliers; check them and run again with" in dry.stderr
    assert stored(demo, "SALES_OSLO", "2026-02") == before
    done = trellis("import-data", change, "--confirm-outliers", "--data-dir", demo)
    assert "as import #" in done.stdout and "0 new, 1 changed" in done.stdout
    assert stored(demo, "SALES_OSLO", "2026-02") == 43210
    number = done.stdout.split("as import #", 1)[1].split(":", 1)[0]
    undone = trellis("undo-import", number, "--data-dir", demo)
    assert undone.returncode == 0, undone.stderr
    assert stored(demo, "SALES_OSLO", "2026-02") == before


def test_connector_commands(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "pos.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE sales (store TEXT, day TEXT, amount REAL)")
        db.execute("INSERT INTO sales VALUES ('oslo', '2026-01-10', 95.5)")
    added = trellis(
        "connector", "add", "pos", f"sqlite:///{source}", "--timeout", "5", "--data-dir", demo
    )
    assert added.returncode == 0, added.stderr
    assert "Connection pos: sqlite:///" in added.stdout and "(password: none)" in added.stdout
    sql = (
        "SELECT avg(amount) AS value FROM sales WHERE store = 'oslo' "
        "AND day BETWEEN :period_start AND :period_end"
    )
    query = trellis("connector", "query", "pos", "RESOLVED_OSLO", "--sql", sql, "--data-dir", demo)
    assert query.returncode == 0, query.stderr
    listed = trellis("connector", "list", "--data-dir", demo)
    assert "pos: sqlite:///" in listed.stdout and "never run" in listed.stdout
    assert "RESOLVED_OSLO: SELECT avg(amount)" in listed.stdout

    ran = trellis("connector", "run", "pos", "--period", "2026-01", "--data-dir", demo)
    assert ran.returncode == 0, ran.stderr
    assert "pos: values written\n0 new, 1 changed" in ran.stdout
    assert stored(demo, "RESOLVED_OSLO", "2026-01") == 95.5

    locked = trellis("lock-period", "2026-01", "--data-dir", demo)
    assert locked.returncode == 0, locked.stderr
    with sqlite3.connect(source) as db:
        db.execute("UPDATE sales SET amount = 1")
    refused = trellis("connector", "run", "pos", "--period", "2026-01", "--data-dir", demo)
    assert refused.returncode == 1
    assert "RESOLVED_OSLO 2026-01: period 2026-01 is locked (2026-01)" in refused.stdout
    assert stored(demo, "RESOLVED_OSLO", "2026-01") == 95.5
    trellis("lock-period", "2026-01", "--unlock", "--data-dir", demo)

    bad = trellis("connector", "add", "erp", "mysql://u@h/db", "--data-dir", demo)
    assert bad.returncode == 2
    assert "mysql databases are not supported; use one of: sqlite, postgresql" in bad.stderr


def test_two_overlapping_imports_at_the_same_time(demo: Path, tmp_path: Path) -> None:
    """Two processes import files that share a value: both succeed (one waits for the
    other's lock), nothing is lost or doubled, and the shared value is the later one's."""
    from concurrent.futures import ThreadPoolExecutor

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("measure,period,value\nSALES_OSLO,2025-06,1001\nSALES_OSLO,2025-07,1002\n")
    second.write_text("measure,period,value\nSALES_OSLO,2025-07,2002\nSALES_OSLO,2025-08,2003\n")
    with ThreadPoolExecutor(2) as pool:
        runs = list(
            pool.map(
                lambda f: trellis("import-data", f, "--confirm-outliers", "--data-dir", demo),
                (first, second),
            )
        )
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert ": 0 new, 2 changed, 0 waiting for approval, 0 unchanged." in run.stdout
    with sqlite3.connect(demo / "trellis.sqlite3") as db:
        last = db.execute(
            "SELECT file_name FROM observations_dataimport WHERE file_name IN (?, ?) "
            "ORDER BY id DESC LIMIT 1",
            ("first.csv", "second.csv"),
        ).fetchone()[0]
        counts = db.execute(
            "SELECT o.period, count(*) FROM observations_observation o JOIN scorecards_measure m "
            "ON m.id = o.measure_id WHERE m.code = 'SALES_OSLO' AND o.period IN "
            "('2025-06', '2025-07', '2025-08') GROUP BY o.period"
        ).fetchall()
    assert sorted(counts) == [("2025-06", 1), ("2025-07", 1), ("2025-08", 1)]
    assert stored(demo, "SALES_OSLO", "2025-06") == 1001
    assert stored(demo, "SALES_OSLO", "2025-08") == 2003
    assert stored(demo, "SALES_OSLO", "2025-07") == (1002 if last == "first.csv" else 2002)


def test_the_demo_reads_its_point_of_sale_database(demo: Path) -> None:
    assert (demo / "pos.sqlite3").is_file()
    checked = trellis(
        "connector", "run", "acme-pos", "--period", "2025-Q4", "--dry-run", "--data-dir", demo
    )
    assert checked.returncode == 0, checked.stderr
    # Weekly takings add up to the monthly sales already stored: January-March 2025.
    assert checked.stdout == "acme-pos: checked (test run)\n0 value(s) would change, 3 unchanged\n"
