"""One instance of each distinct set of written keys, shared by every definition.

A definition and each of its parts carry such a set (pydantic's fields set, and
``set_fields`` of measures); a large scorecard has a few distinct ones among hundreds of
thousands of definitions, and a set per object was a third of the definitions' memory.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class KeySets:
    """The shared sets of one reading of definitions. The definitions are frozen: nothing
    changes a shared set (a copy with changes gets its own)."""

    def __init__(self) -> None:
        self.sets: dict[frozenset[str], Any] = {}
        self.kinds: dict[type, int] = {}  # what a value of each type needs (see _kind)
        self.holders: dict[type, tuple[tuple[str, Any], ...]] = {}  # see _holders

    def _kind(self, kind: type) -> int:
        """0: nothing (text, numbers, enums…), 1: a definition, 2: a list or tuple that may
        hold definitions, 3: a set of keys. Judged once per type: a definition has dozens of
        fields and a large scorecard hundreds of thousands of definitions."""
        found = self.kinds.get(kind)
        if found is None:
            found = self.kinds[kind] = (
                1
                if issubclass(kind, BaseModel)
                else 2
                if issubclass(kind, list | tuple)
                else 3
                if issubclass(kind, frozenset)
                else 0
            )
        return found

    def _holders(self, model: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
        """The fields of a kind of definition that can hold definitions or sets (a measure
        has 27 fields, 8 of them such), judged once from the declared types, with their
        defaults (one instance shared by every definition that leaves the field out)."""
        found = self.holders.get(model)
        if found is None:
            found = self.holders[model] = tuple(
                (name, info.default)
                for name, info in model.model_fields.items()
                if _may_hold(info.annotation)
            )
        return found

    def compact(self, model: BaseModel) -> None:
        own = model.__pydantic_fields_set__
        object.__setattr__(
            model, "__pydantic_fields_set__", self.sets.setdefault(frozenset(own), own)
        )
        fields = model.__dict__
        for name, default in self._holders(type(model)):
            value = fields[name]
            if value is None or value is default:
                continue
            kind = self.kinds.get(type(value))
            if kind is None:
                kind = self._kind(type(value))
            if kind == 1:
                self.compact(value)
            elif kind == 2:
                for part in value:
                    if isinstance(part, BaseModel):
                        self.compact(part)
            elif kind == 3:
                fields[name] = self.sets.setdefault(value, value)

    def shared(self, model: M) -> M:
        """``model``, its key sets replaced by the shared ones (for definitions built
        outside loading: the web application's, read from its database)."""
        self.compact(model)
        return model


def _may_hold(annotation: Any) -> bool:
    """Whether a declared type admits definitions, lists, tuples or sets."""
    if isinstance(annotation, type) and issubclass(
        annotation, BaseModel | list | tuple | frozenset | set
    ):
        return True
    origin = get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, list | tuple | frozenset | set):
        return True
    return any(_may_hold(arg) for arg in get_args(annotation))
