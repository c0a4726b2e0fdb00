"""Observations: one value of one measure for one period (optionally one segment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.core.models import Restricted


class Observation(Restricted):
    """A reported value, with who and when, where it came from and an optional comment."""

    unit_path_field = "measure__unit__path"

    class Source(models.TextChoices):
        """How the value arrived."""

        FORM = "form", _("form")
        IMPORT = "import", _("import")
        CONNECTOR = "connector", _("connector")
        API = "api", _("API")

    measure = models.ForeignKey(
        "scorecards.Measure", on_delete=models.CASCADE, related_name="observations"
    )
    period = models.CharField(_("period"), max_length=16)
    end_month = models.IntegerField(db_index=True)
    segment = models.CharField(_("segment"), max_length=100, blank=True, default="")
    value = models.FloatField(_("value"))
    comment = models.TextField(_("comment"), blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.IMPORT)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period", "segment"], name="unique_observation"
            )
        ]
        ordering = ["measure", "end_month"]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period} = {self.value:g}"
