"""Admin pages of the connectors: read only, with their change history. Connections change
through the connectors page and ``trellis connector`` (where URLs and passwords are
checked); the password is never shown."""

from django.contrib import admin

from trellis.web.connectors.models import Connection, ConnectorQuery, ConnectorRun
from trellis.web.core.admin import ReadOnlyAdmin, ReadOnlyRecordAdmin


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    """Database connections; the password is never shown."""

    list_display = ("name", "url", "password_env", "schedule", "timeout_seconds", "active")
    exclude = ("password_encrypted",)


@admin.register(ConnectorQuery)
class ConnectorQueryAdmin(ReadOnlyAdmin):
    """The query of each measure read from a database."""

    list_display = ("measure", "connection", "active")
    list_filter = ("connection", "active")
    search_fields = ("measure__code", "sql")


@admin.register(ConnectorRun)
class ConnectorRunAdmin(ReadOnlyRecordAdmin):
    """The record of connector runs."""

    list_display = ("connection", "started_at", "trigger", "state", "values_read", "seconds")
    list_filter = ("state", "connection")
