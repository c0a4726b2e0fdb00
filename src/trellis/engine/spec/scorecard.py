"""The whole scorecard definition: organization, units, objectives and measures."""

from __future__ import annotations

from trellis.engine.spec.location import Definition
from trellis.engine.spec.measure import Measure
from trellis.engine.spec.objective import Objective
from trellis.engine.spec.organization import Organization
from trellis.engine.spec.unit import Unit


class ScorecardSpec(Definition):
    """Every definition of one organization, as loaded (before checks)."""

    organization: Organization
    units: tuple[Unit, ...] = ()
    objectives: tuple[Objective, ...] = ()
    measures: tuple[Measure, ...] = ()
