"""Stored results: one row of period series per object and grain.

Pages read these rows; they never evaluate the scorecard themselves. Each row holds the whole
horizon of one grain as JSON lists, so a scorecard page reads a few dozen rows and gets its
sparklines and trends with them.
"""

from __future__ import annotations

from django.db import models

from trellis.web.core.models import Restricted


class Series(Restricted):
    """Scores and statuses over the periods of one grain."""

    grain = models.CharField(max_length=8)
    periods = models.JSONField(default=list)
    score = models.JSONField(default=list)
    status = models.JSONField(default=list)

    class Meta:
        abstract = True


class MeasureSeries(Series):
    """A measure's values, targets, scores, statuses and flags over one grain."""

    unit_path_field = "measure__unit__path"

    measure = models.ForeignKey(
        "scorecards.Measure", on_delete=models.CASCADE, related_name="series"
    )
    value = models.JSONField(default=list)
    target = models.JSONField(default=list)
    flags = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "grain"], name="unique_measure_series")
        ]


class ObjectiveSeries(Series):
    """An objective's scores over one grain."""

    unit_path_field = "objective__unit__path"

    objective = models.ForeignKey(
        "scorecards.Objective", on_delete=models.CASCADE, related_name="series"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["objective", "grain"], name="unique_objective_series")
        ]


class PerspectiveSeries(Series):
    """One perspective of one unit's scorecard over one grain."""

    unit = models.ForeignKey(
        "scorecards.Unit", on_delete=models.CASCADE, related_name="perspective_series"
    )
    perspective = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "perspective", "grain"], name="unique_perspective_series"
            )
        ]


class UnitSeries(Series):
    """A unit's overall scores over one grain."""

    unit_path_field = "unit__path"

    unit = models.ForeignKey("scorecards.Unit", on_delete=models.CASCADE, related_name="series")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "grain"], name="unique_unit_series")]
