"""The pages that show results: organization, units, objectives, measures."""

from trellis.web.results.views.measures import HistoryFragment, MeasurePage
from trellis.web.results.views.objectives import CascadePage, ObjectivePage
from trellis.web.results.views.organization import ExceptionsPage, HomePage
from trellis.web.results.views.units import StrategyMapPage, UnitPage

__all__ = [
    "CascadePage",
    "ExceptionsPage",
    "HistoryFragment",
    "HomePage",
    "MeasurePage",
    "ObjectivePage",
    "StrategyMapPage",
    "UnitPage",
]
