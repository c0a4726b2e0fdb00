"""The web application's commands, run for real against a data folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_main import trellis  # runs the command with a clean environment


def test_demo_reuses_its_data_folder(demo: Path) -> None:
    names = {p.name for p in demo.iterdir()}
    assert {"demo", "secret_key", "trellis.sqlite3"} <= names
    again = trellis("demo", "--no-serve", "--data-dir", demo)
    assert again.returncode == 0, again.stderr
    assert "Loading" not in again.stdout
    with sqlite3.connect(demo / "trellis.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM scorecards_unit").fetchone() == (22,)


def test_warm_pages_renders_every_unit_and_then_finds_them_cached(demo: Path) -> None:
    def pages() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in (demo / "cache").rglob("*.djcache")}

    before = pages()
    assert len(before) >= 44  # a scorecard and a strategy map per unit, from the demo
    again = trellis("warm-pages", "--data-dir", demo)
    assert again.returncode == 0, again.stderr
    assert "of 22 units" in again.stdout
    assert pages() == before  # found in the cache: nothing rendered or written again
    with_measures = trellis("warm-pages", "--measures", "--data-dir", demo)
    assert with_measures.returncode == 0, with_measures.stderr
    assert "measure pages of 22 units" in with_measures.stdout
    with sqlite3.connect(demo / "trellis.sqlite3") as db:
        (active,) = db.execute("SELECT count(*) FROM scorecards_measure WHERE active").fetchone()
    assert len(pages()) == len(before) + active  # one page per active measure, nothing else


def test_createuser_gives_a_role_on_a_unit(demo: Path) -> None:
    result = trellis(
        "createuser",
        "nina",
        "--role",
        "viewer",
        "--unit",
        "retail_north",
        "--password",
        "s3cret-Passw0rd",
        "--data-dir",
        demo,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nina: viewer on retail_north"
    bad = trellis("createuser", "x", "--role", "boss", "--password", "p", "--data-dir", demo)
    assert bad.returncode == 2
    assert "unknown role 'boss'" in bad.stderr


def test_createuser_refuses_weak_passwords_and_names_written_another_way(demo: Path) -> None:
    weak = trellis("createuser", "olav", "--password", "12345678901", "--data-dir", demo)
    assert weak.returncode == 2
    assert "the password is refused: This password is too common." in weak.stderr
    assert "This password is entirely numeric." in weak.stderr
    short = trellis("createuser", "olav", "--password", "Tr3llis!", "--data-dir", demo)
    assert short.returncode == 2
    assert "It must contain at least 10 characters." in short.stderr
    for variant in ("Admin", " admin", "ａｄｍｉｎ"):
        clash = trellis("createuser", variant, "--password", "Long-enough-9x", "--data-dir", demo)
        assert clash.returncode == 2, variant
        assert "is the name of the existing person 'admin' written another way" in clash.stderr
    made = trellis("createuser", " Olav.Berg ", "--password", "Long-enough-9x", "--data-dir", demo)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "olav.berg: viewer on acme"


def test_export_then_import_round_trips(demo: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert trellis("export-scorecard", first, "--data-dir", demo).returncode == 0
    imported = trellis("import-scorecard", first, "--data-dir", demo)
    assert imported.returncode == 0, imported.stderr
    assert trellis("export-scorecard", second, "--data-dir", demo).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*.yaml"))
    assert len(files) == 23
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_import_of_a_broken_scorecard_reports_and_exits_1(demo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "organization: {name: X}\nunits: [{code: a, name: A, colour: red}]\n", encoding="utf-8"
    )
    result = trellis("import-scorecard", broken, "--data-dir", demo)
    assert result.returncode == 1
    assert "unit a: colour: unknown key" in result.stderr


def test_a_bad_setting_is_named_and_the_server_does_not_start(tmp_path: Path) -> None:
    for name, value, expected in (
        ("TRELLIS_WEB_THREADS", "many", "TRELLIS_WEB_THREADS must be a whole number, not 'many'"),
        ("TRELLIS_WEB_THREADS", "0", "TRELLIS_WEB_THREADS must be at least 1, not 0"),
        ("TRELLIS_MAX_UPLOAD_MB", "-5", "TRELLIS_MAX_UPLOAD_MB must be at least 1, not -5"),
        (
            "TRELLIS_TASK_BACKEND",
            "celery",
            "TRELLIS_TASK_BACKEND must be immediate, database or rq, not 'celery'",
        ),
        ("TRELLIS_TASK_BACKEND", "rq", "TRELLIS_TASK_BACKEND=rq needs TRELLIS_REDIS_URL"),
    ):
        result = trellis("serve", "--data-dir", tmp_path / "data", env={name: value})
        assert result.returncode == 2, result.stderr
        assert expected in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr
    result = trellis("serve", "--threads", "0", "--data-dir", tmp_path / "data")
    assert result.returncode == 2 and "--threads is at least 1" in result.stderr


def test_sessions_lists_and_revokes(demo: Path) -> None:
    listed = trellis("sessions", "--data-dir", demo)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "No open sessions."
    unknown = trellis("sessions", "--revoke", "nobody", "--data-dir", demo)
    assert unknown.returncode == 2
    assert "nobody is named 'nobody'" in unknown.stderr
    revoked = trellis("sessions", "--revoke", "Viewer", "--data-dir", demo)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == "Ended 0 session(s) of Viewer."


def test_a_worker_without_a_queue_says_so(tmp_path: Path) -> None:
    result = trellis("worker", "--data-dir", tmp_path / "data")
    assert result.returncode == 2
    assert "there is no queue to work on: set TRELLIS_REDIS_URL" in " ".join(result.stderr.split())


def test_migrate_brings_a_new_data_folder_up_to_date(tmp_path: Path) -> None:
    result = trellis("migrate", "--data-dir", tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "The database is up to date."
    with sqlite3.connect(tmp_path / "data" / "trellis.sqlite3") as db:
        (applied,) = db.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'scorecards'"
            " AND name = '0004_organization_results_revision'"
        ).fetchone()
    assert applied == 1


NO_INSTALLATION = [
    ("export-data", "all.csv"),
    ("import-data", "all.csv"),
    ("undo-import", "1"),
    ("lock-period", "2026-01"),
    ("send-reminders",),
    ("sessions",),
    ("createuser", "ann", "--password", "a long passphrase 42"),
    ("backup", "saved"),
    ("export-scorecard", "out"),
    ("warm-pages",),
    ("connector", "list"),
]


@pytest.mark.parametrize("command", NO_INSTALLATION, ids=lambda c: c[0])
def test_a_folder_without_an_installation_is_named_and_left_alone(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    (tmp_path / "all.csv").write_text("measure,period,value\nREVENUE,2026-01,3\n")
    missing = tmp_path / "trellis-data"
    result = trellis(*command, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert " ".join(result.stderr.split()) == (
        f"error: no Trellis installation in {missing} (it has no trellis.sqlite3); name one "
        "with --data-dir or TRELLIS_DATA_DIR (`trellis demo` keeps its data in trellis-demo/), "
        "or make one with `trellis import-scorecard` or `trellis serve`"
    )
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.csv"]


def test_an_installation_without_a_scorecard_says_what_to_do_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert trellis("migrate", "--data-dir", data).returncode == 0
    (tmp_path / "all.csv").write_text("measure,period,value\nREVENUE,2026-01,3\n")
    for command in (("import-data", tmp_path / "all.csv"), ("export-data", tmp_path / "x.csv")):
        result = trellis(*command, "--data-dir", data)
        assert result.returncode == 2, result.stderr
        assert " ".join(result.stderr.split()) == (
            "error: this installation has no scorecard yet; import one first with "
            "`trellis import-scorecard FOLDER`"
        )
    assert not (tmp_path / "x.csv").exists()


def test_the_demo_folder_is_found_through_the_environment(demo: Path, tmp_path: Path) -> None:
    result = trellis("export-data", tmp_path / "all.csv", env={"TRELLIS_DATA_DIR": str(demo)})
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "all.csv").read_text().splitlines()
    assert result.stdout.strip() == f"Wrote {len(rows) - 1} row(s) to {tmp_path / 'all.csv'}"
    assert len(rows) > 100
