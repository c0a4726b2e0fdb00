"""``trellis backup`` and ``trellis restore``: a backup restores into a new data folder and
into PostgreSQL with every row as it was; damaged or foreign backups and occupied
installations are refused before anything is written."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.cli.test_main import trellis

PG_SERVER = os.environ.get("TRELLIS_TEST_PG", "postgres://postgres@127.0.0.1:5432")


def _tables(folder: Path) -> dict[str, list[Any]]:
    """Every table of a backup: its columns and rows (JSON parsed, so that the key order
    PostgreSQL gives JSON values does not count)."""
    found = {}
    for path in sorted((folder / "data").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            found[path.name] = [json.loads(line) for line in lines]
    return found


@pytest.fixture(scope="module")
def made(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backups") / "acme"
    result = trellis("backup", folder, "--data-dir", demo)
    assert result.returncode == 0, result.stderr
    assert "tables into" in result.stdout
    return folder


def test_a_backup_holds_every_table_and_the_keys(made: Path, demo: Path) -> None:
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["vendor"] == "sqlite"
    with sqlite3.connect(demo / "trellis.sqlite3") as db:
        for table, label in (
            ("observations_observation", "observations.observation"),
            ("scorecards_measure", "scorecards.measure"),
            ("auth_user", "auth.user"),
        ):
            (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert manifest["tables"][label] == count > 0
    assert "accounts.session" not in manifest["tables"]
    for name in ("secret_key", "credential_key", "demo"):
        if (demo / name).exists():
            assert (made / "files" / name).read_bytes() == (demo / name).read_bytes()
    assert (made / "files" / "secret_key").stat().st_mode & 0o077 == 0


def test_a_backup_restores_into_a_new_data_folder_as_it_was(made: Path, tmp_path: Path) -> None:
    restored = trellis("restore", made, "--data-dir", tmp_path / "new")
    assert restored.returncode == 0, restored.stderr
    again = trellis("backup", tmp_path / "again", "--data-dir", tmp_path / "new")
    assert again.returncode == 0, again.stderr
    assert _tables(tmp_path / "again") == _tables(made)
    assert (tmp_path / "new" / "secret_key").read_bytes() == (
        made / "files" / "secret_key"
    ).read_bytes()
    # the restored installation works: its data export is the original's
    assert (
        trellis("export-data", tmp_path / "out.csv", "--data-dir", tmp_path / "new").returncode == 0
    )


def test_a_backup_of_sqlite_restores_into_postgresql(made: Path, tmp_path: Path) -> None:
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as pg:
            pg.execute("DROP DATABASE IF EXISTS trellis_restore WITH (FORCE)")
            pg.execute("CREATE DATABASE trellis_restore")
    except psycopg.OperationalError as missing:
        if os.environ.get("TRELLIS_REQUIRE_SERVICES") == "1":
            raise
        pytest.skip(f"PostgreSQL ({PG_SERVER}) is needed: {missing}")
    env = {"DATABASE_URL": f"{PG_SERVER}/trellis_restore"}
    restored = trellis("restore", made, "--data-dir", tmp_path / "pg", env=env)
    assert restored.returncode == 0, restored.stderr
    again = trellis("backup", tmp_path / "again", "--data-dir", tmp_path / "pg", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again" / "manifest.json").read_text())["vendor"] == (
        "postgresql"
    )
    assert _tables(tmp_path / "again") == _tables(made)
    # new rows get new ids after the restored ones (the sequences were moved on)
    with psycopg.connect(f"{PG_SERVER}/trellis_restore") as pg:
        (highest,) = pg.execute("SELECT max(id) FROM auth_user").fetchone()  # type: ignore[misc]
    made_user = trellis(
        "createuser",
        "newcomer",
        "--unit",
        "acme",
        "--role",
        "viewer",
        "--password",
        "a long new password 1",
        "--data-dir",
        tmp_path / "pg",
        env=env,
    )
    assert made_user.returncode == 0, made_user.stderr
    with psycopg.connect(f"{PG_SERVER}/trellis_restore") as pg:
        (new_id,) = pg.execute(  # type: ignore[misc]
            "SELECT id FROM auth_user WHERE username = 'newcomer'"
        ).fetchone()
    assert new_id == highest + 1
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as pg:
        pg.execute("DROP DATABASE IF EXISTS trellis_restore WITH (FORCE)")


def _copy(made: Path, into: Path) -> Path:
    for path in made.rglob("*"):
        if path.is_file():
            (into / path.relative_to(made)).parent.mkdir(parents=True, exist_ok=True)
            (into / path.relative_to(made)).write_bytes(path.read_bytes())
    return into


def test_a_damaged_backup_is_refused_before_anything_is_written(made: Path, tmp_path: Path) -> None:
    damaged = _copy(made, tmp_path / "damaged")
    observations = damaged / "data" / "observations.observation.jsonl.gz"
    observations.write_bytes(observations.read_bytes()[:-10])
    result = trellis("restore", damaged, "--data-dir", tmp_path / "new")
    assert result.returncode == 2
    assert f"{observations}: changed or damaged since the backup was made" in " ".join(
        result.stderr.split()
    )
    assert not (tmp_path / "new" / "trellis.sqlite3").exists()
    (damaged / "manifest.json").unlink()
    result = trellis("restore", damaged, "--data-dir", tmp_path / "new")
    assert "is not a Trellis backup: no manifest.json" in " ".join(result.stderr.split())


def test_a_backup_of_a_later_version_is_refused(made: Path, tmp_path: Path) -> None:
    later = _copy(made, tmp_path / "later")
    manifest = json.loads((later / "manifest.json").read_text())
    manifest["migrations"]["scorecards"].append("0099_from_the_future")
    (later / "manifest.json").write_text(json.dumps(manifest))
    result = trellis("restore", later, "--data-dir", tmp_path / "new")
    assert result.returncode == 2
    assert "migration scorecards.0099_from_the_future is unknown here" in " ".join(
        result.stderr.split()
    )


def test_restore_never_overwrites_an_installation_and_backup_never_a_folder(
    made: Path, demo: Path, tmp_path: Path
) -> None:
    result = trellis("restore", made, "--data-dir", demo)
    assert result.returncode == 2
    assert "this installation already has people or an organization" in result.stderr
    result = trellis("backup", made, "--data-dir", demo)
    assert result.returncode == 2
    assert "is not empty: a backup goes into a new or empty folder" in " ".join(
        result.stderr.split()
    )
