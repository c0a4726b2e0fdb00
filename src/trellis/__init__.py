"""Trellis: the cascaded Balanced Scorecard, as code and as a service.

>>> import trellis
>>> card = trellis.load("scorecard/")          # raises trellis.ScorecardError on errors
>>> results = card.evaluate("actuals.csv")
>>> results.records(level="unit", period="2026-Q1")
"""

from trellis.engine.api import Scorecard, check_path, load
from trellis.engine.findings import Finding, ScorecardError, Severity
from trellis.engine.results import Results

__all__ = ["Finding", "Results", "Scorecard", "ScorecardError", "Severity", "check_path", "load"]
__version__ = "0.1.0"
