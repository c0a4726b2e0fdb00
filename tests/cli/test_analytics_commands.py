"""The analytics commands, run for real."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_main import trellis
from tests.engine.test_yaml_source import BOMB


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    rows = [10, 12, 11, 15, 13, 30]
    path.write_text(
        "measure,period,value\n" + "".join(f"M,2026-{i + 1:02d},{v}\n" for i, v in enumerate(rows)),
        encoding="utf-8",
    )
    return path


def test_spc_prints_limits_and_signals(tmp_path: Path) -> None:
    result = trellis("spc", _data(tmp_path), "--measure", "M")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "M: 6 values, 2026-01 to 2026-06"
    assert lines[1].startswith("  centre 15.17  UCL")
    # mean 91/6, moving ranges 2, 1, 4, 2, 17 → 5.2, sigma 5.2/1.128: UCL 28.99 < 30
    assert "  2026-06: western electric rule 1 — a point beyond 3 sigma (value 30)" in lines
    missing = trellis("spc", _data(tmp_path), "--measure", "NOPE")
    assert missing.returncode == 1
    assert "no values of measure 'NOPE'" in missing.stderr


def test_capability_table(tmp_path: Path) -> None:
    result = trellis("capability", _data(tmp_path), "-m", "M", "--lsl", "0", "--usl", "40")
    assert result.returncode == 0, result.stderr
    assert "cpk" in result.stdout and "sigma_within" in result.stdout
    assert trellis("capability", _data(tmp_path), "-m", "M").returncode == 2


def test_allocate_reciprocal(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "costs: {S1: 100, S2: 60, O1: 200, O2: 300}\n"
        "usage:\n  S1: {S2: 0.2, O1: 0.5, O2: 0.3}\n  S2: {S1: 0.25, O1: 0.25, O2: 0.5}\n",
        encoding="utf-8",
    )
    result = trellis("allocate", case, "--method", "reciprocal")
    assert result.returncode == 0, result.stderr
    assert "281.58" in result.stdout and "378.42" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("costs: {S1: 1, O1: 1}\nusage: {S1: {O1: 0.5}}\n", encoding="utf-8")
    refused = trellis("allocate", bad)
    assert refused.returncode == 1
    assert "the shares of 'S1' add up to 0.5, not 1" in refused.stderr
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    exploded = trellis("allocate", bomb)
    assert exploded.returncode == 2
    assert "bomb.yaml:6:4: error yaml-too-large: aliases expand the document" in exploded.stderr


def test_evidence_on_the_sample(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    assert trellis("init", folder).returncode == 0
    result = trellis("evidence", folder / "scorecard", "--data", folder / "actuals.csv")
    assert result.returncode == 0, result.stderr
    assert "Strategy-map evidence" in result.stdout
    assert "ACME_C1" in result.stdout
