"""A perspective of the Balanced Scorecard (a band of the strategy map)."""

from __future__ import annotations

from trellis.engine.spec.common import Code, Weight
from trellis.engine.spec.location import Definition


class Perspective(Definition):
    """One perspective; the organization lists them from the bottom of the map to the top."""

    code: Code
    name: str
    weight: Weight = 1.0


DEFAULT_PERSPECTIVES = (
    Perspective(code="learning", name="Learning & Growth"),
    Perspective(code="process", name="Internal Processes"),
    Perspective(code="customer", name="Customer"),
    Perspective(code="financial", name="Financial"),
)
