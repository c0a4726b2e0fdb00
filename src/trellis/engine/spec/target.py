"""Target levels: a constant, a value per period, or a glide path."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GlidePath(BaseModel):
    """A straight line from ``start_value`` in period ``start`` to ``end_value`` in ``end``.

    ``start_value`` defaults to the measure's baseline. After ``end`` the final value holds.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: str
    end: str
    start_value: float | None = Field(None, alias="from", allow_inf_nan=False)
    end_value: float = Field(alias="to", allow_inf_nan=False)


class TargetSeries(BaseModel):
    """One target level of a measure in any of its three forms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    constant: float | None = Field(None, allow_inf_nan=False)
    by_period: dict[str, float] = Field(default_factory=dict)
    glide: GlidePath | None = None
