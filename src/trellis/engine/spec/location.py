"""Where a definition came from: file and line, kept for every loaded object."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Location(BaseModel):
    """A place in a source file (1-based line and column)."""

    model_config = ConfigDict(frozen=True)

    file: str | None = None
    line: int | None = None
    column: int | None = None
    fields: dict[str, int] = {}
    """Line of each key written in the object's mapping."""

    def at(self, key: str) -> Location:
        """The location of one key of the object (the object's own when unknown)."""
        line = self.fields.get(key, self.line)
        # Built without validation: the values come from a Location (checks ask for
        # hundreds of thousands of these on a large scorecard).
        return Location.model_construct(file=self.file, line=line)

    def __str__(self) -> str:
        if self.file is None:
            return "<memory>"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}"


class Definition(BaseModel):
    """Base of every definition: frozen, strict about unknown keys, and located."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    location: Location = Location()
