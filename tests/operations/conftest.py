"""Trellis as it runs in production: several processes on PostgreSQL and Redis.

The machine's PostgreSQL and Redis (127.0.0.1:5432 and :6379, or ``TRELLIS_TEST_PG`` and
``TRELLIS_TEST_REDIS``) serve a cluster of real processes: two ``trellis serve`` and one
``trellis worker``, on a database and a Redis database of their own. The tests skip with the
reason when either service is missing, unless ``TRELLIS_REQUIRE_SERVICES=1`` (CI), where that
is a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest
import redis

from tests.conftest import _free_port, wait_until_serving

PG_SERVER = os.environ.get("TRELLIS_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TRELLIS_TEST_REDIS", "redis://127.0.0.1:6379/13")
DATABASE = "trellis_processes"


def _services_or_skip() -> None:
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3):
            pass
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3) as probe:
            probe.ping()
    except (psycopg.Error, redis.RedisError) as missing:
        reason = f"PostgreSQL ({PG_SERVER}) and Redis ({REDIS_URL}) are needed: {missing}"
        if os.environ.get("TRELLIS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def _fresh_database() -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    return f"{PG_SERVER}/{DATABASE}"


class Cluster:
    """Two web processes and a worker sharing PostgreSQL and Redis."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database = _fresh_database()
        self.redis = redis.Redis.from_url(REDIS_URL)
        self.redis.flushdb()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")},
            "DATABASE_URL": self.database,
            "TRELLIS_REDIS_URL": REDIS_URL,
            "TRELLIS_DATA_DIR": str(folder / "data"),
            "TRELLIS_WORKER_IMPORT_KB": "0",  # every import is committed by the worker
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []
        self.worker: subprocess.Popen[bytes] | None = None
        self.urls: list[str] = []

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a ``trellis`` command of this installation."""
        return subprocess.run(
            [sys.executable, "-m", "trellis.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "trellis.cli", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def start_worker(self) -> None:
        self.worker = self._start("worker", "worker")

    def kill_worker(self) -> None:
        """Kill the worker as a machine failure would (no chance to clean up)."""
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)

    def start_web(self) -> None:
        port = _free_port()
        name = f"web{len(self.urls) + 1}"
        process = self._start(name, "serve", "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process, lambda: self.log(name))
        self.urls.append(url)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database) as connection:
            return connection.execute(query, params).fetchall()  # type: ignore[arg-type]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()
        self.redis.flushdb()
        self.redis.close()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The demo organization on PostgreSQL + Redis, served by two processes, one worker."""
    _services_or_skip()
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        made = running.cli("demo", "--no-serve", "--data-dir", running.env["TRELLIS_DATA_DIR"])
        assert made.returncode == 0, made.stderr
        running.start_worker()
        running.start_web()
        running.start_web()
        yield running
    finally:
        running.stop()
