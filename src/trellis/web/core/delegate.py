"""Calls answered by the process that holds the evaluated scorecard.

An evaluated scorecard of a large organization takes a minute and gigabytes to build. With a
shared queue (``TRELLIS_EVALUATION=worker``, the default with Redis and its RQ worker), only
``trellis worker`` builds one; web processes hold none, are ready as soon as they start, and
ask the worker for what needs it (explanations, charts, strategy-map evidence, data checks)
through Redis: a request list the worker's answering threads take from, and one reply key
per request. See docs/decisions/0011-one-evaluation-per-installation.md.

A function marked :func:`answered_by_evaluation` runs where it is called when this process
evaluates (a single process, or the worker itself), and in the worker otherwise. Requests
and replies are pickled, as RQ's jobs are: Redis must be as private as the database.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections
from redis.exceptions import RedisError

REQUESTS = "trellis:evaluation:requests"
REPLY_SECONDS = 60
"""How long an answer waits for its asker (who has given up by then)."""

F = TypeVar("F", bound=Callable[..., Any])

_registry: dict[str, Callable[..., Any]] = {}
_asking = False
"""True in a web server process of an installation whose worker evaluates (set as the
server starts; commands and the worker itself evaluate for themselves)."""

log = logging.getLogger("trellis.evaluation")


class Unavailable(Exception):
    """The process that evaluates did not answer in time: not running, still building its
    evaluated scorecard, or busy. Nothing was computed; the caller says so and may retry."""


def delegating() -> bool:
    """Whether this process asks the worker instead of evaluating itself."""
    return _asking


def ask_the_worker() -> None:
    """Called as a web server process starts: with ``TRELLIS_EVALUATION=worker`` its
    marked calls go to the worker from now on."""
    global _asking  # noqa: PLW0603 - set once, as the server process starts
    _asking = settings.TRELLIS_EVALUATION == "worker"


def answered_by_evaluation(timeout: float) -> Callable[[F], F]:
    """Mark a function that needs the evaluated scorecard. Its arguments and result must
    pickle; when this process delegates, the call waits up to ``timeout`` seconds for the
    worker and raises :class:`Unavailable` without an answer (or re-raises the worker's
    exception)."""

    def mark(function: F) -> F:
        name = f"{function.__module__}:{function.__qualname__}"
        _registry[name] = function

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not delegating():
                return function(*args, **kwargs)
            return _ask(name, args, kwargs, timeout)

        return call  # type: ignore[return-value]

    return mark


_client_lock = threading.Lock()
_client: Any = None


def _redis() -> Any:
    global _client  # noqa: PLW0603 - one connection pool per process
    with _client_lock:
        if _client is None:
            import redis  # noqa: PLC0415 - a dependency, used with TRELLIS_REDIS_URL only

            _client = redis.Redis.from_url(settings.REDIS_URL)
        return _client


def _ask(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], timeout: float) -> Any:
    reply = f"trellis:evaluation:reply:{uuid.uuid4().hex}"
    request = pickle.dumps((name, args, kwargs, reply, time.time() + timeout))
    try:
        client = _redis()
        client.lpush(REQUESTS, request)
        got = client.brpop([reply], timeout=timeout)
    except (OSError, RedisError) as exc:  # Redis away: for the page, as a worker away
        raise Unavailable(f"the queue could not be reached: {exc}") from None
    if got is None:
        # The request stays queued until it expires; an answer that comes late is dropped.
        raise Unavailable(f"no answer from the worker within {timeout:g} s")
    status, value = pickle.loads(got[1])  # noqa: S301 - written by our worker, as RQ's jobs
    if status == "ok":
        return value
    if isinstance(value, BaseException):
        raise value
    raise Unavailable(str(value))


def answer(stop: threading.Event, threads: int = 4) -> None:
    """Answer marked calls from the web processes until ``stop`` is set (the worker runs
    this in a thread): ``threads`` answering threads, each with its own database
    connection kept from one answer to the next. Requests whose asker has given up are
    dropped unanswered."""
    client = _redis()
    answering = [
        threading.Thread(target=_answer_loop, args=(client, stop), name="trellis-answer")
        for _ in range(threads)
    ]
    for thread in answering:
        thread.start()
    for thread in answering:
        thread.join()


def _answer_loop(client: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            got = client.brpop([REQUESTS], timeout=1)
        except (OSError, RedisError):
            log.exception("could not read the evaluation requests; next try in 5 s")
            stop.wait(5)
            continue
        if got is not None:
            _answer_one(client, got[1])
    connections.close_all()  # this thread's own


def _answer_one(client: Any, request: bytes) -> None:
    try:
        name, args, kwargs, reply, expires = pickle.loads(request)  # noqa: S301 - see above
        if time.time() > expires:
            return
        close_old_connections()
        try:
            outcome: tuple[str, Any] = ("ok", _function(name)(*args, **kwargs))
        except Exception as exc:
            log.exception("answering %s failed", name)
            outcome = ("error", exc)
        try:
            payload = pickle.dumps(outcome)
        except (pickle.PicklingError, TypeError, AttributeError):  # its words pickle
            payload = pickle.dumps(("error", str(outcome[1])))
        client.lpush(reply, payload)
        client.expire(reply, REPLY_SECONDS)
    except Exception:
        log.exception("could not answer an evaluation request")


def _function(name: str) -> Callable[..., Any]:
    """A marked function by name (its module imported when no call has needed it yet);
    nothing that is not marked is ever called."""
    module, _sep, _rest = name.partition(":")
    if name not in _registry and module.startswith("trellis.web."):
        importlib.import_module(module)
    found = _registry.get(name)
    if found is None:
        raise Unavailable(f"{name} is not answered by the evaluation")
    return found
