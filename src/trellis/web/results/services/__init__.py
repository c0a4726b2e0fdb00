"""Evaluation and what the result pages need.

- ``evaluation``: ``engine`` (this process's evaluated scorecard, a frozen state per
  revision; ``prepare`` builds it ahead), ``recompute``, ``observations_changed``
  (incremental), ``catch_up`` (after an interrupted refresh), the stored series;
- ``pages``: periods, explanations, charts, evidence and special causes for pages.
"""

from trellis.web.results.services.evaluation import (
    GRAINS,
    Refreshed,
    catch_up,
    engine,
    observations_changed,
    prepare,
    recompute,
)
from trellis.web.results.services.pages import (
    calendar,
    chart,
    control_chart,
    describe_period,
    explain,
    link_evidence,
    month_label,
    parse_period,
    period_options,
    reporting_label,
    reporting_month,
    special_causes,
)

__all__ = [
    "GRAINS",
    "Refreshed",
    "calendar",
    "catch_up",
    "chart",
    "control_chart",
    "describe_period",
    "engine",
    "explain",
    "link_evidence",
    "month_label",
    "observations_changed",
    "parse_period",
    "period_options",
    "prepare",
    "recompute",
    "reporting_label",
    "reporting_month",
    "special_causes",
]
