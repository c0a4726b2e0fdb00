"""Sharing the sets of written keys among definitions: same definitions, one set each."""

from __future__ import annotations

from trellis.engine.key_sets import KeySets, _may_hold
from trellis.engine.spec import Measure, Objective, TargetSeries


def _measure(code: str, **extra: object) -> Measure:
    data = {"code": code, "name": code, "objective": "O1", "target": {"constant": 5.0}, **extra}
    return Measure.model_validate({**data, "set_fields": frozenset(data)})


def test_definitions_with_the_same_keys_share_one_set_and_stay_equal() -> None:
    first, second = _measure("M1"), _measure("M2")
    before = (first.model_copy(), second.model_copy())
    keys = KeySets()
    assert keys.shared(first) is first
    keys.shared(second)
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    assert first.set_fields is second.set_fields
    assert first.target is not None and second.target is not None
    assert first.target.__pydantic_fields_set__ is second.target.__pydantic_fields_set__
    assert (first, second) == before


def test_different_keys_keep_different_sets() -> None:
    keys = KeySets()
    plain, owned = keys.shared(_measure("M1")), keys.shared(_measure("M2", owner="Ann"))
    assert plain.set_fields == frozenset({"code", "name", "objective", "target"})
    assert owned.set_fields == frozenset({"code", "name", "objective", "target", "owner"})
    assert plain.__pydantic_fields_set__ != owned.__pydantic_fields_set__


def test_a_shared_definition_can_still_be_copied_with_changes() -> None:
    keys = KeySets()
    first, second = keys.shared(_measure("M1")), keys.shared(_measure("M2"))
    changed = first.model_copy(update={"decimals": 0})
    assert changed.decimals == 0
    assert "decimals" in changed.__pydantic_fields_set__
    assert "decimals" not in second.__pydantic_fields_set__  # the shared set is untouched


def test_the_fields_that_can_hold_definitions_or_sets_are_judged_from_their_types() -> None:
    keys = KeySets()
    measure_fields = {name for name, _ in keys._holders(Measure)}
    assert {"target", "scoring", "data", "set_fields", "cascades_from"} <= measure_fields
    assert not {"code", "name", "weight", "location"} & measure_fields
    assert {name for name, _ in keys._holders(Objective)} == {"supports", "drives"}
    assert _may_hold(TargetSeries | None)
    assert not _may_hold(dict[str, float])
