"""The collector's pause: counted, restored on errors, never turning collection on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from trellis.engine import collector


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    was = gc.isenabled()
    yield
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
