"""Database connectors: a connection (an SQLAlchemy URL and its credential), the query
that reads each measure's value, and the record of every run. (The tables were made by the
observations app, where these models first lived; they keep their names.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trellis.web.core.models import Restricted


class Connection(models.Model):
    """A database values are read from: an SQLAlchemy URL without its password, which comes
    from an environment variable or is stored encrypted (never shown back in full)."""

    class Schedule(models.TextChoices):
        """How often the connection's queries run by themselves."""

        MANUAL = "manual", _("on demand only")
        HOURLY = "hourly", _("every hour")
        DAILY = "daily", _("every day")
        WEEKLY = "weekly", _("every week")

    name = models.SlugField(_("name"), max_length=64, unique=True)
    url = models.CharField(_("database URL"), max_length=500)
    password_env = models.CharField(
        _("password from environment variable"), max_length=100, blank=True, default=""
    )
    password_encrypted = models.TextField(blank=True, default="")
    timeout_seconds = models.PositiveIntegerField(_("statement timeout (seconds)"), default=30)
    schedule = models.CharField(
        _("schedule"), max_length=16, choices=Schedule.choices, default=Schedule.MANUAL
    )
    next_run_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["password_encrypted", "next_run_at"],
        table_name="observations_historicalconnection",
    )

    class Meta:
        db_table = "observations_connection"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConnectorQuery(Restricted):
    """The query that reads one measure's value for one period from a connection; it may use
    ``:period_start``, ``:period_end`` (first and last day), ``:next_period_start``,
    ``:period`` (the label) and ``:measure`` (the code)."""

    unit_path_field = "measure__unit__path"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="queries")
    measure = models.OneToOneField(
        "scorecards.Measure", on_delete=models.CASCADE, related_name="connector_query"
    )
    sql = models.TextField(_("query"))
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(table_name="observations_historicalconnectorquery")

    class Meta:
        db_table = "observations_connectorquery"
        ordering = ["connection", "measure__code"]

    def __str__(self) -> str:
        return f"{self.connection.name}: {self.measure.code}"


class ConnectorRun(models.Model):
    """One run of a connection's queries: what it read and wrote, or why it failed."""

    class State(models.TextChoices):
        """How the run ended."""

        WRITTEN = "written", _("values written")
        UNCHANGED = "unchanged", _("nothing to change")
        FAILED = "failed", _("failed")
        CHECKED = "checked", _("checked (test run)")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, default="manual")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    periods = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices)
    values_read = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    data_import = models.ForeignKey(
        "observations.DataImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )

    class Meta:
        db_table = "observations_connectorrun"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.connection.name} {self.started_at:%Y-%m-%d %H:%M} ({self.state})"
