"""A measure (KPI) of an objective."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trellis.engine.periods import Aggregation, Frequency
from trellis.engine.spec.common import Code, Weight
from trellis.engine.spec.data_rules import DEFAULT_RULES, DataRules
from trellis.engine.spec.location import Definition
from trellis.engine.spec.scoring import Scoring
from trellis.engine.spec.target import TargetSeries


class Polarity(StrEnum):
    """Which direction is better."""

    UP = "up"
    DOWN = "down"
    BAND = "band"


class Kind(StrEnum):
    """Leading measures predict; lagging measures report outcomes."""

    LEADING = "leading"
    LAGGING = "lagging"


class Source(StrEnum):
    """Where a measure's values come from."""

    MANUAL = "manual"
    IMPORT = "import"
    FORMULA = "formula"
    ROLLUP = "rollup"
    SQL = "sql"
    API = "api"


class RollupMethod(StrEnum):
    """How values of contributing measures combine."""

    SUM = "sum"
    AVERAGE = "average"
    WEIGHTED_AVERAGE = "weighted_average"
    MIN = "min"
    MAX = "max"
    COUNT = "count"


class CascadeMode(StrEnum):
    """How a measure relates to the ancestor measure it cascades from."""

    IDENTICAL = "identical"
    CONTRIBUTING = "contributing"
    DERIVED = "derived"


class Rollup(BaseModel):
    """Roll-up settings of a ``source: rollup`` measure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: RollupMethod = RollupMethod.SUM
    weight_measure: Code | None = None
    require_all: bool = False


class Specification(BaseModel):
    """Specification limits of a measure's process (for capability): one side or both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lower: float | None = Field(None, allow_inf_nan=False)
    upper: float | None = Field(None, allow_inf_nan=False)
    target: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _limits(self) -> Specification:
        if self.lower is None and self.upper is None:
            raise ValueError("give a lower or an upper specification limit (or both)")
        if self.lower is not None and self.upper is not None and self.lower >= self.upper:
            raise ValueError(f"lower ({self.lower:g}) must be below upper ({self.upper:g})")
        return self


class CascadeFrom(Definition):
    """The ancestor measure this one cascades from."""

    measure: Code
    mode: CascadeMode = CascadeMode.CONTRIBUTING


class Measure(Definition):
    """A measure of performance attached to one objective."""

    code: Code
    name: str
    description: str = ""
    objective: Code
    weight: Weight = 1.0
    owner: str | None = None
    steward: str | None = None
    unit_of_measure: str = ""
    decimals: int = Field(2, ge=0, le=10)
    active: bool = True
    polarity: Polarity = Polarity.UP
    kind: Kind = Kind.LAGGING
    frequency: Frequency = Frequency.MONTH
    aggregation: Aggregation = Aggregation.SUM
    source: Source = Source.MANUAL
    formula: str | None = None
    rollup: Rollup | None = None
    cascades_from: CascadeFrom | None = None
    baseline: float | None = Field(None, allow_inf_nan=False)
    target: TargetSeries | None = None
    minimum: TargetSeries | None = None
    stretch: TargetSeries | None = None
    scoring: Scoring = Scoring()
    specification: Specification | None = None
    data: DataRules = DEFAULT_RULES
    set_fields: frozenset[str] = Field(default_factory=frozenset, exclude=True)
    """The keys written in the source (to tell inherited settings from explicit ones)."""
