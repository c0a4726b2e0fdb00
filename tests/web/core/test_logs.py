"""Logs: one line per event, with the request id (given by a proxy or made) and the
person's id; tracebacks kept on that line; the query string never written."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from trellis.web.core.logs import OneLineFormatter, RequestContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the ``trellis`` loggers write, formatted as configured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.setFormatter(OneLineFormatter(settings.LOG_FORMAT))
    loggers = [logging.getLogger("trellis.request"), logging.getLogger("trellis.test")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_request_is_one_line_with_its_id_and_person(lines: io.StringIO) -> None:
    client = Client()
    assert client.login(username="viewer", password="demo")
    response = client.get("/units/retail/?q=private+words", HTTP_X_REQUEST_ID="edge-42")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "edge-42"
    viewer = get_user_model().objects.get(username="viewer")
    [line] = lines.getvalue().splitlines()
    assert f"INFO trellis.request request=edge-42 user={viewer.pk} GET /units/retail/ 200 " in line
    assert "private" not in line


def test_an_unusable_request_id_is_replaced(lines: io.StringIO) -> None:
    response = Client().get("/login/", HTTP_X_REQUEST_ID="x\nforged=1 " + "y" * 80)
    made = response["X-Request-ID"]
    assert len(made) == 16 and made.isalnum()
    [line] = lines.getvalue().splitlines()
    assert f"request={made} user=- GET /login/ 200 " in line


def test_a_traceback_stays_on_its_line() -> None:
    record = logging.LogRecord("trellis.test", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestContext().filter(record)
    text = OneLineFormatter(settings.LOG_FORMAT).format(record)
    assert "\n" not in text
    assert "request=- user=- failed\\nTraceback" in text
    assert "ValueError: first\\nsecond" in text
