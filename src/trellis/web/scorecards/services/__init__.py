"""Definitions: the scorecard as stored (YAML ⇄ database, lossless), editing one measure
within the editor's part of the organization, and the alignment checks of what is stored.

- ``definitions``: ``import_scorecard`` / ``export_scorecard``, ``store_spec``,
  ``spec_from_database``, ``update_measure``, ``stored_findings``;
- ``scope``: what one person may see, and findings and explanations told accordingly.
"""

from trellis.web.scorecards.services.definitions import (
    export_scorecard,
    import_scorecard,
    spec_from_database,
    store_spec,
    stored_findings,
    update_measure,
)

__all__ = [
    "export_scorecard",
    "import_scorecard",
    "spec_from_database",
    "store_spec",
    "stored_findings",
    "update_measure",
]
