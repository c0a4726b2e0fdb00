"""How a measure's reported values are checked and approved before they count."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DataRules(BaseModel):
    """Validation rules for values entered or imported for one measure.

    ``minimum``/``maximum`` and ``whole_numbers`` refuse a value; ``comment_when_red`` and
    ``max_change_percent`` refuse it unless a comment explains it; a value beyond
    ``outlier_sigma`` standard deviations of the measure's history is accepted only once
    confirmed; with ``approval`` a value waits for the data steward before it is scored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum: float | None = Field(None, allow_inf_nan=False)
    maximum: float | None = Field(None, allow_inf_nan=False)
    whole_numbers: bool = False
    comment_when_red: bool = False
    max_change_percent: float | None = Field(None, gt=0, allow_inf_nan=False)
    outlier_sigma: float | None = Field(3.0, gt=0, allow_inf_nan=False)
    approval: bool = False

    @model_validator(mode="after")
    def _range(self) -> DataRules:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(
                f"minimum ({self.minimum:g}) must not be above maximum ({self.maximum:g})"
            )
        return self


DEFAULT_RULES = DataRules()
"""The rules of a measure that states none: only the outlier prompt (3 standard deviations)."""
