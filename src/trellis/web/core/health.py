"""Is this installation able to work? The database, the cache, the queue of background work
and the worker's heartbeat, each checked for real (``/healthz``, ``trellis health``). Nothing
of the organization's data is read or shown."""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from trellis.web.core.models import Heartbeat

WORKER_SILENCE = timedelta(seconds=60)
"""A worker not heard of for this long counts as gone (it beats every ``BEAT_SECONDS``)."""
BEAT_SECONDS = 15


@dataclass(frozen=True)
class Check:
    """One part's state: working or not, how long the check took, and a few facts."""

    ok: bool
    ms: float
    facts: dict[str, Any] = field(default_factory=dict)


def worker_name() -> str:
    """This process as a heartbeat names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    """Record that the background process ``name`` is alive."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen": timezone.now()})


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    read = cache.get(key)
    cache.delete(key)
    if read != value:
        raise RuntimeError("a value written to the cache was not read back")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _queue() -> dict[str, Any]:
    backend = settings.TASK_BACKEND
    if backend == "rq":
        import django_rq  # noqa: PLC0415 - only with Redis

        return {"backend": backend, "waiting": django_rq.get_queue("default").count}
    if backend == "database":
        from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

        return {"backend": backend, "waiting": DBTaskResult.objects.ready().count()}
    return {"backend": backend, "waiting": 0}


def _worker() -> dict[str, Any]:
    if not settings.TASKS_IN_WORKER:
        return {"needed": False}
    latest = Heartbeat.objects.order_by("-seen").values_list("seen", flat=True).first()
    if latest is None:
        raise RuntimeError("no worker has ever run (start trellis worker)")
    silent = (timezone.now() - latest).total_seconds()
    if silent > WORKER_SILENCE.total_seconds():
        raise RuntimeError(f"no worker heard of for {silent:.0f} s")
    alive = Heartbeat.objects.filter(seen__gte=timezone.now() - WORKER_SILENCE).count()
    return {"needed": True, "alive": alive, "last_seen_seconds": round(silent, 1)}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _database,
    "cache": _cache,
    "queue": _queue,
    "worker": _worker,
}


def report() -> dict[str, Check]:
    """Every check, run now; a check that fails says why in ``facts['error']``."""
    found = {}
    for name, check in CHECKS.items():
        start = time.perf_counter()
        try:
            facts, ok = check(), True
        except Exception as failure:  # noqa: BLE001 - any failure is the answer
            facts, ok = {"error": f"{type(failure).__name__}: {failure}"}, False
        found[name] = Check(ok, round((time.perf_counter() - start) * 1000, 1), facts)
    return found
