"""Python's cyclic garbage collector, paused while large structures are built.

Reading a scorecard, checking it, compiling it and reading millions of rows create objects
that all live on: the collector's passes over the growing heap find nothing to free and, at
enterprise size, cost more than the work itself (a quarter of loading the 11,111-unit
organization). The pause is counted, so nested and concurrent builders (threads of one
process) resume collection only when the last of them ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_builders = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Collection paused for the block (and resumed after, if it was on before the first
    of the blocks running in this process)."""
    global _builders, _was_enabled  # noqa: PLW0603 - one collector per process
    with _lock:
        if _builders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _builders += 1
    try:
        yield
    finally:
        with _lock:
            _builders -= 1
            if _builders == 0 and _was_enabled:
                _promote_survivors()
                gc.enable()


def _promote_survivors() -> None:
    """Move the objects built during the pause to the oldest generation without a pass
    over them (freezing and unfreezing does exactly that): they live on, and the young
    generations' passes that would otherwise follow — each a walk over every object built,
    a second apiece at enterprise size — would find nothing to free. Cyclic garbage among
    them goes at the next full collection, as always. Not done while a program keeps
    objects frozen (the web worker freezes its evaluation): unfreezing would release them.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
