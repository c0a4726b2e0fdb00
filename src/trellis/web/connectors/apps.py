"""Django app configuration."""

from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Database connectors: connections, queries, runs and schedules."""

    name = "trellis.web.connectors"
    label = "connectors"
