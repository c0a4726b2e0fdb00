"""The evaluated scorecard is published whole and never changed in place; the worker's
schedule outlives a failed round; pages read in threads while values are saved all answer."""

from __future__ import annotations

import logging
import re
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from tests.security.test_real_server import Browser
from trellis.cli.operations import _scheduler
from trellis.engine.periods import Grain
from trellis.web.collection import tasks as collection_tasks
from trellis.web.connectors import tasks as connector_tasks
from trellis.web.results import services

MONTH = "2026-03"


@pytest.mark.django_db
def test_a_saved_value_makes_a_new_state_and_leaves_the_one_being_read() -> None:
    before = services.engine()
    row = before.results.compiled.measure_index["SALES_OSLO"]
    month = before.results.evaluator.grain(Grain.MONTH)
    col = [p.label for p in month.periods].index(MONTH)
    old_value = month.value[row, col]
    old_scores = month.unit_score.copy()
    services.observations_changed([("SALES_OSLO", MONTH, old_value + 100)])
    after = services.engine()
    assert after is not before
    assert after.data_revision == before.data_revision + 1
    assert after.results.evaluator.grain(Grain.MONTH).value[row, col] == old_value + 100
    # whoever held the earlier state still reads it, whole
    assert month.value[row, col] == old_value
    assert np.array_equal(month.unit_score, old_scores, equal_nan=True)
    assert before.results.evaluator.observed[row].tolist() != (
        after.results.evaluator.observed[row].tolist()
    )


def test_the_schedule_goes_on_after_a_failed_round(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def flaky() -> None:
        calls.append("connectors")
        if len(calls) == 1:
            raise RuntimeError("database is away")

    monkeypatch.setattr(connector_tasks, "run_due_connectors", SimpleNamespace(enqueue=flaky))
    monkeypatch.setattr(
        collection_tasks,
        "housekeeping",
        SimpleNamespace(enqueue=lambda: calls.append("housekeeping")),
    )
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)
    with caplog.at_level(logging.ERROR, logger="trellis.worker"):
        _scheduler(every=0, rounds=3)
    assert calls == ["connectors", "connectors", "housekeeping", "connectors", "housekeeping"]
    assert "could not queue the scheduled work; next try in 0 s" in caplog.text
    assert "database is away" in caplog.text


def test_pages_read_in_threads_while_values_are_saved(server: str) -> None:
    statuses: list[int] = []
    stop = threading.Event()

    def read() -> None:
        reader = Browser(server)
        assert reader.sign_in("viewer", "demo") == 302
        while not stop.is_set():
            for page in ("/measures/SALES_OSLO/", "/measures/REV_NORTH/", "/units/retail/"):
                status, _headers, _body = reader.request(f"{page}?period={MONTH}")
                statuses.append(status)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    writer = Browser(server)
    assert writer.sign_in("admin", "demo") == 302
    saved = []
    try:
        for value in range(400, 412):
            _status, _headers, page = writer.request("/data/updates/?scope=all")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert token is not None
            form = {
                "csrfmiddlewaretoken": token.group(1),
                f"value__SALES_OSLO__{MONTH}": str(value),
                "confirm": "1",
            }
            status, _headers, _page = writer.request(
                "/data/updates/?scope=all", form, {"Referer": f"{server}/data/updates/"}
            )
            saved.append(status)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert set(saved) == {302}, saved
    assert len(statuses) > 30
    assert set(statuses) == {200}
    _status, _headers, page = writer.request(f"/measures/SALES_OSLO/?period={MONTH}")
    assert '<td class="number">411</td>' in page
