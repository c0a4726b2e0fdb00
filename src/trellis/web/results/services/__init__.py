"""The one place of the web app that talks to the engine.

- ``definitions``: ``import_scorecard`` / ``export_scorecard`` (YAML ⇄ database, lossless),
  ``spec_from_database``, ``stored_findings``;
- ``evaluation``: ``engine`` (this process's evaluated scorecard, per revision; ``prepare``
  builds it ahead),
  ``recompute``, ``observations_changed`` (incremental), the stored series;
- ``pages``: periods, explanations, charts, evidence and special causes for pages.
"""

from trellis.web.results.services.definitions import (
    export_scorecard,
    import_scorecard,
    spec_from_database,
    store_spec,
    stored_findings,
    update_measure,
)
from trellis.web.results.services.evaluation import (
    GRAINS,
    Refreshed,
    engine,
    observations_changed,
    prepare,
    recompute,
)
from trellis.web.results.services.pages import (
    calendar,
    chart,
    control_chart,
    definition_yaml,
    explain,
    latest_period,
    link_evidence,
    parse_period,
    period_options,
    special_causes,
)

__all__ = [
    "GRAINS",
    "Refreshed",
    "calendar",
    "chart",
    "control_chart",
    "definition_yaml",
    "engine",
    "explain",
    "export_scorecard",
    "import_scorecard",
    "latest_period",
    "link_evidence",
    "observations_changed",
    "parse_period",
    "period_options",
    "prepare",
    "recompute",
    "spec_from_database",
    "special_causes",
    "store_spec",
    "stored_findings",
    "update_measure",
]
