"""Shared fixtures: a clean two-unit scorecard as data that tests change and write out."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from trellis.engine.api import Scorecard, check_path, load
from trellis.engine.findings import Finding

PERSPECTIVES = ("learning", "process", "customer", "financial")

BASE: dict[str, Any] = {
    "organization": {"name": "Test Org", "fiscal_year_start": 1},
    "units": [
        {"code": "hq", "name": "Headquarters", "kind": "organization", "owner": "ceo"},
        {"code": "team", "name": "Team", "kind": "team", "parent": "hq", "owner": "lead"},
    ],
    "objectives": [],
    "measures": [],
}
for unit, prefix in (("hq", "H"), ("team", "T")):
    for i, perspective in enumerate(PERSPECTIVES):
        code = f"{prefix}{i}"
        objective: dict[str, Any] = {
            "code": code,
            "name": f"{unit} {perspective}",
            "unit": unit,
            "perspective": perspective,
        }
        if i < 3:
            objective["drives"] = [f"{prefix}{i + 1}"]
        if unit == "team":
            objective["supports"] = [f"H{i}"]
        BASE["objectives"].append(objective)
        BASE["measures"].append(
            {
                "code": f"M_{code}",
                "name": f"Measure {code}",
                "objective": code,
                "owner": "someone",
                "kind": "leading" if i < 3 else "lagging",
                "target": 100,
            }
        )


def base() -> dict[str, Any]:
    """A deep copy of the clean scorecard."""
    return copy.deepcopy(BASE)


def write(tmp_path: Path, data: dict[str, Any], name: str = "card.yaml") -> Path:
    """Write scorecard data as YAML and return the path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def measure(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The measure dict with a code."""
    return next(m for m in data["measures"] if m["code"] == code)


def objective(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The objective dict with a code."""
    return next(o for o in data["objectives"] if o["code"] == code)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The database of web tests (tests/web, tests/security): Acme with 24 months of data,
    stored results and the four demo users, loaded once per test session."""
    from trellis.cli.web import create_demo_users, load_sample

    with django_db_blocker.unblock():
        load_sample()
        create_demo_users()


@pytest.fixture
def findings_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write scorecard data and return every finding."""

    def run(data: dict[str, Any]) -> list[Finding]:
        return check_path(write(tmp_path, data))

    return run


@pytest.fixture
def card_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write scorecard data (or YAML text) and load it."""

    def run(data: dict[str, Any] | str) -> Scorecard:
        path = tmp_path / "card.yaml"
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            write(tmp_path, data)
        return load(path)

    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes], why: Any) -> None:
    """Wait (a minute at most) until ``trellis serve`` at ``url`` answers; ``why()`` tells
    what it said when it stops or never answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {why()}") from None
            time.sleep(0.3)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo installation served by ``trellis serve`` on a free loopback port (browser
    and security tests share it)."""
    data = tmp_path_factory.mktemp("browser-demo")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TRELLIS_DATA_DIR")}
    subprocess.run(
        [sys.executable, "-m", "trellis.cli", "demo", "--no-serve", "--data-dir", str(data)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    # The server logs a line per request: into a file (a pipe nobody reads would fill up
    # and stop the server mid-write).
    log = (data.parent / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trellis.cli",
            "serve",
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url, process, (data.parent / "server.log").read_text)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()
