"""Where a definition came from: file and line, kept for every loaded object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SkipValidation


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file (1-based line and column).

    A plain frozen dataclass, not a pydantic model: a large scorecard has one for every
    mapping it holds and asks for hundreds of thousands more (``at``), and they come from
    the parser or from another location — there is nothing to validate."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    fields: dict[str, int] = field(default_factory=dict)
    """Line of each key written in the object's mapping."""

    def at(self, key: str) -> Location:
        """The location of one key of the object (the object's own when unknown)."""
        return Location(self.file, self.fields.get(key, self.line))

    def __str__(self) -> str:
        if self.file is None:
            return "<memory>"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}"


class Definition(BaseModel):
    """Base of every definition: frozen, strict about unknown keys, and located (the
    location is bookkeeping: never validated, never dumped)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    location: Annotated[Location, SkipValidation] = Field(default_factory=Location, exclude=True)
