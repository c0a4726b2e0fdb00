"""A per-request memo: values read many times while one page renders are read once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memo: ContextVar[dict[str, Any] | None] = ContextVar("trellis_memo", default=None)


def remember(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per request (every time outside a request)."""
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def forget(key: str) -> None:
    """Drop a remembered value (after the request changed it)."""
    store = _memo.get()
    if store is not None:
        store.pop(key, None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """An empty memo for the work inside (one request, or one page rendered ahead)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """Gives each request an empty memo."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with memo_scope():
            return self.get_response(request)
