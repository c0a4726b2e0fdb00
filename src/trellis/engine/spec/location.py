"""Where a definition came from: file and line, kept for every loaded object."""

from __future__ import annotations

from dataclasses import dataclass
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
    keys: tuple[str, ...] = ()
    """The keys written in the object's mapping, in order (one tuple shared by every
    mapping written with the same keys)."""
    offsets: tuple[int, ...] = ()
    """Each key's line, counted from the object's own (small numbers, which Python
    shares: a large scorecard has hundreds of thousands of these)."""

    def line_of(self, key: str) -> int | None:
        """The line of one key of the object (the object's own when it was not written)."""
        try:
            return (self.line or 0) + self.offsets[self.keys.index(key)]
        except ValueError:
            return self.line

    def at(self, key: str) -> Location:
        """The location of one key of the object (the object's own when unknown)."""
        return Location(self.file, self.line_of(key))

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
