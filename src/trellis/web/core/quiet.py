"""A switch that silences the refresh signals while a service writes many rows at once
(an import recomputes once at the end instead of once per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_quiet: ContextVar[bool] = ContextVar("trellis_quiet", default=False)


@contextmanager
def bulk_changes() -> Iterator[None]:
    """Within this block, saves do not queue refreshes."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    """True inside :func:`bulk_changes`."""
    return _quiet.get()
