"""Calls answered by the evaluating process, through a real Redis (database 12 of the
machine's server, or ``TRELLIS_TEST_REDIS_DELEGATE``): the answer is the function's own,
its exception comes back, and an asker without a worker hears so in time instead of
waiting or getting a stale answer later."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from django.test import override_settings

from trellis.web.core import delegate

REDIS_URL = os.environ.get("TRELLIS_TEST_REDIS_DELEGATE", "redis://127.0.0.1:6379/12")
calls: list[int] = []


@delegate.answered_by_evaluation(2.0)
def _square(x: int) -> int:
    calls.append(x)
    if x < 0:
        raise ValueError(f"no square of {x} here")
    return x * x


@delegate.answered_by_evaluation(0.3)
def _quick(x: int) -> int:
    calls.append(x)
    return x


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:  # type: ignore[type-arg]
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as missing:
        client.close()
        reason = f"Redis ({REDIS_URL}) is needed: {missing}"
        if os.environ.get("TRELLIS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    client.flushdb()
    calls.clear()
    monkeypatch.setattr(delegate, "_client", None)
    with override_settings(REDIS_URL=REDIS_URL, TRELLIS_EVALUATION="worker"):
        yield client
    client.flushdb()
    if delegate._client is not None:  # the one the calls made: its sockets closed
        delegate._client.close()
    client.close()


@pytest.fixture
def worker(queue: redis.Redis) -> Iterator[None]:  # type: ignore[type-arg]
    """The answering loop, in a thread of this process (as ``trellis worker`` runs it)."""
    stop = threading.Event()
    thread = threading.Thread(target=delegate.answer, args=(stop, 2), daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=5)


def _asking(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as a web server process of a worker installation."""
    monkeypatch.setattr(delegate, "_asking", True)


@pytest.mark.django_db(transaction=True)
def test_a_web_process_gets_the_workers_answer(
    worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _asking(monkeypatch)
    assert _square(7) == 49
    assert calls == [7]  # computed once, by the answering thread
    with pytest.raises(ValueError, match="no square of -2 here"):
        _square(-2)


def test_without_an_answer_the_asker_hears_so_in_time_and_the_request_expires(
    queue: redis.Redis,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _asking(monkeypatch)
    start = time.monotonic()
    with pytest.raises(delegate.Unavailable, match=r"no answer from the worker within 0\.3 s"):
        _quick(5)
    assert 0.3 <= time.monotonic() - start < 2
    assert queue.llen(delegate.REQUESTS) == 1  # still queued …
    stop = threading.Event()
    thread = threading.Thread(target=delegate.answer, args=(stop, 1), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while queue.llen(delegate.REQUESTS) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=5)
    time.sleep(0.1)
    assert queue.llen(delegate.REQUESTS) == 0
    assert calls == []  # … and dropped unanswered: its asker had given up


def test_only_marked_functions_are_answered(worker: None, queue: redis.Redis) -> None:  # type: ignore[type-arg]
    with pytest.raises(delegate.Unavailable, match="os:system is not answered"):
        delegate._ask("os:system", ("true",), {}, 2.0)
    with pytest.raises(delegate.Unavailable, match=r"trellis\.web\.core\.delegate:_redis is not"):
        delegate._ask("trellis.web.core.delegate:_redis", (), {}, 2.0)


def test_a_process_that_does_not_ask_runs_the_call_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delegate, "_client", None)
    monkeypatch.setattr(delegate, "_asking", False)
    calls.clear()
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens there
        assert _square(3) == 9
    assert calls == [3]


def test_only_web_processes_of_a_worker_installation_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delegate, "_asking", False)
    with override_settings(TRELLIS_EVALUATION="process"):
        delegate.ask_the_worker()
        assert not delegate.delegating()
    with override_settings(TRELLIS_EVALUATION="worker"):
        delegate.ask_the_worker()
        assert delegate.delegating()
