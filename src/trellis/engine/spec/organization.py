"""The organization: calendar, perspectives and defaults for scoring and checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trellis.engine.spec.bands import Bands
from trellis.engine.spec.location import Definition
from trellis.engine.spec.perspective import DEFAULT_PERSPECTIVES, Perspective


class Limits(BaseModel):
    """Thresholds of the "too many measures" warnings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    measures_per_objective: int = Field(5, ge=1)
    measures_per_scorecard: int = Field(25, ge=1)


class Horizon(BaseModel):
    """The months evaluated (labels ``YYYY-MM``); by default the span of the data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str
    end: str


class Organization(Definition):
    """The one organization of an installation."""

    name: str
    currency: str = "EUR"
    fiscal_year_start: int = Field(1, ge=1, le=12)
    perspectives: tuple[Perspective, ...] = DEFAULT_PERSPECTIVES
    bands: Bands = Bands()
    cap: float = Field(100.0, gt=0, allow_inf_nan=False)
    limits: Limits = Limits()
    horizon: Horizon | None = None
