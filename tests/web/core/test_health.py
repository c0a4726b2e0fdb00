"""/healthz: each part checked for real, a missing or silent worker reported when one is
needed, nothing of the organization shown, no session needed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from trellis.web.core import health
from trellis.web.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def _health(client: Client) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_health_needs_no_session_and_shows_no_data() -> None:
    status, report = _health(Client())
    assert status == 200
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "cache", "queue", "worker"}
    assert report["checks"]["worker"] == {
        "ok": True,
        "ms": report["checks"]["worker"]["ms"],
        "needed": False,
    }
    assert report["checks"]["queue"]["backend"] == "immediate"
    text = json.dumps(report)
    for name in ("Acme", "Retail", "REVENUE", "admin"):
        assert name not in text


def test_a_needed_worker_must_have_been_heard_of_lately(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS_IN_WORKER = True
    client = Client()
    status, report = _health(client)
    assert status == 503
    assert report["status"] == "failing"
    assert report["checks"]["worker"]["error"] == (
        "RuntimeError: no worker has ever run (start trellis worker)"
    )
    Heartbeat.objects.create(name="host:1", seen=timezone.now() - timedelta(seconds=300))
    status, report = _health(client)
    assert status == 503
    assert report["checks"]["worker"]["error"] == "RuntimeError: no worker heard of for 300 s"
    health.beat("host:2")
    status, report = _health(client)
    assert status == 200
    assert report["checks"]["worker"]["alive"] == 1


def test_a_failing_part_is_named_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, object]:
        raise ConnectionError("cache server refused the connection")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    status, report = _health(Client())
    assert status == 503
    assert report["checks"]["cache"] == {
        "ok": False,
        "ms": report["checks"]["cache"]["ms"],
        "error": "ConnectionError: cache server refused the connection",
    }
    assert report["checks"]["database"]["ok"] is True
