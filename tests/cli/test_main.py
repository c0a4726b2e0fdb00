"""The real ``trellis`` command, run as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import base, objective, write


def trellis(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command in a clean environment (plus ``env``), in ``cwd`` if given."""
    return subprocess.run(
        [sys.executable, "-m", "trellis.cli", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        text=True,
        timeout=600,
        check=False,
        env={
            "COLUMNS": "200",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path(__file__).parents[2] / "src"),
            **(env or {}),
        },
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("acme") / "acme"
    result = trellis("init", directory)
    assert result.returncode == 0, result.stderr
    return directory


def test_init_writes_the_sample(sample: Path) -> None:
    names = sorted(p.name for p in sample.iterdir())
    assert names == ["README.md", "actuals.csv", "scorecard", "targets.csv"]
    assert (sample / "actuals.csv").read_text().splitlines()[0] == "measure,period,value"
    again = trellis("init", sample)
    assert again.returncode == 2
    assert "is not empty" in again.stderr


def test_check_exit_codes_and_json(sample: Path, tmp_path: Path) -> None:
    clean = trellis("check", sample / "scorecard", "--format", "json")
    assert clean.returncode == 0
    findings = json.loads(clean.stdout)
    assert {f["severity"] for f in findings} == {"warning"}
    assert set(findings[0]) == {"code", "severity", "message", "file", "line", "object"}
    data = base()
    objective(data, "T0")["supports"] = ["MISSING"]
    broken = trellis("check", write(tmp_path, data))
    assert broken.returncode == 1
    assert (
        "error unknown-reference [T0]: supports refers to unknown objective 'MISSING'"
        in broken.stdout
    )
    assert trellis("check", tmp_path / "nope.yaml").returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = trellis("check", empty)
    assert result.returncode == 2
    assert f"no .yaml files in {empty}" in result.stdout


def test_check_reports_malformed_yaml_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("organization:\n  name: 'unterminated\n", encoding="utf-8")
    result = trellis("check", path)
    assert result.returncode == 1
    assert f"{path}:3:1: error yaml-syntax" in result.stdout


def test_score_json_records(sample: Path) -> None:
    result = trellis(
        "score",
        sample / "scorecard",
        "--data",
        sample / "actuals.csv",
        "--level",
        "unit",
        "--period",
        "2026-Q4",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == 22
    assert set(records[0]) == {
        "level",
        "code",
        "name",
        "unit",
        "period",
        "period_name",
        "value",
        "target",
        "score",
        "status",
        "flags",
    }
    assert records[0]["code"] == "acme" and records[0]["period"] == "2026-Q4"
    assert records[0]["period_name"] == "FY2026 Q4 · Jan–Mar 2026"  # fiscal year from April
    assert records[0]["value"] is None and 0 <= records[0]["score"] <= 100


def test_score_csv_for_one_unit(sample: Path) -> None:
    result = trellis(
        "score",
        sample / "scorecard",
        "-d",
        sample / "actuals.csv",
        "--unit",
        "store_oslo",
        "--period",
        "2026-03",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["code"] for r in rows] == [
        "SALES_OSLO",
        "RESOLVED_OSLO",
        "STOCK_ACC_OSLO",
        "TRAINING_OSLO",
    ]


def test_score_table_shows_status_in_words(sample: Path) -> None:
    result = trellis("score", sample / "scorecard", "-d", sample / "actuals.csv", "-p", "2026-03")
    assert result.returncode == 0
    assert "MARKET_SHARE" in result.stdout and "stale" in result.stdout


def test_score_with_bad_data_reports_every_row(sample: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "measure,period,value\nREVENUE,2025-04,1\nSALES_OSLO,2025-04,x\n", encoding="utf-8"
    )
    result = trellis("score", sample / "scorecard", "-d", bad)
    assert result.returncode == 1
    assert "row 2, column A (measure): 'REVENUE' is computed (rollup)" in result.stderr
    assert "row 3, column C (value): 'x' is not a number" in result.stderr


def test_score_with_an_unknown_unit_or_period(sample: Path) -> None:
    result = trellis("score", sample / "scorecard", "-d", sample / "actuals.csv", "-u", "mars")
    assert (result.returncode, result.stderr.strip()) == (2, "error: unknown unit 'mars'")
    result = trellis("score", sample / "scorecard", "-d", sample / "actuals.csv", "-p", "2031")
    assert result.returncode == 2 and "outside the evaluated horizon" in result.stderr


def test_explain(sample: Path) -> None:
    result = trellis(
        "explain",
        sample / "scorecard",
        "GROSS_MARGIN",
        "--data",
        sample / "actuals.csv",
        "--period",
        "2026-Q4",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "measure GROSS_MARGIN — Gross margin (unit acme), period 2026-Q4 (FY2026 Q4 · Jan–Mar 2026)"
    )
    assert "formula: GROSS_PROFIT / REVENUE * 100" in lines[2]
    assert any(line.startswith("  score = 50 + 50 × (") for line in lines)


def test_schema_is_json() -> None:
    result = trellis("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "Trellis scorecard file"


def test_latest_period(sample: Path) -> None:
    result = trellis("latest-period", sample / "scorecard", "-d", sample / "actuals.csv")
    assert result.stdout.strip() == "2026-03"


def test_an_unexpected_error_is_one_line_unless_debugging_asks_for_more(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from trellis.cli import main as cli

    def broken() -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.delenv("TRELLIS_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 3
    said = " ".join(capsys.readouterr().err.split())
    assert said.startswith("error: RuntimeError: the disk is on fire This is a fault in Trellis")
    assert "Traceback" not in said
    monkeypatch.setenv("TRELLIS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="the disk is on fire"):
        cli.main()


def test_scorecard_problems_reaching_the_entry_point_are_findings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from trellis.cli import main as cli
    from trellis.engine.findings import ScorecardError, error

    def refused() -> None:
        raise ScorecardError([error("no-scorecard", "no scorecard has been imported yet")])

    monkeypatch.setattr(cli, "app", refused)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 1
    said = capsys.readouterr().err
    assert "error no-scorecard: no scorecard has been imported yet" in said
    assert "Traceback" not in said


def test_score_lists_only_the_statuses_asked_for(sample: Path) -> None:
    def units(*statuses: str) -> dict[str, str]:
        options = [part for s in statuses for part in ("--status", s)]
        result = trellis(
            "score", sample / "scorecard", "--data", sample / "actuals.csv", "--level", "unit",
            "--period", "2026-Q4", "--format", "json", *options,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return {r["code"]: r["status"] for r in json.loads(result.stdout)}

    everything = units()
    red = units("red")
    assert red == {code: s for code, s in everything.items() if s == "red"}
    assert set(red) == {
        "cat_fashion",
        "retail_south",
        "store_vienna",
        "supply_transport",
        "planner_west",
    }
    assert units("red", "amber") == {
        code: s for code, s in everything.items() if s in ("red", "amber")
    }
    table = trellis(
        "score", sample / "scorecard", "--data", sample / "actuals.csv", "--level", "unit",
        "--period", "2026-Q4", "--status", "red",
    )  # fmt: skip
    assert "off target (red)" in table.stdout and "near target" not in table.stdout
    wrong = trellis("score", sample / "scorecard", "--status", "purple")
    assert wrong.returncode == 2
    assert "unknown status 'purple'; use one of no-data, no-target, unscored, red" in wrong.stderr
