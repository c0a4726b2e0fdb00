"""A unit of the organization tree; every unit has one scorecard."""

from __future__ import annotations

from pydantic import Field

from trellis.engine.spec.common import Code, Weight
from trellis.engine.spec.location import Definition


class Unit(Definition):
    """An organization, business unit, department, team or individual."""

    code: Code
    name: str
    kind: str = "unit"
    parent: Code | None = None
    owner: str | None = None
    perspective_weights: dict[str, Weight] = Field(default_factory=dict)
