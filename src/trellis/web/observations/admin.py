"""Admin pages for observations, with change history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trellis.web.observations.models import Connection, ConnectorQuery, ConnectorRun, Observation


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    """Observations."""

    list_display = ("measure", "period", "segment", "value", "source", "changed_by", "changed_at")
    list_filter = ("source",)
    search_fields = ("measure__code", "period")


@admin.register(Connection)
class ConnectionAdmin(SimpleHistoryAdmin):
    """Database connections; the password is never shown (set it on the connectors page or
    with ``trellis connector add``)."""

    list_display = ("name", "url", "password_env", "schedule", "timeout_seconds", "active")
    exclude = ("password_encrypted",)
    readonly_fields = ("next_run_at", "created_by", "created_at")


@admin.register(ConnectorQuery)
class ConnectorQueryAdmin(SimpleHistoryAdmin):
    """The query of each measure read from a database."""

    list_display = ("measure", "connection", "active")
    list_filter = ("connection", "active")
    search_fields = ("measure__code", "sql")


@admin.register(ConnectorRun)
class ConnectorRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The record of connector runs (read only)."""

    list_display = ("connection", "started_at", "trigger", "state", "values_read", "seconds")
    list_filter = ("state", "connection")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
