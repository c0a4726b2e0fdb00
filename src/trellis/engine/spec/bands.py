"""Status bands: the score at or above which a value is green or amber."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Bands(BaseModel):
    """``green`` and ``amber`` thresholds on the score scale (100 = target met)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    green: float = Field(100.0, allow_inf_nan=False)
    amber: float = Field(90.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.amber > self.green:
            raise ValueError(f"amber ({self.amber:g}) must not be above green ({self.green:g})")
        return self
