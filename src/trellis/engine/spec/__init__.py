"""Frozen definitions of the scorecard, one concept per module."""

from trellis.engine.spec.bands import Bands
from trellis.engine.spec.data_rules import DEFAULT_RULES, DataRules
from trellis.engine.spec.location import Location
from trellis.engine.spec.measure import (
    CascadeFrom,
    CascadeMode,
    Kind,
    Measure,
    Polarity,
    Rollup,
    RollupMethod,
    Source,
    Specification,
)
from trellis.engine.spec.objective import Objective, ScoreFrom, Support
from trellis.engine.spec.organization import Horizon, Limits, Organization
from trellis.engine.spec.perspective import DEFAULT_PERSPECTIVES, Perspective
from trellis.engine.spec.scorecard import ScorecardSpec
from trellis.engine.spec.scoring import BandRange, Method, Scoring
from trellis.engine.spec.target import GlidePath, TargetSeries
from trellis.engine.spec.unit import Unit

__all__ = [
    "DEFAULT_PERSPECTIVES",
    "DEFAULT_RULES",
    "BandRange",
    "Bands",
    "CascadeFrom",
    "CascadeMode",
    "DataRules",
    "GlidePath",
    "Horizon",
    "Kind",
    "Limits",
    "Location",
    "Measure",
    "Method",
    "Objective",
    "Organization",
    "Perspective",
    "Polarity",
    "Rollup",
    "RollupMethod",
    "ScoreFrom",
    "ScorecardSpec",
    "Scoring",
    "Source",
    "Specification",
    "Support",
    "TargetSeries",
    "Unit",
]
