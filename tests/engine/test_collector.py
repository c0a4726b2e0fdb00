"""The collector's pause: counted, restored on errors, never turning collection on."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from trellis.engine import collector


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    """Each test starts with nothing frozen (an earlier test may have built the web
    application's evaluation, which freezes it) and leaves the collector as it was."""
    was, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.unfreeze()
    yield
    if frozen:
        gc.freeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_while_building_and_resumed_after() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_resume_only_at_the_outermost_end() -> None:
    gc.enable()
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failing_build_resumes_collection() -> None:
    gc.enable()
    with pytest.raises(ValueError, match="bad"), collector.paused():
        raise ValueError("bad")
    assert gc.isenabled()


def test_collection_turned_off_by_the_program_stays_off() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_what_was_built_moves_to_the_oldest_generation_without_a_pass() -> None:
    gc.enable()
    gc.collect()
    with collector.paused():
        built = [[i] for i in range(50_000)]
    assert gc.get_count()[0] < 1_000  # no young pass is owed for what was built
    assert gc.get_freeze_count() == 0
    assert any(item is built for item in gc.get_objects(generation=2))


def test_objects_frozen_by_the_program_stay_frozen() -> None:
    gc.enable()
    kept = [[i] for i in range(1_000)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            built = [[i] for i in range(1_000)]
        assert gc.get_freeze_count() == frozen
        assert built and kept
    finally:
        gc.unfreeze()


class _Node:
    """An object that can refer to itself (a reference cycle)."""

    def __init__(self) -> None:
        self.me: object = self


def test_cyclic_garbage_built_during_a_pause_is_still_collected() -> None:
    gc.enable()
    with collector.paused():
        node = _Node()
        alive = weakref.ref(node)
        del node
    assert alive() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert alive() is None
