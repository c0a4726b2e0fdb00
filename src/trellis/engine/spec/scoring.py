"""How a measure value becomes a score on the 0..cap scale where 100 means target met."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from trellis.engine.spec.bands import Bands


class Method(StrEnum):
    """Scoring methods of SPEC section 5."""

    LINEAR = "linear"
    RATIO = "ratio"
    THRESHOLDS = "thresholds"
    BAND = "band"
    BINARY = "binary"
    NONE = "none"


class BandRange(BaseModel):
    """The ideal range of a ``band`` measure and how far outside it the score reaches 0."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lower: float = Field(allow_inf_nan=False)
    upper: float = Field(allow_inf_nan=False)
    tolerance: float = Field(gt=0, allow_inf_nan=False)


class Scoring(BaseModel):
    """Scoring settings of one measure; unset fields take the method's or organization's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method | None = None
    cap: float | None = Field(None, gt=0, allow_inf_nan=False)
    bands: Bands | None = None
    band: BandRange | None = None
