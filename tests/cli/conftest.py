"""A demo installation shared by the command tests (made once: it takes a while)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_main import trellis


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web") / "demo"
    first = trellis("demo", "--no-serve", "--data-dir", folder)
    assert first.returncode == 0, first.stderr
    assert "Loading the sample organization Acme" in first.stdout
    assert "password: demo" in first.stdout
    assert "Rendered the scorecards and strategy maps of 22 units" in first.stdout
    return folder
