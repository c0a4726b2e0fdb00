"""A strategic objective and its links: cascade (supports) and cause-and-effect (drives)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from trellis.engine.spec.common import Code, Weight
from trellis.engine.spec.location import Definition


class ScoreFrom(StrEnum):
    """What an objective's score is a weighted mean of."""

    MEASURES = "measures"
    CHILDREN = "children"
    BOTH = "both"
    AUTO = "auto"


class Support(Definition):
    """A cascade link: this objective supports an objective of an ancestor unit."""

    objective: Code
    weight: Weight = 1.0


class Objective(Definition):
    """An objective on one unit's scorecard, in one perspective."""

    code: Code
    name: str
    description: str = ""
    unit: Code
    perspective: Code
    owner: str | None = None
    weight: Weight = 1.0
    active: bool = True
    supports: tuple[Support, ...] = ()
    drives: tuple[Code, ...] = ()
    score_from: ScoreFrom = ScoreFrom.AUTO
    comment: str = Field("", description="Free notes kept with the definition.")
