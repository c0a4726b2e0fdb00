"""Data: observations (one value of one measure for one period, optionally one segment),
values waiting for approval, locked periods and the record of each import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.core.models import Restricted
from trellis.web.core.roles import Action


class MeasureValue(Restricted):
    """What a stored value and a value waiting for approval share: one value of a measure
    (each declares its ``measure`` link) for one period, optionally one segment, with a
    comment; seen and entered like the measure (its unit's roles, or its owner or steward
    by name)."""

    unit_path_field = "measure__unit__path"
    person_fields = {
        Action.ENTER_DATA: ("measure__owner", "measure__steward"),
        Action.APPROVE_DATA: ("measure__steward",),
    }

    period = models.CharField(_("period"), max_length=16)
    end_month = models.IntegerField()
    segment = models.CharField(_("segment"), max_length=100, blank=True, default="")
    value = models.FloatField(_("value"))
    comment = models.TextField(_("comment"), blank=True, default="")

    class Meta:
        abstract = True


class Observation(MeasureValue):
    """A reported value, with who and when, where it came from and an optional comment."""

    class Source(models.TextChoices):
        """How the value arrived."""

        FORM = "form", _("form")
        IMPORT = "import", _("import")
        CONNECTOR = "connector", _("connector")
        API = "api", _("API")

    measure = models.ForeignKey(
        "scorecards.Measure", on_delete=models.CASCADE, related_name="observations"
    )
    end_month = models.IntegerField(db_index=True)
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


class Submission(MeasureValue):
    """A value of a measure that needs approval: it is shown as pending and scored only
    once the data steward approves it (it then becomes the observation)."""

    class State(models.TextChoices):
        """Where the submission stands."""

        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    measure = models.ForeignKey(
        "scorecards.Measure", on_delete=models.CASCADE, related_name="submissions"
    )
    source = models.CharField(max_length=16, choices=Observation.Source.choices)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period} = {self.value:g} ({self.state})"


class PeriodLock(models.Model):
    """A closed period: no value whose period overlaps its months may be written."""

    period = models.CharField(_("period"), max_length=16, unique=True)
    first_month = models.IntegerField()
    last_month = models.IntegerField()
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    locked_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_month"]

    def __str__(self) -> str:
        return self.period


class DataImport(models.Model):
    """One write of many values (a file import or a connector run), undoable as a whole:
    the observation history rows it wrote carry ``import:<pk>`` as their change reason."""

    source = models.CharField(max_length=16, choices=Observation.Source.choices)
    file_name = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    layout = models.CharField(max_length=8, default="long")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="undone_imports",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def written(self) -> int:
        """Values created or changed."""
        return self.created + self.updated

    @property
    def reason(self) -> str:
        """The change reason its history rows carry."""
        return f"import:{self.pk}"
