"""Logs as one line per event, each with the request it belongs to and the person making it.

``RequestLogMiddleware`` gives every request an id (the ``X-Request-ID`` a proxy sent, when
it is a plain token, or a new one), returns it in the response's ``X-Request-ID`` and writes
one line when the request ends: method, path (never the query, which may hold search words),
status and milliseconds. ``RequestContext`` puts the id and the person's id on every record
logged while the request runs (``-`` outside requests: the worker, commands), and
``OneLineFormatter`` keeps a record on one line (tracebacks included, their line breaks
written as ``\\n``), so that a log shipper never splits an event.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_REQUEST = contextvars.ContextVar[tuple[str, str]]("trellis_request", default=("-", "-"))
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
log = logging.getLogger("trellis.request")


class RequestContext(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (a filter on the handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.user = _REQUEST.get()
        return True


class OneLineFormatter(logging.Formatter):
    """The usual format, with the line breaks of the message and traceback escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


def _person(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else "-"


class RequestLogMiddleware:
    """One line per request, with its id and person (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = _REQUEST.set((request_id, "-"))
        try:
            response = self.get_response(request)
            _REQUEST.set((request_id, _person(request)))
            response["X-Request-ID"] = request_id
            log.info(
                "%s %s %d %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - start) * 1000,
            )
            return response
        finally:
            _REQUEST.reset(token)
